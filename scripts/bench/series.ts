/**
 * `npm run bench -- series`: issue 23's aims for long series, read through the series index
 * (`scalars-lod/`): `maxPoints: 2000` on a run of 10,000,000 points (aim under 50 ms, and at least
 * 10× faster than a full read of 2,000,000 points), a zoom into a step range, the first read of
 * an old series without an index, and what the index costs the writer (points per second logging
 * 1e6 points, with and without it). The runs are logged once by the engine's own writer
 * (`startRun`, so the index is the one a logger writes) into a cached local store and reused.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, readScalars, startRun, type Store } from '../../src/index.js';
import { scalarsLodFolder, scalarsPath } from '../../src/layout/paths.js';
import { SeriesIndexWriter } from '../../src/series/series-index-writer.js';
import { thinScalarsFile } from '../../src/runs/thin-scalars-file.js';
import { formatBytes } from './table.js';

type Row = Record<string, string | number>;

/** Bump when what is generated changes: a cached store of another version is regenerated. */
const GENERATOR_VERSION = 1;
const LONG = 10_000_000;
const FULL = 2_000_000;
const MAX_POINTS = 2000;
const ROUNDS = 7;

interface Manifest {
  version: number;
  folder: string;
  longId: string;
  fullId: string;
  longBytes: number;
  fullBytes: number;
  generateSeconds: number;
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

/** Median of `rounds` timings of `action` (one warm-up first). */
async function timed(action: () => Promise<unknown>, rounds = ROUNDS): Promise<number> {
  await action();
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Logs `points` points as a training loop does: `loss` every step, `acc` every fourth (so 80 %
 * and 20 % of the points), flushed every 500,000 points, then finish().
 */
async function logRun(store: Store, points: number): Promise<string> {
  const run = await startRun({ project: 'bench-series', store, closeOnExit: false });
  const steps = Math.round(points / 1.25);
  for (let step = 0; step < steps; step += 1) {
    const noise = ((step * 2_654_435_761) % 1000) / 1e5;
    const spike = step % 1_234_567 === 999 ? 100 : 0;
    run.addScalar('loss', Math.round((Math.exp(-step / 2e6) + noise + spike) * 1e6) / 1e6, step);
    if (step % 4 === 0)
      run.addScalar('acc', Math.round((1 - Math.exp(-step / 3e6)) * 1e4) / 1e4, step);
    if ((step + 1) % 400_000 === 0) await run.flush();
  }
  await run.finish();
  return run.id;
}

async function ensureStore(): Promise<{ manifest: Manifest; reused: boolean }> {
  const base = join(tmpdir(), `ml-tracking-bench-series-v${GENERATOR_VERSION}`);
  for (const name of await readdir(tmpdir())) {
    if (/^ml-tracking-bench-series-v\d+$/.test(name) && join(tmpdir(), name) !== base) {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  const manifestPath = join(base, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    if (manifest.version === GENERATOR_VERSION && existsSync(manifest.folder)) {
      return { manifest, reused: true };
    }
  }
  await rm(base, { recursive: true, force: true });
  const folder = join(base, 'store');
  const started = performance.now();
  const store = await openStore(folder);
  try {
    const longId = await logRun(store, LONG);
    const fullId = await logRun(store, FULL);
    const manifest: Manifest = {
      version: GENERATOR_VERSION,
      folder,
      longId,
      fullId,
      longBytes: (await store.stat(scalarsPath(longId)))!.size,
      fullBytes: (await store.stat(scalarsPath(fullId)))!.size,
      generateSeconds: (performance.now() - started) / 1000,
    };
    // Written last: a generation cut short leaves no manifest and is redone.
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    return { manifest, reused: false };
  } finally {
    await store.close();
  }
}

/** Logging 1e6 points (4 tags) then finish() into a fresh run: milliseconds. */
async function logMillion(store: Store): Promise<number> {
  const run = await startRun({ project: 'bench', store, closeOnExit: false });
  const start = performance.now();
  for (let step = 0; step < 250_000; step += 1) {
    for (const tag of ['loss', 'accuracy', 'val/loss', 'val/accuracy']) {
      run.addScalar(tag, Math.sin(step) * 0.5 + 1 / (step + 1), step);
    }
  }
  await run.finish();
  return performance.now() - start;
}

/**
 * Points per second logging 1e6 points, with the index as it is and with the index writer
 * stubbed out, taking turns (a shared machine's load then weighs on both alike): the fastest of 4
 * rounds each.
 */
async function loggingRates(): Promise<{ on: number; off: number }> {
  const prototype = SeriesIndexWriter.prototype;
  const saved = Object.getOwnPropertyDescriptors(prototype);
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-series-log-'));
  const store = await openStore(root);
  const best = { on: Infinity, off: Infinity };
  try {
    await logMillion(store);
    for (let round = 0; round < 4; round += 1) {
      best.on = Math.min(best.on, await logMillion(store));
      prototype.landed = () => undefined;
      prototype.flush = () => Promise.resolve();
      try {
        best.off = Math.min(best.off, await logMillion(store));
      } finally {
        Object.defineProperties(prototype, saved);
      }
    }
  } finally {
    await store.close();
    await rm(root, { recursive: true, force: true });
  }
  return { on: 1e9 / best.on, off: 1e9 / best.off };
}

/** The rows of `npm run bench -- series`, and notes (the store, the load, the peers). */
export async function seriesBenchmark(): Promise<{ rows: Row[]; notes: string[] }> {
  const load = loadavg()[0]!;
  const generating = performance.now();
  const { manifest, reused } = await ensureStore();
  const store = await openStore(manifest.folder);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const { longId, fullId } = manifest;
    const long = `${(LONG / 1e6).toFixed(0)}M points (${formatBytes(manifest.longBytes)} CSV)`;

    const thin = await timed(() => readScalars(longId, { store, maxPoints: MAX_POINTS }));
    const fullRead = await timed(() => readScalars(fullId, { store }), 3);
    const before = await timed(
      () => thinScalarsFile(store, scalarsPath(longId), { tags: [], maxPoints: MAX_POINTS }),
      1,
    );
    rows.push({
      case: `readScalars, maxPoints ${MAX_POINTS}, ${long}, after finish()`,
      ours: ms(thin),
      before: `${ms(before)} (decode every part, thinScalarsFile)`,
      aim: 'under 50 ms',
    });
    rows.push({
      case: `… against a full read of ${(FULL / 1e6).toFixed(0)}M points (${formatBytes(manifest.fullBytes)})`,
      ours: `${(fullRead / thin).toFixed(0)}× faster`,
      before: ms(fullRead),
      aim: 'at least 10×',
    });
    const zoomWide = await timed(() =>
      readScalars(longId, { store, maxPoints: MAX_POINTS, steps: [4_000_000, 4_100_000] }),
    );
    const zoomNarrow = await timed(() =>
      readScalars(longId, { store, steps: [4_000_000, 4_001_999] }),
    );
    rows.push({
      case: `zoom: steps 4,000,000–4,100,000 of ${long}, maxPoints ${MAX_POINTS}`,
      ours: ms(zoomWide),
      before: 'the whole file (no step range)',
      aim: 'reads only that range',
    });
    rows.push({
      case: 'zoom: steps 4,000,000–4,001,999, every point (2,500)',
      ours: ms(zoomNarrow),
      before: '-',
      aim: '-',
    });

    // An old series: its index removed, read once (built, then stored), then read again.
    await rm(join(manifest.folder, scalarsLodFolder(longId)), { recursive: true, force: true });
    const firstStart = performance.now();
    await readScalars(longId, { store, maxPoints: MAX_POINTS });
    const first = performance.now() - firstStart;
    const again = await timed(() => readScalars(longId, { store, maxPoints: MAX_POINTS }), 3);
    rows.push({
      case: `first read of an old series without an index (${long}): built and stored`,
      ours: ms(first),
      before: ms(before),
      aim: 'once; later reads as indexed',
    });
    rows.push({ case: '… the next read', ours: ms(again), before: '-', aim: 'under 50 ms' });

    const { on, off } = await loggingRates();
    rows.push({
      case: '1e6 points logged (4 tags) and finish(), local store',
      ours: `${(on / 1e6).toFixed(2)}M points/s`,
      before: `${(off / 1e6).toFixed(2)}M points/s without the index`,
      aim: 'not noticeably slower',
    });
  } finally {
    await store.close();
  }
  notes.push(
    `Store: ${reused ? 'reused from' : `generated in ${manifest.generateSeconds.toFixed(0)} s by startRun/addScalar into`} ${manifest.folder} (${formatBytes(manifest.longBytes + manifest.fullBytes)} of CSV; this run took ${((performance.now() - generating) / 1000).toFixed(0)} s). Load average before: ${load.toFixed(1)}. Medians of ${ROUNDS} warm reads.`,
    "Peers (their documentation, not measured): TensorBoard keeps a random sample of 1,000 scalars per tag (a spike can be dropped); W&B samples a line above 1,000 points, differently on each reload; MLflow returns at most 2,500 points per run from its bulk metric endpoint. Here every answer keeps each range's lowest and highest point, so a spike survives any zoom.",
  );
  return { rows, notes };
}
