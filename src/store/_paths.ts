import { ValidationError } from '../errors.js';

// eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Checks an object path and returns it normalised. A path is relative to the store root,
 * `/`-separated, and can never leave the root. Segments that start with `.` are reserved for
 * the store's own bookkeeping (locks, staging files), which keeps data folders clean for the
 * BI tools that read them.
 */
export function normalizeObjectPath(path: string, parameter = 'path'): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValidationError(
      parameter,
      'the object path is empty',
      'Pass a relative path such as "projects/classification/soil_20261124_1.csv".',
    );
  }
  if (CONTROL_CHARACTERS.test(path) || path.includes('\\')) {
    throw new ValidationError(
      parameter,
      `"${printable(path)}" contains a backslash or a control character`,
      'Use "/" to separate folders and printable characters only.',
    );
  }
  const segments = path.split('/');
  if (path.startsWith('/') || segments.some((segment) => segment === '..' || segment === '.')) {
    throw new ValidationError(
      parameter,
      `"${path}" escapes the store root or is not relative`,
      'Use a path relative to the store root, without "..", "." or a leading "/".',
    );
  }
  if (segments.some((segment) => segment.length === 0 || segment.startsWith('.'))) {
    throw new ValidationError(
      parameter,
      `"${path}" has an empty segment or one that starts with "." (reserved for the store)`,
      'Remove doubled or trailing slashes and leading dots from folder and file names.',
    );
  }
  return path;
}

/** Checks a listing prefix: like a path, but it may be empty or end with `/`. */
export function normalizePrefix(prefix: string): string {
  if (prefix === '') return '';
  const withoutTrailingSlash = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  normalizeObjectPath(withoutTrailingSlash, 'prefix');
  return prefix;
}

function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
