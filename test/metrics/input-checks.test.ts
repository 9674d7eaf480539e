import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { compareLabels } from '../../src/metrics/_labels.js';
import {
  checkClassificationOptions,
  describeValue,
  MAX_REGRESSION_MAGNITUDE,
} from '../../src/metrics/input-checks.js';
import { regressionMetrics } from '../../src/metrics/regression.js';
import type { Label } from '../../src/metrics/types.js';

/** Calls `run` and returns what it threw (fails the test if it threw nothing). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  expect.fail('expected a ValidationError, but nothing was thrown');
}

const anything = (value: unknown) => value as never;

describe('regressionMetrics checks its inputs', () => {
  it.each<[string, unknown, unknown, string, RegExp]>([
    ['lengths that differ', [1, 2, 3], [1], 'yPred', /1 values but yTrue has 3/],
    ['an empty yTrue', [], [], 'yTrue', /empty/],
    ['a missing yPred', [1, 2], undefined, 'yPred', /not an array/],
    ['NaN', [1, Number.NaN], [1, 2], 'yTrue', /yTrue\[1\] is NaN.*finite numbers/],
    ['Infinity', [1, 2], [1, -Infinity], 'yPred', /yPred\[1\] is -Infinity/],
    ['a string', [1, '2'], [1, 2], 'yTrue', /the string "2"/],
    ['a BigInt', [1n, 2n], [1, 2], 'yTrue', /the BigInt 1n/],
    ['null', [1, 2], [null, 2], 'yPred', /yPred\[0\] is null/],
    ['1e308, whose errors overflow', [1e308, -1e308], [-1e308, 1e308], 'yTrue', /±1e100/],
    ['a value just past the bound', [0, 1], [0, 1.0000001e100], 'yPred', /±1e100/],
  ])('rejects %s with a ValidationError naming the parameter', (_, yTrue, yPred, name, message) => {
    const error = thrown(() => regressionMetrics(anything(yTrue), anything(yPred)));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ parameter: name });
    expect((error as Error).message).toMatch(message);
  });

  it('gives finite metrics for values at the bound, whose errors are the largest allowed', () => {
    const max = MAX_REGRESSION_MAGNITUDE;
    const scores = regressionMetrics([max, -max, max, 0], [-max, max, -max, 0]);
    for (const [metric, value] of Object.entries(scores)) {
      expect(Number.isFinite(value), `${metric} = ${String(value)}`).toBe(true);
    }
    expect(scores.max_error).toBe(2 * max);
    expect(scores.mse).toBe((3 * (2 * max) ** 2) / 4);
  });

  it('leaves a ratio that overflows undefined instead of -Infinity', () => {
    // Var(yTrue) ≈ 1e-300 and squared errors ≈ 1e200: r² = 1 − 1e500 does not fit a float64.
    const scores = regressionMetrics([0, 2e-150], [1e100, -1e100]);
    expect(scores.rsquared).toBeUndefined();
    expect(scores.explained_variance).toBeUndefined();
    expect(scores.mae).toBe(1e100);
    expect(Number.isFinite(scores.mse)).toBe(true);
  });
});

describe('classificationMetrics checks its inputs', () => {
  const rows = (...values: unknown[]) => values;
  it.each<[string, unknown, unknown, object, string, RegExp]>([
    ['lengths that differ', ['a', 'b'], ['a'], {}, 'yPred', /1 values but yTrue has 2/],
    ['an empty run', [], [], {}, 'yTrue', /empty/],
    ['a missing yTrue', undefined, ['a'], {}, 'yTrue', /not an array/],
    ['BigInt labels', [1n, 2n], [1n, 2n], {}, 'yTrue', /the BigInt 1n.*convert BigInts/],
    ['fractional labels', [1, 2], [1.5, 2], {}, 'yPred', /yPred\[0\] is 1\.5/],
    ['mixed label types', ['a', 1], ['a', 1], {}, 'yTrue', /number but the labels so far are/],
    [
      'a null first row of yScore',
      [0, 1],
      [0, 1],
      { yScore: rows(null, [0.5, 0.5]) },
      'options.yScore',
      /row 0 is null/,
    ],
    [
      'a null later row of yScore',
      [0, 1, 2],
      [0, 1, 2],
      { yScore: rows([0.2, 0.3, 0.5], null, [0.2, 0.3, 0.5]) },
      'options.yScore',
      /row 1 is null/,
    ],
    [
      'a NaN score',
      [0, 1],
      [0, 1],
      { yScore: [0.5, Number.NaN] },
      'options.yScore',
      /yScore\[1\] is NaN/,
    ],
    ['yScore that is not an array', [0, 1], [0, 1], { yScore: 0.5 }, 'options.yScore', /array/],
    ['classes: {}', [0, 1], [0, 1], { classes: {} }, 'options.classes', /not an array/],
    ['classes: 5', [0, 1], [0, 1], { classes: 5 }, 'options.classes', /5, not an array/],
    ['classes listed twice', [0, 1], [0, 1], { classes: [0, 1, 0] }, 'options.classes', /twice/],
    [
      'classes of another type',
      [0, 1],
      [0, 1],
      { classes: ['0', '1'] },
      'options.classes',
      /the string "0" but the labels are numbers/,
    ],
    [
      'a positive label of another type',
      [0, 1],
      [0, 1],
      { positiveLabel: '1' },
      'options.positiveLabel',
      /the string "1" but the labels are numbers/,
    ],
  ])(
    'rejects %s with a ValidationError naming the parameter',
    (_, yT, yP, options, name, message) => {
      const error = thrown(() => classificationMetrics(anything(yT), anything(yP), options));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ parameter: name });
      expect((error as Error).message).toMatch(message);
    },
  );

  it('still accepts decision-function scores (negative, above 1) for ROC AUC', () => {
    const { overall } = classificationMetrics([0, 1, 0, 1], [0, 1, 0, 1], {
      yScore: [-2.5, 3, -1, 0.5],
    });
    expect(overall.roc_auc).toBe(1);
  });
});

describe('classificationMetrics checks yScore rows in the pass that reads them', () => {
  const names = { yScore: 'options.yScore', classes: 'options.classes', positiveLabel: 'p' };
  /** The error of the separate check of every row, which validateExperiment still runs. */
  const separateCheck = (yTrue: number[], yScore: unknown[]) =>
    thrown(() =>
      checkClassificationOptions(
        { yScore },
        { seen: [...new Set(yTrue)].sort((a, b) => a - b), labelType: 'number', n: yTrue.length },
        names,
        'scores',
      ),
    );

  const bad: [string, unknown, RegExp][] = [
    ['null', null, /row \d+ is null, not a row of probabilities/],
    ['a string of three characters', 'abc', /row \d+ is the string "abc", not a row/],
    ['an object with a length', { 0: 0.2, 1: 0.3, 2: 0.5, length: 3 }, /not a row of probab/],
    ['a DataView', new DataView(new ArrayBuffer(24)), /not a row of probabilities/],
    ['a short row', [0.5, 0.5], /has 2 probabilities for 3 classes \(0, 1, 2\)/],
    ['a long Float64Array', new Float64Array(4), /has 4 probabilities for 3 classes/],
    ['NaN', [0.2, Number.NaN, 0.5], /yScore\[\d+\]\[1\] is NaN/],
    ['Infinity in a Float64Array', Float64Array.of(0.2, 0.3, Infinity), /\[2\] is Infinity/],
    ['a string', [0.2, '0.3', 0.5], /\[1\] is the string "0.3"/],
    ['a hole', [0.2, , 0.5], /\[1\] is missing/], // eslint-disable-line no-sparse-arrays
    ['a BigInt64Array', new BigInt64Array(3), /\[0\] is the BigInt 0n/],
  ];
  it.each(bad)('rejects %s, first or later, as the separate check does', (_, row, message) => {
    const yTrue = [0, 1, 2, 0, 1, 2, 0, 1];
    for (const at of [0, 3, yTrue.length - 1]) {
      const yScore: unknown[] = yTrue.map(() => Float64Array.of(0.2, 0.3, 0.5));
      yScore[at] = row;
      // A later bad value too: the first bad row is the one named.
      if (at < yTrue.length - 1) yScore[yTrue.length - 1] = [Number.NaN, 0, 0];
      const error = thrown(() => classificationMetrics(yTrue, yTrue, { yScore: anything(yScore) }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ parameter: 'options.yScore' });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(new RegExp(`\\b(row )?${at}\\b|\\[${at}\\]`));
      expect((error as Error).message).toBe((separateCheck(yTrue, yScore) as Error).message);
    }
  });

  it('checks the rows where no ROC AUC is computed (a class absent from yTrue)', () => {
    // Class 2 is only predicted: ROC AUC is undefined, the rows are still read for the log loss.
    const yScore = [
      [0.2, 0.3, 0.5],
      [0.2, 0.3, Number.NaN],
    ];
    const error = thrown(() => classificationMetrics([0, 1], [2, 1], { yScore }));
    expect((error as Error).message).toMatch(/yScore\[1\]\[2\] is NaN/);
  });

  it('accepts negative and large decision-function rows', () => {
    const yScore = [
      [-3, 2.5, 1e300],
      [4, -1e-300, -0],
      [0, 0, 7],
    ];
    // One-vs-rest: 0, 0 and ½ (7 between -0 and 1e300).
    expect(classificationMetrics([0, 1, 2], [0, 1, 2], { yScore }).overall.roc_auc).toBe(1 / 6);
  });
});

describe('internal invariants', () => {
  it('compareLabels throws a plain Error, not a ValidationError, for labels of two types', () => {
    const labels: Label[] = ['a', 1];
    const error = thrown(() => labels.sort(compareLabels));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ValidationError);
  });
});

describe('describeValue', () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('no');
      },
    },
  );
  it.each<[string, unknown, RegExp]>([
    ['a BigInt', 10n, /^the BigInt 10n$/],
    ['a cycle', cycle, /no JSON form/],
    ['a proxy that throws', hostile, /no JSON form/],
    ['a symbol', Symbol('s'), /symbol \(s\)/],
    ['a long string', 'x'.repeat(500), /^the string "x{50,}\.\.\.$/],
  ])('describes %s without throwing', (_, value, description) => {
    expect(describeValue(value)).toMatch(description);
  });
});
