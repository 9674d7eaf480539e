/**
 * The checks of one sweep's `hyperparameters`: each spec's type, bounds and candidates, each name
 * as a command-line flag, and whether a grid can enumerate them.
 */
import { closest } from '../_suggest.js';
import { checkArgument } from './_command-line-limits.js';
import {
  type JsonObject,
  type Problems,
  isObject,
  keyPath,
  notA,
  reportUnknownKeys,
  shown,
} from '../_config-problems.js';

/** How one hyperparameter's values are drawn (random sweeps) or enumerated (grid sweeps). */
export type HyperparameterSpec =
  /** A real number in [min, max]. */
  | { type: 'uniform'; min: number; max: number }
  /** A positive real number whose logarithm is uniform: learning rates, regularisation. */
  | { type: 'log_uniform'; min: number; max: number }
  /** An integer from min to max, both included. */
  | { type: 'int_uniform'; min: number; max: number }
  /** One of the candidates, each equally likely. */
  | { type: 'choice'; candidates: (string | number | boolean)[] };

/** Past this, an int_uniform grid is almost surely a mistake (and a sweep that never ends). */
const MAX_GRID_RANGE_VALUES = 10_000;
/** Hyperparameters become `--name value` flags of the training script. */
const FLAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const SPEC_KEYS = {
  uniform: ['type', 'min', 'max'],
  log_uniform: ['type', 'min', 'max'],
  int_uniform: ['type', 'min', 'max'],
  choice: ['type', 'candidates'],
} as const;
type SpecType = keyof typeof SPEC_KEYS;
const SPEC_TYPES = Object.keys(SPEC_KEYS) as SpecType[];
const ALL_SPEC_KEYS = ['type', 'min', 'max', 'candidates'];

export const EXAMPLE_HYPERPARAMETERS =
  '{"learning_rate": {"type": "log_uniform", "min": 1e-5, "max": 1e-2}, "batch_size": {"type": "choice", "candidates": [32, 64, 128]}}';

export function readHyperparameters(
  value: unknown,
  problems: Problems,
): Record<string, HyperparameterSpec> | undefined {
  const fix = `Describe each hyperparameter by name, e.g. ${EXAMPLE_HYPERPARAMETERS}.`;
  if (!isObject(value)) {
    problems.add('hyperparameters', notA(value, 'an object'), fix);
    return undefined;
  }
  const names = Object.keys(value);
  if (names.length === 0) problems.add('hyperparameters', 'it is empty', fix);
  const specs: [string, HyperparameterSpec][] = [];
  for (const name of names) {
    const at = keyPath('hyperparameters', name);
    // `__proto__` would set an object's prototype instead of adding a key.
    const flagOk = FLAG_NAME.test(name) && name !== '__proto__';
    if (!flagOk) {
      const renamed = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^(?=[^A-Za-z_])/, '_');
      problems.add(
        at,
        `the name ${JSON.stringify(name)} cannot be a command-line flag`,
        `Rename it using letters, digits, "_", "." and "-", starting with a letter or "_", e.g. ${JSON.stringify(renamed === '__proto__' ? 'proto' : renamed)}.`,
      );
    }
    const nameOk =
      flagOk &&
      checkArgument(name, at, problems, {
        nul: 'Remove the NUL character from the name.',
        long: "Give it a short name: it becomes a flag on every trial's command line (--name=value).",
      });
    const spec = readSpec(value[name], at, problems);
    if (nameOk && spec !== undefined) specs.push([name, spec]);
  }
  return Object.fromEntries(specs);
}

function readSpec(value: unknown, at: string, problems: Problems): HyperparameterSpec | undefined {
  if (!isObject(value)) {
    problems.add(
      at,
      notA(value, 'an object'),
      'Describe it as e.g. {"type": "uniform", "min": 0, "max": 1} or {"type": "choice", "candidates": [32, 64]}.',
    );
    return undefined;
  }
  const type = value.type;
  if (!SPEC_TYPES.includes(type as SpecType)) {
    const suggestion = typeof type === 'string' ? closest(type, SPEC_TYPES) : undefined;
    const fix = `Set it to ${SPEC_TYPES.map((each) => `"${each}"`).join(', ')}.`;
    problems.add(
      `${at}.type`,
      notA(type, 'a hyperparameter type'),
      suggestion === undefined ? fix : `Did you mean "${suggestion}"? ${fix}`,
    );
    reportUnknownKeys(value, ALL_SPEC_KEYS, at, problems);
    return undefined;
  }
  const specType = type as SpecType;
  reportUnknownKeys(value, SPEC_KEYS[specType], at, problems, (key) => {
    if (!ALL_SPEC_KEYS.includes(key)) return undefined;
    const owner =
      key === 'candidates' ? '"choice"' : 'the ranges ("uniform", "log_uniform", "int_uniform")';
    return {
      problem: `it belongs to ${owner}, not to "${specType}"`,
      fix: `Remove it, or change type.`,
    };
  });
  return specType === 'choice'
    ? readChoice(value.candidates, `${at}.candidates`, problems)
    : readRange(specType, value, at, problems);
}

function readChoice(
  value: unknown,
  at: string,
  problems: Problems,
): HyperparameterSpec | undefined {
  const fix = 'List the values to try, e.g. [32, 64, 128].';
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(at, Array.isArray(value) ? 'it is empty' : notA(value, 'an array'), fix);
    return undefined;
  }
  const candidates: (string | number | boolean)[] = [];
  const seen = new Map<string, number>();
  value.forEach((candidate: unknown, index) => {
    const isScalar =
      typeof candidate === 'string' ||
      typeof candidate === 'boolean' ||
      (typeof candidate === 'number' && Number.isFinite(candidate));
    if (!isScalar) {
      problems.add(
        `${at}[${index}]`,
        notA(candidate, 'a string, number or boolean'),
        'A candidate is passed to the script as a flag value: use a string, a number or a boolean (write null as a string such as "none").',
      );
      return;
    }
    if (
      typeof candidate === 'string' &&
      !checkArgument(candidate, `${at}[${index}]`, problems, {
        nul: `Remove the NUL character: a candidate reaches the script as its flag's value on its command line (--name=value).`,
        long: 'Keep a candidate short: put large data in a file and give its path as the candidate.',
      })
    ) {
      return;
    }
    const identity = `${typeof candidate}:${String(candidate)}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      problems.add(
        `${at}[${index}]`,
        `it repeats candidates[${first}] (${shown(candidate)})`,
        'Remove the repeat: it would be tried twice as often as the others.',
      );
      return;
    }
    seen.set(identity, index);
    candidates.push(candidate);
  });
  return candidates.length === value.length ? { type: 'choice', candidates } : undefined;
}

function readRange(
  type: Exclude<SpecType, 'choice'>,
  spec: JsonObject,
  at: string,
  problems: Problems,
): HyperparameterSpec | undefined {
  const integers = type === 'int_uniform';
  const bounds: number[] = [];
  for (const key of ['min', 'max']) {
    const bound = spec[key];
    if (
      typeof bound === 'number' &&
      (integers ? Number.isSafeInteger(bound) : Number.isFinite(bound))
    ) {
      bounds.push(bound);
      continue;
    }
    const tooLarge = Number.isInteger(bound);
    problems.add(
      `${at}.${key}`,
      tooLarge
        ? `it is ${shown(bound)}, beyond the integers a float64 holds exactly (±9007199254740991)`
        : notA(bound, integers ? 'an integer' : 'a finite number'),
      integers
        ? `Write ${key} as a whole JSON number without quotes, e.g. ${key === 'min' ? 1 : 10}, or use type "uniform" for real values.`
        : `Write ${key} as a JSON number without quotes, e.g. ${key === 'min' ? '1e-5' : '0.01'}.`,
    );
  }
  const [min, max] = bounds;
  if (min === undefined || max === undefined) return undefined;
  if (type === 'log_uniform' && min <= 0) {
    problems.add(
      `${at}.min`,
      `it is ${min}, but a log-uniform range must be above 0 (its logarithm is undefined)`,
      'Set min to a positive number such as 1e-6, or use type "uniform" for a range that includes 0.',
    );
  } else if (integers ? min > max : min >= max) {
    problems.add(
      `${at}.max`,
      `it is ${max}, not ${integers ? 'at least' : 'above'} min (${min})`,
      integers
        ? 'Make max at least min (both ends are included), or swap them.'
        : 'Make max larger than min, or swap them; for one fixed value use {"type": "choice", "candidates": [value]}.',
    );
  } else if (!Number.isFinite(max - min)) {
    problems.add(
      `${at}.max`,
      `the range ${min} to ${max} is too wide to sample (its width overflows)`,
      'Narrow the range, or use type "log_uniform" for values spanning orders of magnitude.',
    );
  } else {
    return { type, min, max };
  }
  return undefined;
}

/** A grid enumerates values: continuous ranges and huge integer ranges cannot be. */
export function checkGrid(
  hyperparameters: Record<string, HyperparameterSpec>,
  problems: Problems,
): void {
  for (const [name, spec] of Object.entries(hyperparameters)) {
    const at = keyPath('hyperparameters', name);
    if (spec.type === 'uniform' || spec.type === 'log_uniform') {
      const middle =
        spec.type === 'uniform' ? (spec.min + spec.max) / 2 : Math.sqrt(spec.min * spec.max);
      const example = [spec.min, Number(middle.toPrecision(3)), spec.max];
      problems.add(
        `${at}.type`,
        `it is "${spec.type}", a continuous range that a grid cannot enumerate`,
        `List the values to try instead, e.g. {"type": "choice", "candidates": ${JSON.stringify(example)}}, or set method to "random".`,
      );
    } else if (spec.type === 'int_uniform' && spec.max - spec.min + 1 > MAX_GRID_RANGE_VALUES) {
      problems.add(
        at,
        `its range ${spec.min} to ${spec.max} has ${spec.max - spec.min + 1} values, more than a grid enumerates (${MAX_GRID_RANGE_VALUES})`,
        'Narrow the range, list the values to try as a "choice", or set method to "random".',
      );
    }
  }
}
