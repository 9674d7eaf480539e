import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/metrics/classification.js';
import {
  MAX_CURVE_POINTS,
  binaryCurves,
  calibrationCurve,
  classificationCurves,
  type CurvePoints,
} from '../../src/metrics/curves.js';

interface Reference {
  roc: { x: number[]; y: number[] };
  rocAuc: number;
  precisionRecall: { x: number[]; y: number[] };
  averagePrecision: number;
}
interface Fixtures {
  cases: [
    Reference & {
      yTrue: number[];
      yScore: number[];
      calibration: { fractionPositive: number[]; meanPredicted: number[] };
    },
    Reference & {
      yTrue: number[];
      yScore: number[];
      calibration: { fractionPositive: number[]; meanPredicted: number[] };
    },
    {
      yTrue: string[];
      yScore: number[][];
      classes: string[];
      perClass: (Reference & { label: string })[];
      macroRocAuc: number;
      topLabelCalibration: { fractionPositive: number[]; meanPredicted: number[] };
    },
  ];
}

/** scikit-learn's values (scripts/make-curve-fixtures.py). */
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/curves/curves.json', import.meta.url), 'utf8'),
) as Fixtures;

function expectCurve(actual: CurvePoints, expected: { x: number[]; y: number[] }) {
  expect(actual.x.length).toBe(expected.x.length);
  actual.x.forEach((value, k) => {
    expect(value).toBeCloseTo(expected.x[k]!, 12);
  });
  actual.y.forEach((value, k) => {
    expect(value).toBeCloseTo(expected.y[k]!, 12);
  });
}

const sortedUnique = <T extends string | number>(values: T[]) =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('classificationCurves: binary, against scikit-learn', () => {
  for (const reference of fixtures.cases.slice(0, 2) as Fixtures['cases'][0][]) {
    it(`${JSON.stringify((reference as { name?: string }).name)}: ROC, precision–recall, areas and calibration`, () => {
      const { yTrue, yScore } = reference;
      const curves = classificationCurves({ yTrue, yScore, classes: sortedUnique(yTrue) });
      expect(curves.kind).toBe('binary');
      const [curve] = curves.curves;
      expect(curve?.label).toBe(1);
      expectCurve(curve!.roc, reference.roc);
      expectCurve(curve!.precisionRecall, reference.precisionRecall);
      expect(curve!.rocAuc).toBeCloseTo(reference.rocAuc, 14);
      expect(curve!.averagePrecision).toBeCloseTo(reference.averagePrecision, 14);
      // The legend's AUC is the tracker's roc_auc to the last bit.
      expect(curve!.rocAuc).toBe(classificationMetrics(yTrue, yTrue, { yScore }).overall.roc_auc);
      const bins = curves.calibration.bins;
      expect(bins.map((bin) => bin.fractionPositive)).toEqual(
        reference.calibration.fractionPositive,
      );
      bins.forEach((bin, b) => {
        expect(bin.meanPredicted).toBeCloseTo(reference.calibration.meanPredicted[b]!, 14);
      });
      expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(yTrue.length);
    });
  }

  it('takes the named positive class, from a column of a two-column yScore too', () => {
    const yTrue = ['no', 'yes', 'no', 'yes', 'no'];
    const positive = [0.2, 0.9, 0.6, 0.4, 0.1];
    const rows = positive.map((p) => [1 - p, p]);
    const byColumn = classificationCurves({ yTrue, yScore: rows, classes: ['no', 'yes'] });
    const negated = classificationCurves({
      yTrue,
      yScore: rows.map(([no]) => no!),
      classes: ['no', 'yes'],
      positiveLabel: 'no',
    });
    expect(byColumn.curves[0]?.label).toBe('yes');
    expect(negated.curves[0]?.label).toBe('no');
    // "no" scored by its own probability ranks the samples as "yes" does: the same area.
    expect(negated.curves[0]?.rocAuc).toBeCloseTo(byColumn.curves[0]!.rocAuc, 15);
    expect(byColumn.curves[0]?.rocAuc).toBe(
      classificationMetrics(yTrue, yTrue, { yScore: rows }).overall.roc_auc,
    );
  });

  it('has no curve when yTrue holds one class only', () => {
    expect(binaryCurves(Float64Array.of(0.3, 0.2), new Float64Array(0))).toBeUndefined();
    const curves = classificationCurves({
      yTrue: [1, 1],
      yScore: [0.3, 0.8],
      classes: [1],
      positiveLabel: 1,
      columns: [0, 1],
    });
    expect(curves.curves).toEqual([]);
    expect(curves.calibration.bins.map((bin) => bin.fractionPositive)).toEqual([1, 1]);
  });
});

describe('classificationCurves: four classes, one-vs-rest, against scikit-learn', () => {
  const reference = fixtures.cases[2];
  const curves = classificationCurves({
    yTrue: reference.yTrue,
    yScore: reference.yScore,
    classes: reference.classes,
  });

  it('draws one curve per class with its AUC and average precision', () => {
    expect(curves.kind).toBe('multiclass');
    expect(curves.curves.map((curve) => curve.label)).toEqual(reference.classes);
    curves.curves.forEach((curve, c) => {
      const expected = reference.perClass[c]!;
      expectCurve(curve.roc, expected.roc);
      expectCurve(curve.precisionRecall, expected.precisionRecall);
      expect(curve.rocAuc).toBeCloseTo(expected.rocAuc, 14);
      expect(curve.averagePrecision).toBeCloseTo(expected.averagePrecision, 14);
    });
  });

  it('has class AUCs whose mean is the roc_auc metric (one-vs-rest, macro)', () => {
    const mean = curves.curves.reduce((sum, curve) => sum + curve.rocAuc, 0) / curves.curves.length;
    expect(mean).toBeCloseTo(reference.macroRocAuc, 14);
    const metric = classificationMetrics(reference.yTrue, reference.yTrue, {
      yScore: reference.yScore,
    }).overall.roc_auc;
    expect(mean).toBe(metric);
  });

  it('calibrates the top-label confidence', () => {
    const bins = curves.calibration.bins;
    expect(bins.map((bin) => bin.fractionPositive)).toEqual(
      reference.topLabelCalibration.fractionPositive,
    );
    bins.forEach((bin, b) => {
      expect(bin.meanPredicted).toBeCloseTo(reference.topLabelCalibration.meanPredicted[b]!, 14);
    });
  });

  it('draws at most maxClasses classes, the most frequent', () => {
    const capped = classificationCurves({
      yTrue: reference.yTrue,
      yScore: reference.yScore,
      classes: reference.classes,
      maxClasses: 2,
    });
    const support = (label: string) => reference.yTrue.filter((t) => t === label).length;
    const top = [...reference.classes].sort((a, b) => support(b) - support(a)).slice(0, 2);
    expect(capped.curves.map((curve) => curve.label)).toEqual(
      reference.classes.filter((label) => top.includes(label)),
    );
    expect(capped.classesWithCurves).toBe(4);
  });
});

describe('curves of many samples', () => {
  /** A seeded generator, so the data are the same on every run. */
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1664525 + 1013904223) % 4294967296;
      return state / 4294967296;
    };
  }
  function sample(n: number) {
    const next = random(7);
    const yTrue = new Array<number>(n);
    const yScore = new Float64Array(n);
    for (let k = 0; k < n; k += 1) {
      yTrue[k] = next() < 0.3 ? 1 : 0;
      // Noisy but informative scores, with some ties (five decimals).
      yScore[k] = Math.round((0.3 * yTrue[k]! + 0.7 * next()) * 1e5) / 1e5;
    }
    return { yTrue, yScore };
  }

  it('keeps the shape: every point of the full curve is within one step of a point drawn', () => {
    const { yTrue, yScore } = sample(100_000);
    const input = { yTrue, yScore, classes: [0, 1] };
    const full = classificationCurves({ ...input, maxPoints: Infinity }).curves[0]!;
    const drawn = classificationCurves(input).curves[0]!;
    expect(full.roc.x.length).toBeGreaterThan(20_000);
    for (const [all, kept] of [
      [full.roc, drawn.roc],
      [full.precisionRecall, drawn.precisionRecall],
    ] as const) {
      expect(kept.x.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 2);
      let length = 0;
      for (let k = 1; k < all.x.length; k += 1) {
        length += Math.hypot(all.x[k]! - all.x[k - 1]!, all.y[k]! - all.y[k - 1]!);
      }
      const step = length / MAX_CURVE_POINTS;
      // Both are in drawing order: walk them together.
      let at = 0;
      let worst = 0;
      for (let k = 0; k < all.x.length; k += 1) {
        const distance = (j: number) => Math.hypot(all.x[k]! - kept.x[j]!, all.y[k]! - kept.y[j]!);
        while (at + 1 < kept.x.length && distance(at + 1) <= distance(at)) at += 1;
        worst = Math.max(worst, distance(at));
      }
      expect(worst).toBeLessThanOrEqual(step);
      expect([kept.x[0], kept.y[0], kept.x.at(-1), kept.y.at(-1)]).toEqual([
        all.x[0],
        all.y[0],
        all.x.at(-1),
        all.y.at(-1),
      ]);
    }
    expect(drawn.rocAuc).toBe(full.rocAuc);
    expect(drawn.averagePrecision).toBe(full.averagePrecision);
  });

  it('draws a million samples in at most 500 points, with the exact AUC of the metrics', () => {
    const { yTrue, yScore } = sample(1_000_000);
    const curves = classificationCurves({ yTrue, yScore, classes: [0, 1] });
    const [curve] = curves.curves;
    expect(curve!.roc.x.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 2);
    expect(curve!.precisionRecall.x.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 2);
    expect(curve!.rocAuc).toBe(classificationMetrics(yTrue, yTrue, { yScore }).overall.roc_auc);
    expect(curves.calibration.samples).toBe(1_000_000);
  });
});

describe('calibrationCurve', () => {
  it('bins (lower, upper], the first bin from 0, and says how far off the probabilities are', () => {
    const calibration = calibrationCurve([0, 0.1, 0.15, 0.2, 1], [0, 1, 0, 1, 1]);
    expect(calibration.bins.map(({ lower, upper, count }) => [lower, upper, count])).toEqual([
      [0, 0.1, 2],
      [0.1, 0.2, 2],
      [0.9, 1, 1],
    ]);
    // |0.5 − 0.05| × 2/5 + |0.5 − 0.175| × 2/5 + 0
    expect(calibration.expectedCalibrationError).toBeCloseTo(0.45 * 0.4 + 0.325 * 0.4, 15);
  });
});
