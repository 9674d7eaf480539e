/**
 * How the problems in a configuration file (a sweep's `experiment_cfg.json`, the pipeline's
 * `ml-tracking.pipeline.json`) are gathered and phrased. Checking goes on after each problem, so
 * the user sees them all at once and fixes the file in one go. Shared by `sweeps/` and
 * `pipeline/`, hence here rather than in either folder.
 */
import { closest } from './_suggest.js';
import { ValidationError } from './errors.js';

interface Problem {
  /** The JSON path of the key at fault, e.g. `hyperparameters.learning_rate.max`; `''` for the file. */
  key: string;
  problem: string;
  fix: string;
}

/** The problems found so far in one file; checking goes on after each, to report them all. */
export class Problems {
  private readonly found: Problem[] = [];

  constructor(private readonly source: string) {}

  add(key: string, problem: string, fix: string): void {
    this.found.push({ key, problem, fix });
  }

  /** One error for them all: the first names its key; the rest follow, one per line. */
  error(): ValidationError {
    const parameter = (key: string) => (key === '' ? this.source : `${this.source}: ${key}`);
    const [first, ...rest] = this.found;
    if (first === undefined) throw new Error('Problems.error() called with no problem found');
    if (rest.length === 0)
      return new ValidationError(parameter(first.key), first.problem, first.fix);
    const lines = this.found.map(
      (each) => `  - ${parameter(each.key)}: ${each.problem}. ${each.fix}`,
    );
    const more =
      rest.length === 1
        ? '1 more problem; both are listed below'
        : `${rest.length} more problems; all ${this.found.length} are listed below`;
    return new ValidationError(
      parameter(first.key),
      `${first.problem} (and ${more})`,
      `${first.fix}\n${lines.join('\n')}`,
    );
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw this.error();
  }
}

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
