import slugify from 'slugify';
import { ValidationError } from '../errors.js';

/**
 * Turns a free-form project name into the slug used in file names: lower case, transliterated,
 * every run of separators (`/`, `_`, spaces, punctuation) one `-`, no `-` at either end.
 * `tracker_testing_1_/first_run` → `tracker-testing-1-first-run`; `../../etc` → `etc`.
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
  return slug;
}
