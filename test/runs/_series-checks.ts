/**
 * What the series index tests share: seeded series logged as a training loop logs them, the
 * check of a thinned or zoomed answer against a full read (the guarantees `downsampleSeries`
 * documents), the check that a stored index describes its scalars file, and a store that counts
 * the bytes read of each object.
 */
import { expect } from 'vitest';
import type { ExperimentLogger, ScalarSeries, Store } from '../../src/index.js';
import { scalarsLodLevelPath, scalarsPath } from '../../src/layout/paths.js';
import { buildSeriesIndex } from '../../src/series/build-series-index.js';
import { decodeRecords } from '../../src/series/lod-format.js';
import { readStoredIndex } from '../../src/series/lod-index.js';

/** A seeded generator, so that a failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tags as a training loop logs them, one with a comma and a quote (so quoted), one not ASCII. */
export const TAGS = ['loss', 'acc', 'val/loss', 'q,"x', 'précision'] as const;

/** Where the spikes of a logged series are: tag → steps. */
export type Spikes = Record<string, number[]>;

/**
 * Logs steps `from … to - 1` of five interleaved tags (about 1.6 rows per step): `loss` at every
 * step with noise and spikes up and down, `acc` every third step, `val/loss` every 500th, the
 * two odd tags now and then. Flushes every `flushEvery` steps. Returns the spikes logged.
 */
export async function logSeries(
  run: ExperimentLogger,
  options: { seed: number; from?: number; to: number; flushEvery?: number },
): Promise<Spikes> {
  const next = random(options.seed);
  const spikes: Spikes = { loss: [], acc: [] };
  const flushEvery = options.flushEvery ?? 10_000;
  for (let step = options.from ?? 0; step < options.to; step += 1) {
    let loss = Math.exp(-step / 20_000) + (next() - 0.5) * 0.1;
    // Spikes far enough apart that no two share a range of an answer of 100 points or more.
    if (step % 7_919 === 1_234) {
      loss = Math.floor(step / 7_919) % 2 === 0 ? 1e6 + step : -1e6 - step;
      spikes.loss!.push(step);
    }
    run.addScalar('loss', loss, step);
    if (step % 3 === 0) {
      let acc = 1 - Math.exp(-step / 30_000) + (next() - 0.5) * 0.01;
      if (step % 12_000 === 3_000) {
        acc = 50 + step;
        spikes.acc!.push(step);
      }
      run.addScalar('acc', acc, step);
    }
    if (step % 500 === 0) run.addScalar('val/loss', loss * 1.1, step);
    if (step % 7 === 0) run.addScalar(TAGS[3], next(), step);
    if (step % 11 === 0) run.addScalar(TAGS[4], next() * 2, step);
    if ((step + 1) % flushEvery === 0) await run.flush();
  }
  return spikes;
}

/** The points of a series whose step is in `[from, to]` (all without a range). */
export function inRange(series: ScalarSeries, steps?: readonly [number, number]): ScalarSeries {
  const [from, to] = steps ?? [-Infinity, Infinity];
  const keep = Array.from(series.step.keys()).filter(
    (index) => series.step[index]! >= from && series.step[index]! <= to,
  );
  return {
    step: Float64Array.from(keep, (index) => series.step[index]!),
    value: Float64Array.from(keep, (index) => series.value[index]!),
    wallTime: Float64Array.from(keep, (index) => series.wallTime[index]!),
  };
}

const pointKey = (series: ScalarSeries, index: number) =>
  `${series.step[index]}|${series.value[index]}|${series.wallTime[index]}`;

/**
 * Checks an answer of `readScalars(…, { maxPoints, steps })` against the full series: the same
 * tags; a series of `maxPoints` points or fewer in range whole and exact; a longer one at most
 * `maxPoints` real points in step order with its first and last point, its lowest and highest
 * value, and every spike in range.
 */
export function expectLikeFullRead(
  answer: Record<string, ScalarSeries>,
  full: Record<string, ScalarSeries>,
  options: { maxPoints: number; steps?: readonly [number, number] | undefined; spikes?: Spikes },
): void {
  const { maxPoints, steps } = options;
  const expected = Object.entries(full)
    .map(([tag, series]) => [tag, inRange(series, steps)] as const)
    .filter(([, series]) => series.step.length > 0);
  expect(Object.keys(answer).sort()).toEqual(expected.map(([tag]) => tag).sort());
  for (const [tag, want] of expected) {
    const got = answer[tag]!;
    const where = `${tag}, maxPoints ${maxPoints}, steps ${JSON.stringify(steps)}`;
    if (want.step.length <= maxPoints) {
      expect(Array.from(got.step), where).toEqual(Array.from(want.step));
      expect(Array.from(got.value), where).toEqual(Array.from(want.value));
      expect(Array.from(got.wallTime), where).toEqual(Array.from(want.wallTime));
      continue;
    }
    const length = got.step.length;
    expect(length, where).toBeLessThanOrEqual(maxPoints);
    expect(got.value.length, where).toBe(length);
    expect(got.wallTime.length, where).toBe(length);
    const real = new Set(Array.from(want.step.keys(), (index) => pointKey(want, index)));
    for (let index = 0; index < length; index += 1) {
      expect(real.has(pointKey(got, index)), `${where}: point ${pointKey(got, index)}`).toBe(true);
      if (index > 0) expect(got.step[index]!, where).toBeGreaterThanOrEqual(got.step[index - 1]!);
    }
    const last = want.step.length - 1;
    expect(pointKey(got, 0), `${where}: first`).toBe(pointKey(want, 0));
    expect(pointKey(got, length - 1), `${where}: last`).toBe(pointKey(want, last));
    const values = (series: ScalarSeries) =>
      Array.from(series.value).filter((v) => !Number.isNaN(v));
    if (maxPoints >= 4 && values(want).length > 0) {
      expect(Math.min(...values(got)), `${where}: lowest`).toBe(Math.min(...values(want)));
      expect(Math.max(...values(got)), `${where}: highest`).toBe(Math.max(...values(want)));
    }
    if (maxPoints >= 100) {
      const kept = new Set(got.step);
      for (const spike of options.spikes?.[tag] ?? []) {
        if (want.step.includes(spike))
          expect(kept.has(spike), `${where}: spike ${spike}`).toBe(true);
      }
    }
  }
}

/**
 * Checks that the stored index of a run describes its scalars file: every level stored is the
 * start of that level of an index built afresh from the rows it covers, record for record.
 * Resolves the bytes it covers.
 */
export async function expectIndexMatchesFile(store: Store, runId: string): Promise<number> {
  const frontier = await readStoredIndex(store, runId);
  expect(frontier, 'an index is stored').toBeDefined();
  const coverage = frontier!.coverage;
  const size = (await store.stat(scalarsPath(runId)))!.size;
  expect(coverage).toBeLessThanOrEqual(size);
  const built = await buildSeriesIndex(store, scalarsPath(runId), { start: 0, end: coverage });
  for (let level = 1; ; level += 1) {
    const info = await store.stat(scalarsLodLevelPath(runId, level));
    if (info === undefined) break;
    const stored = decodeRecords(await store.read(scalarsLodLevelPath(runId, level)));
    const fresh = built.builder.records(level);
    expect(stored.length, `level ${level}`).toBeLessThanOrEqual(fresh.length);
    expect(Array.from(stored), `level ${level}`).toEqual(
      Array.from(fresh.subarray(0, stored.length)),
    );
  }
  return coverage;
}

/** A store that passes every call on and counts the bytes read per path. */
export function readCountingStore(inner: Store): Store & { bytesRead: Map<string, number> } {
  const bytesRead = new Map<string, number>();
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'bytesRead') return bytesRead;
      if (property === 'read') {
        return async (path: string, options?: { start?: number; end?: number }) => {
          const bytes = await target.read(path, options);
          bytesRead.set(path, (bytesRead.get(path) ?? 0) + bytes.length);
          return bytes;
        };
      }
      if (property === 'readStream' || property === 'readText') {
        const read = target[property].bind(target);
        return (path: string) => {
          bytesRead.set(path, Infinity);
          return read(path);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  }) as Store & { bytesRead: Map<string, number> };
}
