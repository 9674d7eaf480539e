/**
 * Issue 23, part 2: `readScalars` with `maxPoints` or `steps` answers from the run's series index
 * (`scalars-lod/`) without decoding the whole series, and the answer keeps what a full read and
 * `downsampleSeries` keep: the first and last point, the lowest and highest value, every spike;
 * a short series (or range) comes back exactly. On a local folder and the GCS fake, for a finished
 * run and a run still running (rows beyond its index). Fallbacks: series-index-fallbacks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScalars, startRun, type Store } from '../../src/index.js';
import { scalarsPath } from '../../src/layout/paths.js';
import {
  expectIndexMatchesFile,
  expectLikeFullRead,
  logSeries,
  random,
  readCountingStore,
  type Spikes,
} from './_series-checks.js';
import { openRunStore, type RunStoreSubject } from './_run-stores.js';

const STEPS = 30_000;
const MAX_POINTS = [2, 3, 7, 100, 2000, 100_000];

/** Step ranges: tiny, one block or so, wide, past the ends, empty. */
function stepRanges(seed: number): [number, number][] {
  const next = random(seed);
  const ranges: [number, number][] = [
    [0, 10],
    [15_000, 15_100],
    [1_000, 29_000],
    [-5, 40_000],
    [29_990, 1e9],
    [40_000, 50_000],
  ];
  for (let index = 0; index < 3; index += 1) {
    const from = Math.floor(next() * STEPS);
    ranges.push([from, from + Math.floor(next() * 10_000)]);
  }
  return ranges;
}

async function checkAnswers(
  store: Store,
  runId: string,
  spikes: Spikes,
  ranges: [number, number][],
): Promise<void> {
  const full = await readScalars(runId, { store });
  for (const maxPoints of MAX_POINTS) {
    expectLikeFullRead(await readScalars(runId, { store, maxPoints }), full, { maxPoints, spikes });
  }
  for (const steps of ranges) {
    for (const maxPoints of [7, 2000]) {
      const answer = await readScalars(runId, { store, maxPoints, steps });
      expectLikeFullRead(answer, full, { maxPoints, steps, spikes });
    }
    expectLikeFullRead(await readScalars(runId, { store, steps }), full, {
      maxPoints: Infinity,
      steps,
    });
  }
  const tags = ['acc', 'val/loss'];
  const some = await readScalars(runId, { store, maxPoints: 500, tags });
  const wanted = Object.fromEntries(tags.map((tag) => [tag, full[tag]!]));
  expectLikeFullRead(some, wanted, { maxPoints: 500, spikes });
}

for (const kind of ['local', 'gcs-fake'] as const) {
  describe(`the series index on ${kind}`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());

    it('answers thinned and zoomed reads of a finished run like a full read, reading a part of the file', async () => {
      const run = await startRun({ project: 'lod', store, closeOnExit: false });
      const spikes = await logSeries(run, { seed: 1, to: STEPS });
      await run.finish();
      const size = (await store.stat(scalarsPath(run.id)))!.size;
      expect(await expectIndexMatchesFile(store, run.id)).toBe(size);
      await checkAnswers(store, run.id, spikes, stepRanges(2));

      // What a chart costs: the index and a few rows, not the series.
      const counting = readCountingStore(store);
      await readScalars(run.id, { store: counting, maxPoints: 2000 });
      expect(counting.bytesRead.get(scalarsPath(run.id)) ?? 0).toBeLessThan(size / 10);
      counting.bytesRead.clear();
      const zoom = await readScalars(run.id, { store: counting, steps: [15_000, 15_600] });
      expect(zoom.loss?.step.length).toBe(601);
      expect(counting.bytesRead.get(scalarsPath(run.id)) ?? 0).toBeLessThan(size / 20);
    });

    it('indexes a run of many tags logged together (more than a block summary starts with)', async () => {
      const run = await startRun({ project: 'lod', store, closeOnExit: false });
      const next = random(13);
      const spikes: Spikes = { 'layer-08/grad': [7_777] };
      for (let step = 0; step < 1_500; step += 1) {
        const values: Record<string, number> = {};
        for (let layer = 0; layer < 40; layer += 1) {
          values[`layer-${String(layer).padStart(2, '0')}/grad`] = next();
        }
        run.addScalars(values, step);
      }
      for (let step = 1_500; step < 12_000; step += 1) {
        run.addScalar('layer-08/grad', step === 7_777 ? 1e9 : next(), step);
      }
      await run.finish();
      const size = (await store.stat(scalarsPath(run.id)))!.size;
      expect(await expectIndexMatchesFile(store, run.id)).toBe(size);
      const full = await readScalars(run.id, { store });
      for (const maxPoints of [4, 200, 5_000]) {
        const answer = await readScalars(run.id, { store, maxPoints });
        expectLikeFullRead(answer, full, { maxPoints, spikes });
      }
      // From the index: a few blocks of rows, not the file.
      const counting = readCountingStore(store);
      const answer = await readScalars(run.id, { store: counting, maxPoints: 200 });
      expectLikeFullRead(answer, full, { maxPoints: 200, spikes });
      expect(counting.bytesRead.get(scalarsPath(run.id)) ?? 0).toBeLessThan(size / 10);
    });

    it('reads a running run: the index covers what it covers, the rows beyond are decoded', async () => {
      const run = await startRun({ project: 'lod', store, closeOnExit: false });
      try {
        const spikes = await logSeries(run, { seed: 3, to: STEPS });
        const more = await logSeries(run, { seed: 4, from: STEPS, to: STEPS + 900 });
        await run.flush();
        const size = (await store.stat(scalarsPath(run.id)))!.size;
        const coverage = await expectIndexMatchesFile(store, run.id);
        expect(coverage).toBeGreaterThan(0);
        expect(coverage).toBeLessThan(size);
        const all = { loss: [...spikes.loss!, ...more.loss!], acc: [...spikes.acc!, ...more.acc!] };
        await checkAnswers(store, run.id, all, [
          [STEPS - 1_000, STEPS + 2_000],
          [STEPS + 100, STEPS + 200],
        ]);
      } finally {
        await run.finish();
      }
      await expectIndexMatchesFile(store, run.id);
    });
  });
}
