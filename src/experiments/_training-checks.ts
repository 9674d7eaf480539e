/**
 * The checks of a training request that do not need the classes: its kind, test fraction, seed
 * and params. Shared by `trainModel` and by `ml-tracking train-model`, whose classes live in
 * another language (Python's registry), so that both refuse the same input with the same words.
 */
import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from '../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { randomSeed } from '../sweeps/sampling.js';
import type { Params } from './registry.js';

/** `classification` or `regression`, else a ValidationError on `parameter`. */
export function checkKind(kind: unknown, parameter = 'kind'): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      parameter,
      `${JSON.stringify(kind)} is not a kind of experiment`,
      'Pass kind: "classification" or kind: "regression".',
    );
  }
  return kind as ExperimentKind;
}

/** The share held out for testing: strictly between 0 and 1. @default 0.2 */
export function checkTestFraction(value: unknown, parameter = 'testFraction'): number {
  const testFraction = value ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(
      parameter,
      `${shown(testFraction)} is not between 0 and 1`,
      'Pass the share of samples to test on, e.g. 0.2, or leave it out.',
    );
  }
  return testFraction;
}

/** The split's seed: a non-negative safe integer. @default a random one (recorded) */
export function checkSeed(value: unknown, parameter = 'seed'): number {
  const seed = value ?? randomSeed();
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ValidationError(
      parameter,
      `${shown(seed)} is not a non-negative integer`,
      'Pass a whole number such as 42, or leave it out for a random one (it is recorded).',
    );
  }
  return seed;
}

/** A params object as it will read back from the store: JSON, exactly. */
export function checkParams(parameter: string, value: unknown): Params {
  if (value === undefined) return {};
  const fix =
    'Pass a plain object of JSON values (finite numbers, strings, booleans, null, arrays, objects): the run records it, and reproducing the run constructs the class from the record.';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(parameter, 'it is not an object', fix);
  }
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw new ValidationError(parameter, 'it cannot be written as JSON', fix, { cause: error });
  }
  if (!isDeepStrictEqual(copy, value)) {
    throw new ValidationError(
      parameter,
      'it holds values JSON would change or drop (NaN, Infinity, undefined, a function, a Date or another class instance)',
      fix,
    );
  }
  return copy as Params;
}

/** A value in a message: numbers as JavaScript writes them (NaN stays NaN), the rest as JSON. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
