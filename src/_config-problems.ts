/**
 * How the problems in a configuration file (a sweep's `experiment_cfg.json`, the pipeline's
 * `ml-tracking.pipeline.json`) are gathered and phrased. Checking goes on after each problem, so
 * the user sees them all at once and fixes the file in one go. Shared by `sweeps/` and
 * `pipeline/`, hence here rather than in either folder.
 */
import { closest } from './_suggest.js';
import { Problems } from './errors.js';

// One class for every file's problems, at keys (JSON) or lines (the model lists): see errors.ts.
export { Problems };

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as the user wrote it, short enough for one line. */
export function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function notA(value: unknown, expected: string): string {
  return value === undefined ? 'it is missing' : `it is ${shown(value)}, not ${expected}`;
}

/** Past this, a key is shortened in messages: a 300 KB name would otherwise fill the screen. */
const LONGEST_KEY_SHOWN = 60;

/** `parent.key`, or `parent["key"]` when the key is not a plain identifier (`"model.lr"`). */
export function keyPath(parent: string, key: string): string {
  const shownKey =
    key.length > LONGEST_KEY_SHOWN ? `${key.slice(0, LONGEST_KEY_SHOWN - 3)}...` : key;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${parent}[${JSON.stringify(shownKey)}]`;
  return parent === '' ? shownKey : `${parent}.${shownKey}`;
}

/** Unknown keys are almost always typos of known ones: name the likely one. */
export function reportUnknownKeys(
  object: JsonObject,
  known: readonly string[],
  parent: string,
  problems: Problems,
  explain?: (key: string) => { problem: string; fix: string } | undefined,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const explained = explain?.(key);
    if (explained !== undefined) {
      problems.add(keyPath(parent, key), explained.problem, explained.fix);
      continue;
    }
    const suggestion = closest(key, known);
    problems.add(
      keyPath(parent, key),
      `it is not a key ${parent === '' ? 'of a sweep configuration' : 'of a hyperparameter'}`,
      suggestion === undefined
        ? `Remove it, or use one of: ${known.join(', ')}.`
        : `Did you mean "${suggestion}"? Rename it.`,
    );
  }
}
