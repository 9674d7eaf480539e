import { describe, expect, it } from 'vitest';
import { classificationCurves } from '../../src/metrics/curves.js';
import { measureText } from '../../src/render/fonts.js';
import { renderPng } from '../../src/render/render-png.js';
import {
  calibrationSpec,
  formatScore,
  precisionRecallSpec,
  rocSpec,
} from '../../src/render/specs/classification-curves.js';
import { darkPixels, decodePng } from './png.js';
import { textBoxes, type TextBox } from './scene.js';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the specs are inspected as plain JSON data */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const asJson = (spec: unknown): Json => JSON.parse(JSON.stringify(spec));

/** A seeded run: `k` classes (names given), probabilities that favour the true class. */
function run(names: string[], n: number) {
  let state = 5;
  const next = () => ((state = (state * 1664525 + 1013904223) % 4294967296), state / 4294967296);
  const yTrue: string[] = [];
  const yScore: number[][] = [];
  for (let i = 0; i < n; i += 1) {
    const t = Math.floor(next() ** 1.4 * names.length);
    yTrue.push(names[t]!);
    const row = names.map((_, c) => next() + (c === t ? 0.9 : 0));
    const sum = row.reduce((a, b) => a + b, 0);
    yScore.push(row.map((v) => v / sum));
  }
  return { yTrue, yScore, classes: [...names].sort() };
}

const overlap = (a: TextBox, b: TextBox) =>
  a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

describe('ROC and precision–recall specs', () => {
  const names = Array.from(
    { length: 12 },
    (_, i) => `soil_texture_category_${String(i).padStart(2, '0')}_abcx`,
  );
  const { yTrue, yScore, classes } = run(names, 20_000);
  const curves = classificationCurves({ yTrue, yScore, classes });
  const input = { ...curves, rocAuc: 0.9123, title: 'soil · 1a2b3c4d' };

  it('draws one line per class (the 10 most frequent), each AUC in the legend, the macro AUC in the subtitle', () => {
    const spec = asJson(rocSpec(input));
    const [chance, lines] = spec.layer;
    expect(chance.mark).toMatchObject({ type: 'line', strokeDash: [5, 4] });
    expect(chance.data.values).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ]);
    const legend = lines.encoding.color.scale.domain as string[];
    expect(legend).toHaveLength(10);
    expect(legend).toEqual(
      curves.curves.map((curve) => `${String(curve.label)} (AUC ${formatScore(curve.rocAuc)})`),
    );
    expect(lines.encoding.order.field).toBe('index');
    // At most ~500 points per curve, whatever the samples.
    expect(lines.data.values.length).toBeLessThanOrEqual(10 * 502);
    const subtitle = JSON.stringify(spec.title.subtitle);
    expect(subtitle).toContain('macro AUC 0.912');
    expect(subtitle).toContain('10 most frequent of 12 classes');
  });

  it('draws precision–recall as steps, average precision in the legend; a binary run shows the chance level', () => {
    const spec = asJson(precisionRecallSpec(input));
    expect(spec.layer).toHaveLength(1); // no single chance level for one-vs-rest
    expect(spec.layer[0].mark.interpolate).toBe('step-before');
    expect(spec.layer[0].encoding.color.scale.domain[0]).toMatch(/ \(AP 0\.\d{3}\)$/);
    const binary = classificationCurves({
      yTrue: [0, 1, 1, 0, 1],
      yScore: [0.1, 0.8, 0.4, 0.5, 0.9],
      classes: [0, 1],
    });
    const two = asJson(precisionRecallSpec(binary));
    expect(two.layer[0].mark.type).toBe('rule');
    expect(two.layer[0].data.values).toEqual([{ y: 3 / 5 }]);
    expect(JSON.stringify(two.title)).toContain('positive class 1');
  });

  for (const [name, spec] of [
    ['ROC', rocSpec(input)],
    ['precision–recall', precisionRecallSpec(input)],
  ] as const) {
    it(`renders the ${name} plot with every legend entry whole and nothing over the axis labels`, async () => {
      const image = decodePng(await renderPng(spec, { scale: 1 }));
      const boxes = await textBoxes(spec);
      const legend = boxes.filter((box) => box.role === 'legend-label');
      expect(legend).toHaveLength(10);
      for (const entry of legend) {
        expect(entry.text).toMatch(/^soil_texture_category_\d\d_abcx \((AUC|AP) /);
        expect(entry.x2 - entry.x1).toBeCloseTo(measureText(entry.text, 11), 0);
        expect(entry.x2).toBeLessThanOrEqual(image.width);
        expect(darkPixels(image, entry)).toBeGreaterThan(10);
      }
      const labels = boxes.filter((box) => /axis-(label|title)/.test(box.role));
      for (const a of labels) {
        for (const b of labels)
          if (a !== b) expect(overlap(a, b), `${a.text} / ${b.text}`).toBe(false);
      }
    });
  }
});

describe('calibrationSpec', () => {
  it('plots each bin (mean predicted, fraction positive) against the diagonal, counts below', async () => {
    const { yTrue, yScore, classes } = run(['a', 'b', 'c'], 3000);
    const curves = classificationCurves({ yTrue, yScore, classes });
    const original = calibrationSpec({
      kind: curves.kind,
      calibration: curves.calibration,
      title: 't',
    });
    const spec = asJson(original);
    const [reliability, counts] = spec.vconcat;
    const points = reliability.layer[1];
    expect(points.data.values).toEqual(curves.calibration.bins);
    expect(points.encoding.y.title).toBe('Fraction correct');
    expect(counts.encoding).toMatchObject({ x: { field: 'lower' }, x2: { field: 'upper' } });
    expect(JSON.stringify(spec.title.subtitle)).toContain(
      `expected calibration error ${formatScore(curves.calibration.expectedCalibrationError)}`,
    );
    const image = decodePng(await renderPng(original, { scale: 1 }));
    expect(image.width).toBeGreaterThan(400);
  });
});

describe('formatScore', () => {
  it('writes three decimals, never rounding to 1 or 0 what is not', () => {
    expect([0.91234, 1, 0.9996, 0, 0.0004, 0.5].map(formatScore)).toEqual([
      '0.912',
      '1.000',
      '>0.999',
      '0.000',
      '<0.001',
      '0.500',
    ]);
  });
});
