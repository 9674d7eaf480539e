/**
 * The hyperparameters of each trial of a sweep. Agents on several machines run trials of one
 * sweep in any order, and a trial may be rerun after a crash: each trial's values are therefore a
 * pure function of (config, seed, trial number), never of the trials drawn before it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { HyperparameterSpec, SweepConfig } from './sweep-config.js';

/** A value passed to the training script as `--name value`. */
export type HyperparameterValue = string | number | boolean;

/**
 * How many trials the sweep has: max_runs, or fewer for a grid with fewer points, which runs each
 * point once.
 *
 * @throws ValidationError when a grid sweep has a hyperparameter that is not `choice` or
 *   `int_uniform` (only possible for a config that did not come from `parseSweepConfig`).
 */
export function trialCount(config: SweepConfig): number {
  if (config.method !== 'grid') return config.maxRuns;
  let points = 1;
  for (const [name, spec] of Object.entries(config.hyperparameters)) {
    points *= gridLength(name, spec);
    // Stop early: a product of many large ranges would lose precision, and max_runs caps it.
    if (points >= config.maxRuns) return config.maxRuns;
  }
  return points;
}

/**
 * The hyperparameters of trial `trial` (0-based): a pure function of (config, seed, trial), so any
 * agent on any machine computes the same values for the same trial number, in any order, with any
 * Node version. A random trial hashes `${seed}:${trial}:${name}` (SHA-256) into each value; a grid
 * trial is the `trial`-th point of the grid (the last hyperparameter varying fastest), whatever
 * the seed.
 *
 * @param seed the sweep's seed: its config's `seed`, or one drawn once by {@link randomSeed} and
 *   recorded with the sweep.
 * @throws ValidationError when `seed` is not a non-negative safe integer, or `trial` is not one of
 *   the sweep's trials (0 to `trialCount(config) - 1`).
 * @example sampleTrial(config, 42, 0) // { learning_rate: 0.00123…, batch_size: 64 }
 */
export function sampleTrial(
  config: SweepConfig,
  seed: number,
  trial: number,
): Record<string, HyperparameterValue> {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ValidationError(
      'seed',
      `it is ${String(seed)}, not a non-negative integer`,
      "Pass the sweep's seed: a whole number from 0 to Number.MAX_SAFE_INTEGER, e.g. from randomSeed().",
    );
  }
  const count = trialCount(config);
  if (!Number.isSafeInteger(trial) || trial < 0 || trial >= count) {
    throw new ValidationError(
      'trial',
      `it is ${String(trial)}, not a trial of this sweep (it has trials 0 to ${count - 1})`,
      'Pass a trial number from 0 to trialCount(config) - 1.',
    );
  }
  const entries = Object.entries(config.hyperparameters);
  if (config.method === 'grid') return gridPoint(entries, trial);
  return Object.fromEntries(
    entries.map(([name, spec]) => [name, draw(spec, uniformBits(seed, trial, name))]),
  );
}

/** A fresh random seed (a non-negative safe integer) for a sweep created without one. */
export function randomSeed(): number {
  return Number(randomBytes(8).readBigUInt64BE(0) >> 11n);
}

const TWO_TO_THE_53 = 2 ** 53;

/**
 * 53 uniform random bits, as an integer below 2^53, derived from the trial alone. SHA-256 is
 * specified bit for bit, so every process and Node version derives the same bits.
 */
function uniformBits(seed: number, trial: number, name: string): number {
  const digest = createHash('sha256').update(`${seed}:${trial}:${name}`, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) >> 11n);
}

/** `floor(bits / 2^53 * count)` in exact integer arithmetic: an index below `count`, never `count`. */
function scaledIndex(bits: number, count: bigint): bigint {
  return (BigInt(bits) * count) >> 53n;
}

function draw(spec: HyperparameterSpec, bits: number): HyperparameterValue {
  const unit = bits / TWO_TO_THE_53; // exact: [0, 1) in steps of 2^-53
  switch (spec.type) {
    case 'uniform':
      // Rounding can reach max for a narrow range; never beyond it.
      return Math.min(spec.max, spec.min + unit * (spec.max - spec.min));
    case 'log_uniform': {
      // V8 computes exp and log in software (fdlibm), identically on every platform; exp(log(x))
      // may still differ from x by one ulp, hence the clamp to the bounds.
      const low = Math.log(spec.min);
      const value = Math.exp(low + unit * (Math.log(spec.max) - low));
      return Math.min(spec.max, Math.max(spec.min, value));
    }
    case 'int_uniform': {
      const count = BigInt(spec.max) - BigInt(spec.min) + 1n;
      return Number(BigInt(spec.min) + scaledIndex(bits, count));
    }
    case 'choice':
      return spec.candidates[Number(scaledIndex(bits, BigInt(spec.candidates.length)))]!;
  }
}

/** The grid's points in mixed radix: the last hyperparameter is the fastest digit. */
function gridPoint(
  entries: [string, HyperparameterSpec][],
  trial: number,
): Record<string, HyperparameterValue> {
  const values: [string, HyperparameterValue][] = [];
  let rest = trial;
  for (let position = entries.length - 1; position >= 0; position -= 1) {
    const [name, spec] = entries[position]!;
    const length = gridLength(name, spec);
    const index = rest % length;
    rest = Math.floor(rest / length);
    values.push([name, spec.type === 'choice' ? spec.candidates[index]! : spec.min + index]);
  }
  return Object.fromEntries(values.reverse());
}

function gridLength(name: string, spec: HyperparameterSpec): number {
  if (spec.type === 'choice') return spec.candidates.length;
  if (spec.type === 'int_uniform') return spec.max - spec.min + 1;
  throw new ValidationError(
    `hyperparameters.${name}`,
    `it is "${spec.type}", a continuous range that a grid sweep cannot enumerate`,
    'Use "choice" or "int_uniform" for every hyperparameter of a grid sweep, or method "random" (parseSweepConfig checks this).',
  );
}
