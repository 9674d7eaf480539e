import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { randomSeed, sampleTrial, trialCount } from '../../src/sweeps/sampling.js';
import { parseSweepConfig, type SweepConfig } from '../../src/sweeps/sweep-config.js';

function sweep(hyperparameters: unknown, extra: Record<string, unknown> = {}): SweepConfig {
  return parseSweepConfig({
    main_script_name: 'train.py',
    hyperparameters,
    max_runs: 100,
    early_stopping: false,
    ...extra,
  });
}

const mixed = sweep({
  learning_rate: { type: 'log_uniform', min: 1e-5, max: 1e-2 },
  dropout: { type: 'uniform', min: 0, max: 0.5 },
  layers: { type: 'int_uniform', min: 1, max: 8 },
  optimizer: { type: 'choice', candidates: ['adam', 'sgd', 'rmsprop'] },
});

/** `draws` trials of a one-hyperparameter random sweep, as values of `x`. */
function draws(spec: unknown, count = 10_000, seed = 7): HyperparameterDraws {
  const config = sweep({ x: spec }, { max_runs: count });
  return Array.from({ length: count }, (_, trial) => sampleTrial(config, seed, trial).x!);
}
type HyperparameterDraws = (string | number | boolean)[];

/**
 * Pearson's chi-square statistic of counts against equal expected counts. With 10,000 draws in
 * 10 buckets (9 degrees of freedom), a uniform source exceeds 33.7 once in 10,000; the bound of
 * 40 fails only a clearly skewed sampler, and the draws are fixed by the seed anyway.
 */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

function bucketCounts(values: number[], low: number, high: number, buckets = 10): number[] {
  const counts = new Array<number>(buckets).fill(0);
  for (const value of values) {
    const bucket = Math.min(buckets - 1, Math.floor(((value - low) / (high - low)) * buckets));
    counts[bucket]! += 1;
  }
  return counts;
}

describe('grid sweeps', () => {
  const grid = (maxRuns: number) =>
    sweep(
      {
        optimizer: { type: 'choice', candidates: ['adam', 'sgd'] },
        depth: { type: 'int_uniform', min: 2, max: 4 },
      },
      { method: 'grid', max_runs: maxRuns },
    );
  const allPoints = [
    { optimizer: 'adam', depth: 2 },
    { optimizer: 'adam', depth: 3 },
    { optimizer: 'adam', depth: 4 },
    { optimizer: 'sgd', depth: 2 },
    { optimizer: 'sgd', depth: 3 },
    { optimizer: 'sgd', depth: 4 },
  ];

  it('runs each point of a 2 x 3 grid once when max_runs is larger', () => {
    const config = grid(100);
    expect(trialCount(config)).toBe(6);
    const trials = Array.from({ length: 6 }, (_, trial) => sampleTrial(config, 0, trial));
    expect(trials).toEqual(allPoints);
  });

  it('varies the last hyperparameter fastest, keeping the config key order', () => {
    const trial = sampleTrial(grid(100), 0, 1);
    expect(Object.keys(trial)).toEqual(['optimizer', 'depth']);
  });

  it('stops at max_runs, in the same order', () => {
    const config = grid(4);
    expect(trialCount(config)).toBe(4);
    const trials = Array.from({ length: 4 }, (_, trial) => sampleTrial(config, 0, trial));
    expect(trials).toEqual(allPoints.slice(0, 4));
    expect(() => sampleTrial(config, 0, 4)).toThrow(ValidationError);
  });

  it('does not depend on the seed', () => {
    expect(sampleTrial(grid(100), 1, 5)).toEqual(sampleTrial(grid(100), 2, 5));
  });

  it('counts a grid far larger than max_runs without enumerating it', () => {
    const big = { type: 'int_uniform', min: 1, max: 10_000 };
    const config = sweep({ a: big, b: big, c: big, d: big, e: big }, { method: 'grid' });
    expect(trialCount(config)).toBe(100);
    expect(sampleTrial(config, 0, 99)).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 100 });
  });

  it('refuses a continuous range in a grid built without parseSweepConfig', () => {
    const config: SweepConfig = {
      ...grid(10),
      hyperparameters: { x: mixed.hyperparameters.dropout! },
    };
    expect(() => trialCount(config)).toThrow(/hyperparameters\.x.*cannot enumerate/);
  });
});

describe('random sweeps: reproducibility', () => {
  it('has max_runs trials', () => {
    expect(trialCount(mixed)).toBe(100);
  });

  it('gives the same trials for the same seed, in any order of trials', () => {
    const forward = Array.from({ length: 20 }, (_, trial) => sampleTrial(mixed, 42, trial));
    const backward = Array.from({ length: 20 }, (_, index) => sampleTrial(mixed, 42, 19 - index));
    expect(backward.reverse()).toEqual(forward);
  });

  it('gives different trials for different seeds, and for different trials', () => {
    const first = sampleTrial(mixed, 1, 0);
    expect(sampleTrial(mixed, 2, 0).learning_rate).not.toBe(first.learning_rate);
    expect(sampleTrial(mixed, 1, 1).learning_rate).not.toBe(first.learning_rate);
  });

  it('draws each hyperparameter independently of the others', () => {
    const twins = sweep({
      a: { type: 'uniform', min: 0, max: 1 },
      b: { type: 'uniform', min: 0, max: 1 },
    });
    const trial = sampleTrial(twins, 3, 0);
    expect(trial.a).not.toBe(trial.b);
  });

  it('derives each value from SHA-256 of "seed:trial:name", as documented', () => {
    const digest = createHash('sha256').update('42:0:dropout').digest();
    const unit = Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
    expect(sampleTrial(mixed, 42, 0).dropout).toBe(unit * 0.5);
  });

  // Pinned (computed once in another process): every agent, on any machine and Node version,
  // must compute exactly these, or trials of one sweep would disagree.
  it('computes exactly the recorded values of trials of seed 42', () => {
    expect(sampleTrial(mixed, 42, 0)).toEqual({
      learning_rate: 0.0093170615229388,
      dropout: 0.4015086375981847,
      layers: 8,
      optimizer: 'rmsprop',
    });
    expect(sampleTrial(mixed, 42, 99)).toEqual({
      learning_rate: 0.002133714566965051,
      dropout: 0.11254106662216756,
      layers: 2,
      optimizer: 'adam',
    });
  });
});

describe('random sweeps: distributions', () => {
  it('keeps uniform values in [min, max) and spreads them evenly', () => {
    const values = draws({ type: 'uniform', min: -2, max: 3 }) as number[];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThan(3);
    expect(chiSquare(bucketCounts(values, -2, 3))).toBeLessThan(40);
  });

  it('draws int_uniform values from min to max, both ends included, evenly', () => {
    const values = draws({ type: 'int_uniform', min: -3, max: 6 }) as number[];
    expect(values.every((value) => Number.isInteger(value))).toBe(true);
    expect(Math.min(...values)).toBe(-3);
    expect(Math.max(...values)).toBe(6);
    expect(chiSquare(bucketCounts(values, -3, 7))).toBeLessThan(40);
  });

  it('draws the one value of a single-value int_uniform range', () => {
    expect(new Set(draws({ type: 'int_uniform', min: 5, max: 5 }, 50))).toEqual(new Set([5]));
  });

  it('draws int_uniform exactly over the widest safe range', () => {
    const limit = Number.MAX_SAFE_INTEGER;
    const values = draws({ type: 'int_uniform', min: -limit, max: limit }, 1000) as number[];
    expect(values.every((value) => Number.isSafeInteger(value))).toBe(true);
    expect(values.filter((value) => value < 0).length).toBeGreaterThan(400);
    expect(values.filter((value) => value > 0).length).toBeGreaterThan(400);
  });

  it('puts the log_uniform median near the geometric mean, evenly in log space', () => {
    const values = draws({ type: 'log_uniform', min: 1e-5, max: 1e-2 }) as number[];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...values)).toBeLessThanOrEqual(1e-2);
    const sorted = [...values].sort((a, b) => a - b);
    const median = (sorted[4999]! + sorted[5000]!) / 2;
    // The geometric mean is 10^-3.5; a uniform draw's median would be near 5e-3 (10^-2.3).
    expect(Math.log10(median)).toBeCloseTo(-3.5, 1);
    const logs = values.map((value) => Math.log10(value));
    expect(chiSquare(bucketCounts(logs, -5, -2))).toBeLessThan(40);
  });

  it('picks each choice candidate about equally often, with its type', () => {
    const candidates = ['adam', 0.5, true, 'sgd', 3];
    const values = draws({ type: 'choice', candidates });
    expect(new Set(values)).toEqual(new Set(candidates));
    const counts = candidates.map((candidate) => values.filter((v) => v === candidate).length);
    expect(chiSquare(counts)).toBeLessThan(30); // 4 degrees of freedom: 18.5 is the 0.1% tail
  });
});

describe('arguments', () => {
  it.each([-1, 0.5, Number.NaN, 2 ** 53])('rejects the seed %s', (seed) => {
    expect(() => sampleTrial(mixed, seed, 0)).toThrow(ValidationError);
    expect(() => sampleTrial(mixed, seed, 0)).toThrow(/Invalid seed/);
  });

  it.each([-1, 100, 1.5])('rejects trial %s of a 100-trial sweep, naming the range', (trial) => {
    expect(() => sampleTrial(mixed, 1, trial)).toThrow(/Invalid trial: .*trials 0 to 99/);
  });

  it('accepts the largest seed', () => {
    expect(() => sampleTrial(mixed, Number.MAX_SAFE_INTEGER, 0)).not.toThrow();
  });
});

describe('randomSeed', () => {
  it('draws non-negative safe integers that differ between calls', () => {
    const seeds = Array.from({ length: 100 }, () => randomSeed());
    expect(seeds.every((seed) => Number.isSafeInteger(seed) && seed >= 0)).toBe(true);
    expect(new Set(seeds).size).toBe(100);
  });

  it('draws seeds across the whole range, not only small ones', () => {
    const seeds = Array.from({ length: 100 }, () => randomSeed());
    expect(seeds.some((seed) => seed > 2 ** 50)).toBe(true);
  });
});
