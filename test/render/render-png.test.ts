import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { MlTrackingError, RenderError } from '../../src/errors.js';
import { measureText } from '../../src/render/fonts.js';
import { renderPng, resvgOptions, specToSvg } from '../../src/render/render-png.js';
import { confusionMatrixSpec } from '../../src/render/specs/confusion-matrix.js';
import { predictedVsActualSpec, residualsSpec } from '../../src/render/specs/regression.js';
import { darkPixels, decodePng } from './png.js';
import type { Image } from './png.js';
import { textBoxes } from './scene.js';
import type { TextBox } from './scene.js';

const confusion = confusionMatrixSpec({
  labels: ['setosa', 'versicolor', 'virginica'],
  counts: [
    [50, 0, 0],
    [0, 47, 3],
    [0, 2, 48],
  ],
  title: 'iris · 1a2b3c4d',
});

function regression(n: number) {
  const yTrue = Array.from({ length: n }, (_, i) => 20 + 10 * Math.sin(i));
  const yPred = yTrue.map((y, i) => y + 3 * Math.cos(i * 3));
  return { yTrue, yPred };
}

/** The device-pixel box of a text item at the given scale, grown by a pixel for antialiasing. */
function scaled(box: TextBox, scale: number) {
  return {
    x1: box.x1 * scale - 1,
    y1: box.y1 * scale - 1,
    x2: box.x2 * scale + 1,
    y2: box.y2 * scale + 1,
  };
}

/** The same SVG rasterised with no font at all: resvg then drops every text. */
function withoutFonts(svg: string, scale: number): Image {
  const rendered = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: [] },
  }).render();
  return { width: rendered.width, height: rendered.height, pixels: rendered.pixels };
}

describe('renderPng', () => {
  it('loads only the bundled DejaVu fonts, never the system fonts', () => {
    const options = resvgOptions();
    expect(options.font?.loadSystemFonts).toBe(false);
    expect(options.font?.fontFiles?.map((file) => file.split('/').at(-1))).toEqual([
      'DejaVuSans.ttf',
      'DejaVuSans-Bold.ttf',
    ]);
    expect(options.fitTo).toEqual({ mode: 'zoom', value: 2 });
  });

  it('measures text from the TTF (advances and kerning), bold wider than regular', () => {
    // DejaVu Sans: "M" advances 1767/2048 em.
    expect(measureText('M', 2048)).toBeCloseTo(1767);
    expect(measureText('AV', 100)).toBeLessThan(measureText('A', 100) + measureText('V', 100));
    expect(measureText('Predicted', 12, true)).toBeGreaterThan(measureText('Predicted', 12));
  });

  for (const [name, spec] of [
    ['confusion matrix', confusion],
    ['predicted vs actual', predictedVsActualSpec({ ...regression(300), title: 'run' })],
    ['residuals (binned)', residualsSpec(regression(20_000))],
  ] as const) {
    it(`renders the ${name} at 2× with its titles and axis labels drawn`, async () => {
      const png = await renderPng(spec);
      const image = decodePng(png);
      const svg = await specToSvg(spec);
      const width = Number(/<svg[^>]*width="([\d.]+)"/.exec(svg)?.[1]);
      const height = Number(/<svg[^>]*height="([\d.]+)"/.exec(svg)?.[1]);
      expect(image.width).toBe(Math.round(width * 2));
      expect(image.height).toBe(Math.round(height * 2));
      expect(width).toBeGreaterThanOrEqual(380);
      expect(width).toBeLessThanOrEqual(720);

      const bare = withoutFonts(svg, 2);
      const boxes = await textBoxes(spec);
      const roles = new Set(boxes.map((box) => box.role));
      for (const role of ['title-text', 'axis-title', 'axis-label']) expect(roles).toContain(role);
      for (const box of boxes.filter((b) => /title|axis-label/.test(b.role))) {
        const region = scaled(box, 2);
        // Inside the image (labels are laid out with real widths, none cut off) …
        expect(region.x1, box.text).toBeGreaterThanOrEqual(-1);
        expect(region.x2, box.text).toBeLessThanOrEqual(image.width + 1);
        // … drawn with the bundled fonts, and empty when resvg has no font.
        expect(darkPixels(image, region), `${box.role} "${box.text}"`).toBeGreaterThan(5);
        expect(darkPixels(bare, region), `${box.role} "${box.text}"`).toBe(0);
      }
    });
  }

  it('honours the scale option', async () => {
    const one = decodePng(await renderPng(confusion, { scale: 1 }));
    const two = decodePng(await renderPng(confusion));
    expect(two.width).toBe(one.width * 2);
    expect(one.width).toBeGreaterThanOrEqual(380);
  });

  it('throws a RenderError naming the plot', async () => {
    const broken = { mark: 'nonsense', data: { values: [] } } as unknown as typeof confusion;
    const error = await renderPng(broken, { plot: 'confusion_matrix' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toBeInstanceOf(MlTrackingError);
    expect(error).toMatchObject({ code: 'ERR_RENDER', plot: 'confusion_matrix' });
    expect((error as Error).message).toMatch(/^Cannot render the confusion_matrix plot: /);
    await expect(renderPng(confusion, { scale: 0 })).rejects.toThrow(RenderError);
  });
});
