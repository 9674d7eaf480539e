import { describe, expect, it } from 'vitest';
import { median, selectKth } from '../../src/metrics/_sort.js';
import { regressionMetrics } from '../../src/metrics/regression.js';
import type { RegressionScores } from '../../src/metrics/types.js';
import { expectClose, regressionFixtures } from './fixtures.js';

const fixtures = regressionFixtures();
const METRICS: (keyof RegressionScores)[] = [
  'mae',
  'mape',
  'rmse',
  'mse',
  'mbe',
  'rsquared',
  'explained_variance',
  'median_absolute_error',
  'max_error',
];

describe(`regressionMetrics agrees with scikit-learn ${fixtures.sklearn}`, () => {
  it('has fixtures for every kind of run', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const fixture of fixtures.cases) {
    it(fixture.name, () => {
      const scores = regressionMetrics(fixture.yTrue, fixture.yPred);
      for (const metric of METRICS) {
        expectClose(scores[metric], fixture.expected[metric] ?? null, metric);
      }
      const typed = regressionMetrics(
        Float64Array.from(fixture.yTrue),
        Float64Array.from(fixture.yPred),
      );
      expect(typed).toEqual(scores);
    });
  }
});

describe('regressionMetrics, hand-checked', () => {
  it("reproduces scikit-learn's documented examples", () => {
    const scores = regressionMetrics([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);
    expect(scores.mae).toBe(0.5);
    expect(scores.mse).toBe(0.375);
    expect(scores.rmse).toBe(Math.sqrt(0.375));
    expect(scores.mbe).toBe(0.25);
    expect(scores.mape).toBeCloseTo((0.5 / 3 + 1 + 0 + 1 / 7) / 4, 15);
    expect(scores.rsquared).toBeCloseTo(0.9486081370449679, 15);
    expect(scores.explained_variance).toBeCloseTo(0.9571734475374732, 15);
    expect(scores.median_absolute_error).toBe(0.5);
    expect(scores.max_error).toBe(1);
  });

  it('divides by eps for zero targets in MAPE', () => {
    expect(regressionMetrics([0, 1], [1, 1]).mape).toBe(1 / Number.EPSILON / 2);
  });

  it('applies force_finite for constant targets', () => {
    const imperfect = regressionMetrics([0.1, 0.1, 0.1], [0.1, 0.2, 0.1]);
    expect(imperfect.rsquared).toBe(0);
    expect(imperfect.explained_variance).toBe(0);
    const perfect = regressionMetrics([0.1, 0.1, 0.1], [0.1, 0.1, 0.1]);
    expect(perfect.rsquared).toBe(1);
    expect(perfect.explained_variance).toBe(1);
    // A constant offset explains all the variance, but r² still penalises it.
    const shifted = regressionMetrics([1, 2, 3, 4], [2, 3, 4, 5]);
    expect(shifted.explained_variance).toBe(1);
    expect(shifted.rsquared).toBe(1 - 4 / 5);
  });

  it('leaves r² undefined for a single sample, as scikit-learn gives nan', () => {
    const scores = regressionMetrics([2], [3.5]);
    expect(scores.rsquared).toBeUndefined();
    expect(scores.explained_variance).toBe(1);
    expect(scores.median_absolute_error).toBe(1.5);
  });
});

describe('median / selectKth', () => {
  let state = 3;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const arrays: [string, () => Float64Array][] = [
    ['random, odd', () => Float64Array.from({ length: 10001 }, random)],
    ['random, even', () => Float64Array.from({ length: 10000 }, random)],
    ['many duplicates', () => Float64Array.from({ length: 5000 }, () => Math.floor(random() * 7))],
    ['sorted', () => Float64Array.from({ length: 4000 }, (_, i) => i)],
    ['reversed', () => Float64Array.from({ length: 4001 }, (_, i) => -i)],
    ['all equal', () => new Float64Array(3000).fill(2.5)],
    ['two values', () => Float64Array.of(1, 4)],
    ['one value', () => Float64Array.of(7)],
  ];
  for (const [name, make] of arrays) {
    it(`finds the median and order statistics of ${name}`, () => {
      const values = make();
      const sorted = Float64Array.from(values).sort();
      const n = sorted.length;
      const expected =
        n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(median(Float64Array.from(values))).toBe(expected);
      for (const k of [0, n >>> 2, n - 1]) {
        expect(selectKth(Float64Array.from(values), k)).toBe(sorted[k]);
      }
    });
  }
});
