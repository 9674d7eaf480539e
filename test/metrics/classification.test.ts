import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { toConfusionMatrix } from '../../src/metrics/confusion.js';
import { compareLabels } from '../../src/metrics/_labels.js';
import { rocAuc } from '../../src/metrics/_auc.js';
import { sortByHighWord } from '../../src/metrics/_sort.js';
import type { ClassificationOverall, Label } from '../../src/metrics/types.js';
import { classificationFixtures, expectClose } from './fixtures.js';

const fixtures = classificationFixtures();
const METRICS: (keyof ClassificationOverall)[] = [
  'overall_accuracy',
  'balanced_accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'f1_weighted',
  'true_positive_rate',
  'true_negative_rate',
  'mcc',
  'cohen_kappa',
  'log_loss',
  'roc_auc',
  'n_classes',
];

/** A small deterministic generator (the tests must not depend on Math.random). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe(`classificationMetrics agrees with scikit-learn ${fixtures.sklearn}`, () => {
  it('has fixtures for every kind of run', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const fixture of fixtures.cases) {
    describe(fixture.name, () => {
      const scores = classificationMetrics(fixture.yTrue, fixture.yPred, fixture.options);

      it('overall metrics', () => {
        for (const metric of METRICS) {
          expectClose(scores.overall[metric], fixture.expected.overall[metric] ?? null, metric);
        }
      });

      it('classes, per-class scores and confusion counts', () => {
        expect(scores.classes).toEqual(fixture.expected.classes);
        expect(scores.confusion).toEqual(fixture.expected.confusion);
        expect(scores.perClass.map((entry) => entry.label)).toEqual(fixture.expected.classes);
        scores.perClass.forEach((entry, c) => {
          const expected = fixture.expected.perClass[c];
          expect(expected).toBeDefined();
          if (expected === undefined) return;
          expect(entry.support).toBe(expected.support);
          for (const key of ['precision', 'recall', 'f1'] as const) {
            expectClose(entry[key], expected[key], `${String(entry.label)} ${key}`);
          }
        });
      });
    });
  }

  it('gives the same results for typed arrays', () => {
    const fixture = fixtures.cases.find((c) => c.name === 'multiclass integers, rows with ties');
    expect(fixture).toBeDefined();
    if (fixture === undefined) return;
    const rows = (fixture.options.yScore as number[][]).map((row) => Float64Array.from(row));
    const typed = classificationMetrics(
      Int32Array.from(fixture.yTrue as number[]),
      Float64Array.from(fixture.yPred as number[]),
      { yScore: rows },
    );
    expect(typed).toEqual(classificationMetrics(fixture.yTrue, fixture.yPred, fixture.options));
  });
});

describe('classificationMetrics, hand-checked', () => {
  // TP = 3, FN = 1, FP = 2, TN = 4.
  const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const yPred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];

  it('computes a 2×2 worked example', () => {
    const { overall, perClass, confusion, classes } = classificationMetrics(yTrue, yPred);
    expect(classes).toEqual([0, 1]);
    expect(confusion).toEqual({
      labels: [0, 1],
      counts: [
        [4, 2],
        [1, 3],
      ],
    });
    expect(
      perClass.map(({ label, precision, recall, support }) => ({
        label,
        precision,
        recall,
        support,
      })),
    ).toEqual([
      { label: 0, precision: 4 / 5, recall: 4 / 6, support: 6 },
      { label: 1, precision: 3 / 5, recall: 3 / 4, support: 4 },
    ]);
    expect(perClass[0]?.f1).toBeCloseTo(8 / 11, 15);
    expect(perClass[1]?.f1).toBeCloseTo(2 / 3, 15);
    expect(overall.overall_accuracy).toBe(0.7);
    expect(overall.balanced_accuracy).toBeCloseTo(17 / 24, 15);
    expect(overall.precision_macro).toBeCloseTo(0.7, 15);
    expect(overall.recall_macro).toBeCloseTo(17 / 24, 15);
    expect(overall.f1_macro).toBeCloseTo(23 / 33, 15);
    expect(overall.f1_weighted).toBeCloseTo(116 / 165, 15);
    expect(overall.true_positive_rate).toBe(0.75);
    expect(overall.true_negative_rate).toBeCloseTo(2 / 3, 15);
    // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 10 / √600
    expect(overall.mcc).toBeCloseTo(1 / Math.sqrt(6), 15);
    // p_o = 0.7, p_e = 0.5·0.4 + 0.5·0.6 = 0.5
    expect(overall.cohen_kappa).toBeCloseTo(0.4, 15);
    expect(overall.n_classes).toBe(2);
    expect(overall.log_loss).toBeUndefined();
    expect(overall.roc_auc).toBeUndefined();
  });

  it('swaps the rates with positiveLabel', () => {
    const { overall } = classificationMetrics(yTrue, yPred, { positiveLabel: 0 });
    expect(overall.true_positive_rate).toBeCloseTo(2 / 3, 15);
    expect(overall.true_negative_rate).toBe(0.75);
  });

  it("matches scikit-learn's documented log_loss and roc_auc examples", () => {
    const spam = classificationMetrics(
      ['spam', 'ham', 'ham', 'spam'],
      ['spam', 'ham', 'ham', 'spam'],
      {
        yScore: [
          [0.1, 0.9],
          [0.9, 0.1],
          [0.8, 0.2],
          [0.35, 0.65],
        ],
      },
    );
    const expected = -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4;
    expect(spam.overall.log_loss).toBeCloseTo(expected, 15); // 0.21616…
    const auc = classificationMetrics([0, 0, 1, 1], [0, 1, 0, 1], {
      yScore: [0.1, 0.4, 0.35, 0.8],
    });
    expect(auc.overall.roc_auc).toBe(0.75);
  });

  it('counts tied scores as one half', () => {
    const { overall } = classificationMetrics([0, 1, 0, 1], [0, 1, 1, 0], {
      yScore: [0.5, 0.5, 0.5, 0.5],
    });
    expect(overall.roc_auc).toBe(0.5);
  });

  it('handles scores that are not probabilities (negative, -0) in roc_auc', () => {
    // Positives score {0, 2}, negatives {-0, -1}: pairs 0.5 + 1 + 1 + 1 of 4.
    const { overall } = classificationMetrics([0, 1, 0, 1], [0, 1, 0, 1], {
      yScore: [
        [1, -0],
        [1, 0],
        [2, -1],
        [-1, 2],
      ],
    });
    expect(overall.roc_auc).toBe(0.875);
  });

  it('clips probabilities of 0 and 1 like scikit-learn', () => {
    const { overall } = classificationMetrics([0, 1], [0, 0], { yScore: [0, 0] });
    // -(log(1 - eps) + log(eps)) / 2
    expect(overall.log_loss).toBeCloseTo(-Math.log(Number.EPSILON) / 2, 12);
  });

  it('uses the positive column of probability rows in a binary run with extra model classes', () => {
    const { overall } = classificationMetrics(['a', 'b', 'a', 'b'], ['a', 'b', 'b', 'b'], {
      classes: ['c', 'b', 'a'],
      yScore: [
        [0.1, 0.2, 0.7],
        [0.1, 0.6, 0.3],
        [0.0, 0.5, 0.5],
        [0.3, 0.4, 0.3],
      ],
    });
    expect(overall.n_classes).toBe(2);
    // Positive 'b' scores {0.6, 0.4} vs 'a' {0.2, 0.5}: 1 + 1 + 1 + 0 of 4.
    expect(overall.roc_auc).toBe(0.75);
    expect(overall.log_loss).toBeCloseTo(
      -(Math.log(0.7) + Math.log(0.6) + Math.log(0.5) + Math.log(0.4)) / 4,
      12,
    );
  });

  it('ignores positiveLabel for multiclass runs', () => {
    const yT = ['a', 'b', 'c', 'a'];
    const yP = ['a', 'c', 'c', 'b'];
    expect(classificationMetrics(yT, yP, { positiveLabel: 'a' })).toEqual(
      classificationMetrics(yT, yP),
    );
  });

  it('agrees with ml-confusion-matrix on the one-vs-rest rates', () => {
    const fixture = fixtures.cases.find(
      (c) => c.name === 'multiclass strings, absent classes, rows in caller order',
    );
    expect(fixture).toBeDefined();
    if (fixture === undefined) return;
    const scores = classificationMetrics(fixture.yTrue, fixture.yPred);
    const cm = toConfusionMatrix(scores.confusion);
    const defined = (values: number[]) => values.filter((v) => Number.isFinite(v));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(scores.overall.true_positive_rate).toBeCloseTo(
      mean(defined(scores.classes.map((label) => cm.getTruePositiveRate(label)))),
      14,
    );
    expect(scores.overall.true_negative_rate).toBeCloseTo(
      mean(defined(scores.classes.map((label) => cm.getTrueNegativeRate(label)))),
      14,
    );
    expect(cm.getAccuracy()).toBeCloseTo(scores.overall.overall_accuracy ?? NaN, 15);
  });

  it('matches a brute-force pairwise ROC AUC on larger data with many ties', () => {
    const random = generator(7);
    const n = 6000;
    const yT: number[] = [];
    const yP: number[] = [];
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) {
      const t = Math.floor(random() * 3);
      yT.push(t);
      yP.push(random() < 0.6 ? t : Math.floor(random() * 3));
      // Coarse values (many ties, long runs) for class 0, fine ones for the others.
      const a = Math.round(random() * 4) / 8 + (t === 0 ? 0.25 : 0);
      const b = random() * (1 - a);
      rows.push([a, b, 1 - a - b]);
    }
    const { overall } = classificationMetrics(yT, yP, { yScore: rows });
    let sum = 0;
    for (let c = 0; c < 3; c++) {
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++) {
        if (yT[i] !== c) continue;
        for (let j = 0; j < n; j++) {
          if (yT[j] === c) continue;
          const si = rows[i]![c]!;
          const sj = rows[j]![c]!;
          wins += si > sj ? 1 : si === sj ? 0.5 : 0;
          pairs++;
        }
      }
      sum += wins / pairs;
    }
    expect(overall.roc_auc).toBeCloseTo(sum / 3, 12);
  });

  it('sorts labels like NumPy: numbers numerically, strings by code point, false < true', () => {
    expect([10, -1, 2, 1.5].sort(compareLabels)).toEqual([-1, 1.5, 2, 10]);
    expect(['b', 'a', '😀', '\uffff', 'B', 'é'].sort(compareLabels)).toEqual([
      'B',
      'a',
      'b',
      'é',
      '\uffff',
      '😀',
    ]);
    expect([true, false].sort(compareLabels)).toEqual([false, true]);
    expect(classificationMetrics([2, 10, 2], [10, 2, 1]).classes).toEqual([1, 2, 10]);
  });

  it('rejects inputs that do not fit together', () => {
    expect(() => classificationMetrics([1, 'a'] as Label[], [1, 'a'] as Label[])).toThrow(
      ValidationError,
    );
    expect(() =>
      classificationMetrics(['a', 'b', 'c'], ['a', 'b', 'c'], { yScore: [0.1, 0.5, 0.9] }),
    ).toThrow(/one probability per sample/);
    expect(() =>
      classificationMetrics(['a', 'b'], ['a', 'b'], {
        yScore: [
          [0.5, 0.5],
          [0.2, 0.3, 0.5],
        ],
      }),
    ).toThrow(/row 1 has 3 probabilities/);
    expect(() =>
      classificationMetrics(['a', 'b', 'c'], ['a', 'b', 'c'], {
        classes: ['a', 'b'],
        yScore: [
          [0.5, 0.5],
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      }),
    ).toThrow(/options\.classes: it lacks the label "c", which occurs in yTrue or yPred/);
    expect(() => classificationMetrics(['a', 'b'], ['a', 'b'], { positiveLabel: 'z' })).toThrow(
      /z is not one of the classes/,
    );
  });
});

describe('rocAuc and its radix sort', () => {
  const random = generator(11);
  const distributions: [string, () => number][] = [
    ['uniform', () => random()],
    ['rounded (long runs of equal values)', () => Math.round(random() * 20) / 20],
    ['narrow (one high word for all)', () => 0.5 + random() * 1e-9],
    ['short runs sharing a high word', () => 0.5 + random() * 5e-3],
    ['medium runs sharing a high word', () => 0.5 + random() * 2e-5],
    [
      'zeros, subnormals, ones',
      () => [0, 5e-324, 1e-310, 1, 1e-300][Math.floor(random() * 5)] ?? 0,
    ],
  ];

  function bruteForce(pos: Float64Array, neg: Float64Array): number {
    let wins = 0;
    for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
    return wins / pos.length / neg.length;
  }

  for (const [name, draw] of distributions) {
    it(`sorts ${name} by high word`, () => {
      const values = Float64Array.from({ length: 20000 }, draw);
      const expected = Float64Array.from(values).sort();
      sortByHighWord(values, new Float64Array(values.length));
      const words = new Uint32Array(values.buffer);
      for (let i = 1; i < values.length; i++) {
        expect(words[2 * i + 1]! >= words[2 * i - 1]!).toBe(true);
      }
      expect(Float64Array.from(values).sort()).toEqual(expected);
    });

    it(`computes the exact ROC AUC of ${name}`, () => {
      const n = 3000;
      const positives = 700;
      const values = Float64Array.from({ length: n }, draw);
      const expected = bruteForce(values.slice(0, positives), values.slice(positives));
      expect(rocAuc(values, positives, new Float64Array(n), true)).toBe(expected);
    });
  }

  it('gives 1 for perfectly separated scores and 0 for reversed ones', () => {
    expect(rocAuc(Float64Array.of(0.9, 0.8, 0.1, 0.2), 2, new Float64Array(4), true)).toBe(1);
    expect(rocAuc(Float64Array.of(0.1, 0.2, 0.9, 0.8), 2, new Float64Array(4), true)).toBe(0);
  });
});
