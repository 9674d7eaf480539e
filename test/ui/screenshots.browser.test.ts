// The README's screenshots (dashboards/screenshots/) show the pages as this version draws them
// (issue 22, item 14): they are taken by the browser tests (`node scripts/update-screenshots.mjs`),
// and the runs overlay, which an older page drew in one colour for both runs, shows two.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, runColor, runColors } from '../../src/ui/app/charts/run-colors.js';
import { describeInBrowser, SCREENSHOTS_FOLDER } from '../support/browser.js';
import { useBrowser } from './_ui-harness.js';

describe('run colours', () => {
  it('gives runs drawn together different colours, even when their ids pick the same one', () => {
    const ids = Array.from({ length: 200 }, (_, index) => `20261124T101530123Z-${index}`);
    const first = ids[0]!;
    const twin = ids.find((id) => id !== first && runColor(id) === runColor(first));
    expect(twin, 'two ids of the same colour').toBeDefined();
    const colors = runColors([first, twin!]);
    expect(colors.get(first)).toBe(runColor(first));
    expect(colors.get(twin!)).not.toBe(colors.get(first));
    // Every run of a full palette's worth gets its own.
    expect(new Set(runColors(ids.slice(0, RUN_PALETTE.length)).values()).size).toBe(
      RUN_PALETTE.length,
    );
  });
});

describeInBrowser('the README’s screenshots', () => {
  const chromium = useBrowser();

  it('runs.png draws the two overlaid runs in two colours, as the page does', async () => {
    const png = await readFile(join(SCREENSHOTS_FOLDER, 'runs.png'));
    const page = await chromium.browser.newPage();
    try {
      // Pixels of each run colour in the charts (right of the run list), read by a canvas.
      const counts = await page.evaluate(
        async ({ data, palette }) => {
          const doc = (globalThis as unknown as { document: DocumentLike }).document;
          interface DocumentLike {
            createElement(name: 'img'): {
              src: string;
              decode(): Promise<void>;
              width: number;
              height: number;
            };
            createElement(name: 'canvas'): {
              width: number;
              height: number;
              getContext(kind: '2d'): {
                drawImage(image: unknown, x: number, y: number): void;
                getImageData(x: number, y: number, w: number, h: number): { data: number[] };
              };
            };
          }
          const image = doc.createElement('img');
          image.src = `data:image/png;base64,${data}`;
          await image.decode();
          const canvas = doc.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          const left = 360;
          const pixels = context.getImageData(left, 0, image.width - left, image.height).data;
          const rgb = palette.map((hex) =>
            [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)),
          );
          const found = palette.map(() => 0);
          for (let at = 0; at < pixels.length; at += 4) {
            rgb.forEach(([r, g, b], index) => {
              const near =
                Math.abs(pixels[at]! - r!) +
                Math.abs(pixels[at + 1]! - g!) +
                Math.abs(pixels[at + 2]! - b!);
              if (near <= 24) found[index]! += 1;
            });
          }
          return found;
        },
        // Greys of the palette are left out: text and axes come close to them.
        {
          data: png.toString('base64'),
          palette: RUN_PALETTE.filter((hex) => !['#79706e', '#4a4543'].includes(hex)),
        },
      );
      const drawn = counts.filter((count) => count >= 200);
      expect(drawn.length, `pixels per run colour: ${counts.join(', ')}`).toBeGreaterThanOrEqual(2);
    } finally {
      await page.close();
    }
  });
});
