import slugify from 'slugify';
import { ValidationError } from '../errors.js';

/**
 * The longest project slug, in characters (a slug is ASCII, so also bytes). File systems cap a
 * file name at 255 bytes, and the slug is only the start of a tracker's file name
 * (`<slug>_<YYYYMMDD>_<i>.csv`); 100 leaves ample room for the rest, and a longer name is
 * unreadable in a file listing anyway.
 */
export const MAX_PROJECT_SLUG_LENGTH = 100;

/**
 * Turns a free-form project name into the slug used in file names: lower case, transliterated,
 * every run of separators (`/`, `_`, spaces, punctuation) one `-`, no `-` at either end.
 * `tracker_testing_1_/first_run` → `tracker-testing-1-first-run`; `../../etc` → `etc`.
 *
 * @throws ValidationError when the name is missing, leaves nothing once transliterated, or its
 *   slug is longer than {@link MAX_PROJECT_SLUG_LENGTH} characters.
 */
export function slugifyProject(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ValidationError(
      'project',
      'the project name is missing',
      'Pass a name such as "soil-carbon/2024-q1".',
    );
  }
  const slug = slugify(name.replace(/[^\p{L}\p{N}]+/gu, ' '), {
    lower: true,
    strict: true,
    trim: true,
  })
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (slug === '') {
    throw new ValidationError(
      'project',
      `"${name}" leaves nothing for a file name once transliterated to a-z and 0-9`,
      'Use a name with at least one Latin letter or digit, e.g. "soil-carbon".',
    );
  }
  if (slug.length > MAX_PROJECT_SLUG_LENGTH) {
    throw new ValidationError(
      'project',
      `its slug is ${slug.length} characters long, over the limit of ${MAX_PROJECT_SLUG_LENGTH} characters (it becomes part of file names)`,
      'Use a shorter name; details such as dates or settings belong in extraParameters.',
    );
  }
  return slug;
}
