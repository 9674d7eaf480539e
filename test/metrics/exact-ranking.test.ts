import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { rocAuc } from '../../src/metrics/_auc.js';
import { sortByHighWord, sortRange } from '../../src/metrics/_sort.js';

/**
 * The fast ROC AUC (radix passes on the float bits, rows read into reused buffers) against the
 * comparison-sort implementation it replaced, on many random inputs built to hit the hard cases:
 * ties, -0 and +0, subnormals, exact 0 and 1, values sharing their high 32 bits, and one score
 * shared by several classes of a row. The results must be equal to the last bit, not close.
 */

/** A small deterministic generator (the tests must not depend on Math.random). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Draws scores from a pool of hard values, or from a continuous range, or near one value. */
function scoreDraw(random: () => number): () => number {
  const hard = [
    0,
    -0,
    1,
    5e-324,
    1e-310,
    2.2250738585072014e-308,
    0.5,
    0.5 + 2 ** -40,
    1 - 2 ** -53,
  ];
  const mode = Math.floor(random() * 4);
  return () => {
    if (mode === 0 || random() < 0.3) return hard[Math.floor(random() * hard.length)]!;
    if (mode === 1) return Math.round(random() * 10) / 10; // long runs of ties
    if (mode === 2) return 0.25 + random() * 1e-7; // one high word for many values
    return random();
  };
}

/** The old implementation: a comparison sort of each group, then one merge. */
function referenceAuc(pos: number[], neg: number[]): number {
  const p = Float64Array.from(pos, (v) => v + 0).sort();
  const q = Float64Array.from(neg, (v) => v + 0).sort();
  let area = 0;
  let below = 0;
  let i = 0;
  while (i < p.length) {
    const v = p[i]!;
    let run = i + 1;
    while (run < p.length && p[run] === v) run++;
    while (below < q.length && q[below]! < v) below++;
    let equal = below;
    while (equal < q.length && q[equal] === v) equal++;
    area += (run - i) * (below + (equal - below) / 2);
    below = equal;
    i = run;
  }
  return area / p.length / q.length;
}

/** scikit-learn's log_loss as the old code summed it (clipping with comparisons). */
function referenceLogLoss(rows: number[][], trueColumn: number[]): number {
  const eps = Number.EPSILON;
  const clip = (p: number) => (p < eps ? eps : p > 1 - eps ? 1 - eps : p);
  let total = 0;
  rows.forEach((row, i) => {
    let sum = 0;
    for (const p of row) sum += clip(p);
    total -= Math.log(clip(row[trueColumn[i]!]!) / sum);
  });
  return total / rows.length;
}

describe('the radix ranking', () => {
  it('orders values like the comparison sort once runs sharing a high word are sorted', () => {
    const random = generator(1);
    for (let trial = 0; trial < 400; trial++) {
      const draw = scoreDraw(random);
      const length = 1 + Math.floor(random() * (trial < 200 ? 80 : 3000));
      const values = Float64Array.from({ length }, () => draw() + 0);
      const expected = Float64Array.from(values).sort();
      sortByHighWord(values, new Float64Array(length));
      const words = new Uint32Array(values.buffer);
      let start = 0;
      for (let i = 1; i <= length; i++) {
        if (i === length || words[2 * i + 1] !== words[2 * start + 1]) {
          sortRange(values, start, i);
          start = i;
        }
      }
      expect(values, `trial ${trial}, ${length} values`).toEqual(expected);
    }
  });

  it('gives the comparison-sort ROC AUC to the last bit', () => {
    const random = generator(2);
    for (let trial = 0; trial < 400; trial++) {
      const draw = scoreDraw(random);
      const n = 2 + Math.floor(random() * (trial < 200 ? 70 : 4000));
      const positives = 1 + Math.floor(random() * (n - 1));
      const values = Float64Array.from({ length: n }, () => draw() + 0);
      const expected = referenceAuc(
        Array.from(values.subarray(0, positives)),
        Array.from(values.subarray(positives)),
      );
      expect(rocAuc(values, positives, new Float64Array(n), true), `trial ${trial}`).toBe(expected);
    }
  });
});

describe('classificationMetrics with probability rows', () => {
  it('gives the old log loss and one-vs-rest ROC AUC to the last bit, for arrays and Float64Arrays', () => {
    const random = generator(3);
    for (let trial = 0; trial < 60; trial++) {
      const classes = 2 + Math.floor(random() * 6);
      const n = classes + Math.floor(random() * (trial < 30 ? 60 : 5000));
      const draw = scoreDraw(random);
      const yTrue: number[] = [];
      const yPred: number[] = [];
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) {
        // Every class in yTrue (and so each column scored), in a shuffled order.
        const t = i < classes ? i : Math.floor(random() * classes);
        yTrue.push(t);
        yPred.push(Math.floor(random() * classes));
        const row = Array.from({ length: classes }, draw);
        // The same score for several classes of a row.
        if (random() < 0.2) row[(t + 1) % classes] = row[t]!;
        rows.push(row);
      }
      let aucSum = 0;
      for (let c = 0; c < classes; c++) {
        const pos = rows.filter((_, i) => yTrue[i] === c).map((row) => row[c]!);
        const neg = rows.filter((_, i) => yTrue[i] !== c).map((row) => row[c]!);
        aucSum += referenceAuc(pos, neg);
      }
      const expectedAuc =
        classes === 2
          ? referenceAuc(
              rows.filter((_, i) => yTrue[i] === 1).map((row) => row[1]!),
              rows.filter((_, i) => yTrue[i] !== 1).map((row) => row[1]!),
            )
          : aucSum / classes;
      const expectedLoss = referenceLogLoss(rows, yTrue);
      for (const yScore of [rows, rows.map((row) => Float64Array.from(row))]) {
        const { overall } = classificationMetrics(yTrue, yPred, { yScore });
        expect(overall.roc_auc, `trial ${trial}: roc_auc`).toBe(expectedAuc);
        expect(overall.log_loss, `trial ${trial}: log_loss`).toBe(expectedLoss);
      }
    }
  });

  it('gives the same results when called again (the reused buffers hold the last call)', () => {
    const random = generator(4);
    const run = (n: number) => {
      const yTrue = Array.from({ length: n }, (_, i) => i % 3);
      const rows = yTrue.map(() => [random(), random(), random()]);
      return { yTrue, rows };
    };
    const big = run(3000);
    const small = run(40);
    const first = classificationMetrics(small.yTrue, small.yTrue, { yScore: small.rows }).overall;
    classificationMetrics(big.yTrue, big.yTrue, { yScore: big.rows });
    expect(classificationMetrics(small.yTrue, small.yTrue, { yScore: small.rows }).overall).toEqual(
      first,
    );
  });
});
