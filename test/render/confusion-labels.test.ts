import { describe, expect, it } from 'vitest';
import { measureText } from '../../src/render/fonts.js';
import { renderPng } from '../../src/render/render-png.js';
import { confusionMatrixSpec, percentText } from '../../src/render/specs/confusion-matrix.js';
import { MAX_LABEL_WIDTH } from '../../src/render/specs/confusion-matrix.js';
import { darkPixels, decodePng } from './png.js';
import { textBoxes, type TextBox } from './scene.js';

/** `k` classes, diagonal-heavy counts. */
function matrix(names: string[]) {
  return names.map((_, a) => names.map((__, p) => (a === p ? 40 + a : (a * 7 + p * 3) % 5)));
}

const overlap = (a: TextBox, b: TextBox) =>
  a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

describe('confusion matrix labels', () => {
  // 20 classes of 29 characters: the plot used to clip them and draw the titles over them.
  const names = Array.from(
    { length: 20 },
    (_, i) => `soil_texture_category_${String(i).padStart(2, '0')}_abcx`,
  );

  it('draws 20 names of 29 characters whole, inside the image, with the axis titles clear of them', async () => {
    expect(names[0]).toHaveLength(29);
    for (const normalize of [false, true]) {
      const spec = confusionMatrixSpec({ labels: names, counts: matrix(names), normalize });
      const boxes = await textBoxes(spec);
      const labels = boxes.filter((box) => box.role === 'axis-label');
      const titles = boxes.filter((box) => box.role === 'axis-title');
      expect(titles.map((title) => title.text).sort()).toEqual(['Actual', 'Predicted']);
      // Every name is drawn on both axes, whole.
      expect(labels.map((label) => label.text).sort()).toEqual([...names, ...names].sort());
      const image = decodePng(await renderPng(spec, { scale: 1 }));
      for (const label of labels) {
        expect(label.x1, label.text).toBeGreaterThanOrEqual(0);
        expect(label.x2, label.text).toBeLessThanOrEqual(image.width);
        for (const title of titles)
          expect(overlap(label, title), `${title.text} over ${label.text}`).toBe(false);
      }
      // The y labels are as wide as the font makes them: nothing cut, nothing drawn past the box.
      const yLabel = labels.find((label) => label.y2 - label.y1 < 20)!;
      expect(yLabel.x2 - yLabel.x1).toBeCloseTo(measureText(yLabel.text, 11), 0);
      const left = { x1: 0, y1: yLabel.y1, x2: yLabel.x1 - 2, y2: yLabel.y2 };
      const title = titles.find((t) => t.text === 'Actual')!;
      const gap = { ...left, x1: title.x2 + 2 };
      expect(darkPixels(image, gap), 'ink between the Actual title and the labels').toBe(0);
    }
  });

  it('shortens names wider than the limit in the middle, keeps them distinct, and lists them in full', async () => {
    const long = Array.from(
      { length: 12 },
      (_, i) =>
        `a_really_long_class_name_from_some_ontology_${String(i).padStart(2, '0')}_with_a_suffix`,
    );
    const spec = confusionMatrixSpec({ labels: long, counts: matrix(long) });
    const boxes = await textBoxes(spec);
    const labels = boxes.filter((box) => box.role === 'axis-label');
    const shown = [...new Set(labels.map((label) => label.text))];
    expect(shown).toHaveLength(12);
    for (const text of shown) {
      expect(text).toMatch(/^a_really_long.*….*_with_a_suffix$/);
      expect(measureText(text, 11)).toBeLessThanOrEqual(MAX_LABEL_WIDTH);
    }
    const key = boxes.filter((box) => box.role === 'mark' && box.text.includes(' = '));
    expect(key.map((line) => line.text.split(' = ')[1]?.trim())).toEqual(long);
    const title = boxes.find((box) => box.text === 'Actual')!;
    for (const label of labels) expect(overlap(label, title)).toBe(false);
    // Names that fit stay as they are, with no key.
    const plain = confusionMatrixSpec({ labels: names, counts: matrix(names) }) as object;
    expect(plain).not.toHaveProperty('vconcat');
  });

  it('shows the normalised matrix in percentages, in the cells and in the legend alike', () => {
    const spec = confusionMatrixSpec({
      labels: ['a', 'b'],
      counts: [
        [17, 3],
        [1, 999],
      ],
      normalize: true,
    }) as unknown as {
      data: { values: { text: string }[] };
      layer: { encoding: { color: { legend?: { format?: string } } } }[];
    };
    expect(spec.data.values.map((cell) => cell.text)).toEqual(['85%', '15%', '<1%', '>99%']);
    expect(spec.layer[0]!.encoding.color.legend?.format).toBe('.0%');
    expect([0, 1, 0.004, 0.005, 0.994, 0.995, 0.5].map(percentText)).toEqual([
      '0%',
      '100%',
      '<1%',
      '1%',
      '99%',
      '>99%',
      '50%',
    ]);
  });
});
