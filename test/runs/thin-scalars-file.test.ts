/**
 * Issue 18, defect 8: a chart of a 500 MB scalars file took 1.2 GB. thinScalarsFile decodes the
 * file a part at a time; what it returns must not depend on that: the same points as decoding
 * the whole file and thinning each tag with downsampleSeries, whatever the part size, for
 * unsorted steps, repeated steps, NaN values, quoted tags (a comma, a quote, a line break),
 * a header line in the middle and a last line still being written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCell } from '../../src/csv/encode.js';
import { openStore, type Store } from '../../src/index.js';
import { downsampleSeries } from '../../src/runs/downsample.js';
import { decodeScalars, SCALARS_HEADER, type ScalarSeries } from '../../src/runs/scalar-table.js';
import { thinScalarsFile } from '../../src/runs/thin-scalars-file.js';

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** About 60,000 lines of six tags, interleaved as a training loop writes them. */
function scalarsText(): string {
  const next = random(7);
  const run = '20261124T101530123Z-1a2b3c4d';
  const lines: string[] = [SCALARS_HEADER];
  const wall = (index: number) => new Date(1_800_000_000_000 + index * 7).toISOString();
  const row = (tag: string, step: number, value: number, index: number) =>
    `${run},${encodeCell(tag)},${step},${Number.isNaN(value) ? '' : String(value)},${wall(index)}\n`;
  for (let index = 0; index < 12_000; index += 1) {
    // Sorted steps, noise, a spike, and now and then a NaN.
    const noise = next() - 0.5;
    lines.push(row('loss', index, index === 7_777 ? 1e9 : index % 997 === 0 ? NaN : noise, index));
    // Steps out of order and repeated (a resumed run), values often equal.
    lines.push(row('acc', Math.floor(next() * 3_000), Math.round(next() * 4) / 4, index));
    lines.push(row('q,"x', index * 3, next(), index));
    lines.push(row('line\nbreak', 12_000 - index, next() < 0.5 ? NaN : next(), index));
    lines.push(row('same', 5, next(), index));
    if (index % 1_000 === 0) lines.push(row('few', index, next(), index));
    if (index === 6_000) lines.push(SCALARS_HEADER);
  }
  // A last line still being written: no line end.
  return `${lines.join('')}${run},loss,12000,0.5,2026-11-2`;
}

function expected(bytes: Uint8Array, tags: string[], maxPoints: number) {
  const series = decodeScalars(bytes, tags.length === 0 ? {} : { tags: new Set(tags) });
  const thinned: Record<string, ScalarSeries> = {};
  for (const [tag, points] of Object.entries(series)) {
    thinned[tag] = downsampleSeries(points, maxPoints);
  }
  return plain(thinned);
}

/** Plain arrays (NaN kept as null) so that a difference prints readably. */
const plain = (series: Record<string, ScalarSeries>) =>
  Object.fromEntries(
    Object.entries(series).map(([tag, points]) => [
      tag,
      {
        step: Array.from(points.step),
        value: Array.from(points.value, (value) => (Number.isNaN(value) ? null : value)),
        wallTime: Array.from(points.wallTime),
      },
    ]),
  );

describe('thinScalarsFile', () => {
  let root: string;
  let store: Store;
  let bytes: Uint8Array;
  const path = 'scalars/20261124T101530123Z-1a2b3c4d.csv';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-thin-'));
    store = await openStore(root);
    await store.write(path, scalarsText());
    bytes = await store.read(path);
  });
  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('gives the in-memory decoder and downsampleSeries points, whatever the part size', async () => {
    expect(bytes.length).toBeGreaterThan(3_000_000);
    for (const maxPoints of [2, 3, 4, 5, 64, 1000, 20_000]) {
      const want = expected(bytes, [], maxPoints);
      expect(Object.keys(want)).toEqual(['loss', 'acc', 'q,"x', 'line\nbreak', 'same', 'few']);
      // Parts smaller than a line (61 bytes), a few lines, many lines and the whole file. A part
      // smaller than a line is one read of the store per 61 bytes (50,000 for this file): two
      // thinnings cover it, one that keeps a few points per tag and one that keeps many.
      const partSizes = [3, 64].includes(maxPoints)
        ? [61, 4096, 300_000, 64 << 20]
        : [4096, 300_000, 64 << 20];
      for (const partBytes of partSizes) {
        const got = await thinScalarsFile(store, path, { tags: [], maxPoints, partBytes });
        expect(plain(got), `maxPoints ${maxPoints}, parts of ${partBytes} bytes`).toEqual(want);
      }
    }
  }, 120_000);

  it('reads only the tags asked for', async () => {
    const tags = ['acc', 'line\nbreak'];
    const got = await thinScalarsFile(store, path, { tags, maxPoints: 200, partBytes: 100_000 });
    expect(plain(got)).toEqual(expected(bytes, tags, 200));
  });

  it('fails on a line that is not a scalars row, saying where', async () => {
    const broken = 'scalars/20261124T101530123Z-0badf11e.csv';
    await store.write(broken, `${scalarsText().slice(0, 2_000_000)}\nnot,a,row\n`);
    await expect(
      thinScalarsFile(store, broken, { tags: [], maxPoints: 100, partBytes: 500_000 }),
    ).rejects.toMatchObject({
      code: 'ERR_CORRUPT_SCALARS',
      message: expect.stringMatching(
        /^Cannot read line \d+ after byte \d+ of the scalars table/,
      ) as string,
    });
  });
});
