import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { confusionMatrixSpec } from '../../src/render/specs/confusion-matrix.js';
import type { ConfusionCell } from '../../src/render/specs/confusion-matrix.js';
import {
  GRID_BINS,
  MAX_POINTS,
  predictedVsActualSpec,
  residualsSpec,
} from '../../src/render/specs/regression.js';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the specs are inspected as plain JSON data */
/** The spec as plain JSON data, the way tests inspect it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const asJson = (spec: unknown): Json => JSON.parse(JSON.stringify(spec));

function regression(n: number) {
  const yTrue = new Float64Array(n);
  const yPred = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    yTrue[i] = Math.sin(i) * 10 + 5;
    yPred[i] = yTrue[i]! * 1.5 + Math.cos(i * 7);
  }
  return { yTrue, yPred };
}

describe('confusionMatrixSpec', () => {
  const labels = ['cat', 'dog', 'bird'];
  const counts = [
    [8, 1, 1],
    [2, 6, 2],
    [0, 0, 10],
  ];

  it('draws a rect heatmap with the count in every cell, Actual down and Predicted across', () => {
    const spec = asJson(confusionMatrixSpec({ labels, counts, title: 'run 1' }));
    expect(spec.config.font).toBe('DejaVu Sans');
    expect(spec.title.text).toBe('run 1');
    expect(spec.encoding.x).toMatchObject({ field: 'predicted', title: 'Predicted', sort: labels });
    expect(spec.encoding.y).toMatchObject({ field: 'actual', title: 'Actual', sort: labels });
    const [rect, text] = spec.layer;
    expect(rect.mark.type).toBe('rect');
    expect(rect.encoding.color).toMatchObject({ field: 'value', type: 'quantitative' });
    expect(rect.encoding.color.legend).toBeDefined();
    expect(text.mark.type).toBe('text');
    expect(text.encoding.text.field).toBe('text');
    // Text colour contrasts with the cell: white on dark cells, near-black elsewhere.
    expect(text.encoding.color.condition).toEqual({ test: 'datum.value > 5', value: 'white' });
    const cells = spec.data.values as ConfusionCell[];
    expect(cells).toHaveLength(9);
    expect(cells.find((c) => c.actual === 'dog' && c.predicted === 'bird')).toMatchObject({
      count: 2,
      value: 2,
      text: '2',
    });
  });

  it('normalises each row to fractions of the actual class', () => {
    const spec = asJson(confusionMatrixSpec({ labels, counts, normalize: true }));
    const cells = spec.data.values as ConfusionCell[];
    expect(cells.find((c) => c.actual === 'cat' && c.predicted === 'cat')).toMatchObject({
      count: 8,
      value: 0.8,
      text: '80%',
    });
    expect(spec.layer[0].encoding.color.scale.domain).toEqual([0, 1]);
    expect(JSON.stringify(spec.title)).toContain('normalised');
  });

  it('turns numeric and boolean labels into axis text', () => {
    const spec = asJson(
      confusionMatrixSpec({
        labels: [false, true],
        counts: [
          [3, 1],
          [0, 4],
        ],
      }),
    );
    expect(spec.encoding.x.sort).toEqual(['false', 'true']);
  });

  it('keeps the 30 most frequent of 45 classes and says so in the title', () => {
    const k = 45;
    const names = Array.from({ length: k }, (_, i) => `c${i}`);
    // Class i has support i + 1: the 30 most frequent are c15…c44.
    const matrix = names.map((_, a) => names.map((__, p) => (a === p ? a + 1 : 0)));
    const spec = asJson(confusionMatrixSpec({ labels: names, counts: matrix }));
    expect(spec.encoding.x.sort).toEqual(names.slice(15));
    expect((spec.data.values as unknown[]).length).toBe(30 * 30);
    expect(JSON.stringify(spec.title)).toContain('30 most frequent actual classes of 45 shown');
    expect(spec.width).toBeLessThanOrEqual(600);
    const few = asJson(confusionMatrixSpec({ labels: names, counts: matrix, maxClasses: 5 }));
    expect(few.encoding.y.sort).toEqual(['c40', 'c41', 'c42', 'c43', 'c44']);
  });

  it('draws the same plot from sparse rows of non-zero cells as from the dense matrix', () => {
    // counts above without its zeros: cat → 0, 1, 2; dog → 0, 1, 2; bird → 2.
    const cells = {
      rowStart: [0, 3, 6, 7],
      predicted: [0, 1, 2, 0, 1, 2, 2],
      count: [8, 1, 1, 2, 6, 2, 10],
    };
    for (const normalize of [false, true]) {
      expect(confusionMatrixSpec({ labels, cells, normalize, title: 't' })).toEqual(
        confusionMatrixSpec({ labels, counts, normalize, title: 't' }),
      );
    }
  });

  it('lays out only the 30 most frequent actual classes of 10,000 sparse ones', () => {
    const k = 10_000;
    const names = Array.from({ length: k }, (_, i) => `class ${i}`);
    // Class i has i % 1000 samples, all on the diagonal but one, which goes to class 0.
    const rowStart = [0];
    const predicted: number[] = [];
    const count: number[] = [];
    for (let a = 0; a < k; a += 1) {
      const support = a % 1000;
      if (support > 1) {
        predicted.push(0, a);
        count.push(1, support - 1);
      } else if (support === 1) {
        predicted.push(a);
        count.push(1);
      }
      rowStart.push(predicted.length);
    }
    const spec = asJson(
      confusionMatrixSpec({
        labels: names,
        cells: { rowStart, predicted, count },
        normalize: true,
      }),
    );
    // The ten classes with 999 samples, then those with 998 and 997: 30 in label order.
    const top = Array.from({ length: k }, (_, i) => i)
      .filter((i) => i % 1000 >= 997)
      .map((i) => `class ${i}`);
    expect(spec.encoding.y.sort).toEqual(top);
    expect(spec.data.values).toHaveLength(30 * 30);
    expect(JSON.stringify(spec.title.subtitle)).toContain(
      '30 most frequent actual classes of 10,000',
    );
    const diagonal = (spec.data.values as ConfusionCell[]).find(
      (c) => c.actual === 'class 999' && c.predicted === 'class 999',
    );
    // Fractions of the whole row: the sample predicted as class 0 (not shown) still counts.
    expect(diagonal).toMatchObject({ count: 998, value: 998 / 999 });
  });

  it('rejects a matrix that does not match the labels', () => {
    expect(() => confusionMatrixSpec({ labels, counts: [[1, 2]] })).toThrow(ValidationError);
    expect(() => confusionMatrixSpec({ labels })).toThrow(/neither counts nor cells/);
    const cells = { rowStart: [0, 1, 1, 2], predicted: [0, 2], count: [1, 1] };
    expect(() => confusionMatrixSpec({ labels, counts, cells })).toThrow(/both/);
    expect(() =>
      confusionMatrixSpec({ labels, cells: { ...cells, rowStart: [0, 2, 1, 2] } }),
    ).toThrow(/row offsets/);
    expect(() => confusionMatrixSpec({ labels, cells: { ...cells, predicted: [0, 3] } })).toThrow(
      /not an index/,
    );
    expect(() =>
      confusionMatrixSpec({
        labels: [1, '1'],
        counts: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).toThrow(/same text/);
  });
});

describe('predictedVsActualSpec', () => {
  it('draws points and the y = x line on one shared domain', () => {
    const spec = asJson(predictedVsActualSpec({ ...regression(200), title: 'run 1' }));
    expect(spec.config.font).toBe('DejaVu Sans');
    const [points, line] = spec.layer;
    expect(points.mark.type).toBe('point');
    expect(points.data.values).toHaveLength(200);
    const xDomain = points.encoding.x.scale.domain as [number, number];
    expect(points.encoding.y.scale.domain).toEqual(xDomain);
    expect(points.encoding.x.title).toBe('Actual');
    expect(points.encoding.y.title).toBe('Predicted');
    // The domain covers both the true and the predicted values.
    const { yTrue, yPred } = regression(200);
    expect(xDomain[0]).toBeLessThanOrEqual(Math.min(...yTrue, ...yPred));
    expect(xDomain[1]).toBeGreaterThanOrEqual(Math.max(...yTrue, ...yPred));
    expect(line.mark.type).toBe('line');
    expect(line.data.values).toEqual([
      { x: xDomain[0], y: xDomain[0] },
      { x: xDomain[1], y: xDomain[1] },
    ]);
  });

  it(`keeps points up to ${MAX_POINTS} samples and bins above`, () => {
    const at = asJson(predictedVsActualSpec(regression(MAX_POINTS)));
    expect(at.layer[0].mark.type).toBe('point');
    const above = asJson(predictedVsActualSpec(regression(MAX_POINTS + 1)));
    const [grid] = above.layer;
    expect(grid.mark.type).toBe('rect');
    expect(grid.encoding.color.scale.type).toBe('log');
    const cells = grid.data.values as { count: number }[];
    expect(cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(MAX_POINTS + 1);
    expect(cells.every((cell) => cell.count > 0)).toBe(true);
  });

  it('stays bounded at a million samples', () => {
    const spec = asJson(predictedVsActualSpec(regression(1e6)));
    const total = (spec.layer as { data?: { values: unknown[] } }[]).reduce(
      (sum, layer) => sum + (layer.data?.values.length ?? 0),
      0,
    );
    expect(total).toBeLessThanOrEqual(GRID_BINS * GRID_BINS + 2);
    expect(JSON.stringify(spec).length).toBeLessThan(600_000);
    expect(JSON.stringify(spec.title)).toContain('1,000,000 samples');
  });

  it('skips non-finite pairs and rejects mismatched lengths', () => {
    const spec = asJson(predictedVsActualSpec({ yTrue: [1, NaN, 3], yPred: [1, 2, Infinity] }));
    expect(spec.layer[0].data.values).toEqual([{ x: 1, y: 1 }]);
    expect(() => predictedVsActualSpec({ yTrue: [1, 2], yPred: [1] })).toThrow(ValidationError);
  });
});

describe('residualsSpec', () => {
  it('plots predicted − actual against predicted, with a zero rule', () => {
    const spec = asJson(residualsSpec({ yTrue: [1, 2, 3], yPred: [2, 2, 1] }));
    const [points, rule] = spec.layer;
    expect(points.data.values).toEqual([
      { x: 2, y: 1 },
      { x: 2, y: 0 },
      { x: 1, y: -2 },
    ]);
    expect(points.encoding.x.title).toBe('Predicted');
    expect(points.encoding.y.title).toMatch(/^Residual/);
    const [lo, hi] = points.encoding.y.scale.domain as [number, number];
    expect(lo).toBeCloseTo(-hi);
    expect(rule.mark.type).toBe('rule');
    expect(rule.data.values).toEqual([{ y: 0 }]);
  });

  it('bins a million samples', () => {
    const spec = asJson(residualsSpec(regression(1e6)));
    expect(spec.layer[0].mark.type).toBe('rect');
    expect(spec.layer[0].data.values.length).toBeLessThanOrEqual(GRID_BINS * GRID_BINS);
  });
});
