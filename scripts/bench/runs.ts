import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createSweep,
  openStore,
  readScalars,
  runSweepAgent,
  startRun,
  downsampleSeries,
  listRuns,
  type Store,
} from '../../src/index.js';
import { runPath, scalarsPath } from '../../src/layout/paths.js';
import { createTimeSortableId } from '../../src/runs/ids.js';
import { encodeRunRecord } from '../../src/runs/run-record.js';
import { decodeScalars } from '../../src/runs/scalar-table.js';
import { startGcsFake } from '../../test/support/gcs-fake/index.js';
import { writeTrivialSweep } from '../../test/support/trivial-sweep.js';

type Row = Record<string, string | number>;

const POINTS = 1_000_000;
const TAGS = ['loss', 'accuracy', 'val/loss', 'val/accuracy'];
const GCS_WINDOW_SECONDS = 30;
const SWEEP_TRIALS = 10;
const RUNS = 10_001;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The costs of runs (`npm run bench -- runs`): addScalar, logging and flushing 1e6 points,
 * reading them back whole and downsampled, store writes per object and minute on GCS (the GCS
 * fake; GCS allows about one update per object and second), and a sweep's cost per trial.
 */
export async function runsBenchmark(): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-runs-'));
  const rows: Row[] = [];
  try {
    const store = await openStore(root);
    try {
      rows.push(...(await loggingRows(store)));
    } finally {
      await store.close();
    }
    rows.push(await listRunsAtScale(root));
    rows.push(await gcsWriteRate());
    rows.push(await sweepOverhead(root));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

async function loggingRows(store: Store): Promise<Row[]> {
  const rows: Row[] = [];
  let best = Infinity;
  let flushed = Infinity;
  let runId = '';
  // Fastest of 3: the first pass also warms the JIT.
  for (let round = 0; round < 3; round += 1) {
    const run = await startRun({ project: 'bench', store, closeOnExit: false });
    const start = performance.now();
    for (let step = 0; step < POINTS / TAGS.length; step += 1) {
      for (const tag of TAGS) run.addScalar(tag, Math.sin(step) * 0.5 + 1 / (step + 1), step);
    }
    const added = performance.now();
    await run.finish();
    const done = performance.now();
    best = Math.min(best, added - start);
    flushed = Math.min(flushed, done - start);
    runId = run.id;
  }
  rows.push({
    case: `addScalar, ${POINTS.toLocaleString('en')} calls (4 tags), local store`,
    result: `${((best * 1e6) / POINTS).toFixed(0)} ns per call`,
    aim: 'under 1 µs',
  });
  rows.push({
    case: `${POINTS.toLocaleString('en')} points logged and flushed (finish() resolved), local store`,
    result: seconds(flushed),
    aim: 'under 1 s',
  });
  for (const maxPoints of [undefined, 2000]) {
    let fastest = Infinity;
    for (let round = 0; round < 3; round += 1) {
      const start = performance.now();
      const series = await readScalars(runId, {
        store,
        ...(maxPoints !== undefined && { maxPoints }),
      });
      fastest = Math.min(fastest, performance.now() - start);
      if (Object.keys(series).length !== TAGS.length) throw new Error('tags missing');
    }
    rows.push({
      case: `readScalars of ${POINTS.toLocaleString('en')} points${maxPoints === undefined ? '' : `, maxPoints ${maxPoints} per tag`}`,
      result: seconds(fastest),
      aim: maxPoints === undefined ? 'under 0.5 s' : 'under 0.2 s',
    });
  }
  // Where the time of a downsampled read goes: decoding the file, then thinning.
  const bytes = await store.read(scalarsPath(runId));
  let decodeMs = Infinity;
  let thinMs = Infinity;
  for (let round = 0; round < 3; round += 1) {
    const start = performance.now();
    const series = decodeScalars(bytes);
    const decoded = performance.now();
    for (const points of Object.values(series)) downsampleSeries(points, 2000);
    decodeMs = Math.min(decodeMs, decoded - start);
    thinMs = Math.min(thinMs, performance.now() - decoded);
  }
  rows.push({
    case: `… of which decoding the ${(bytes.length / 1e6).toFixed(0)} MB file (decodeScalars)`,
    result: seconds(decodeMs),
    aim: '-',
  });
  rows.push({
    case: '… of which downsampling 4 × 250,000 points to 2000 (downsampleSeries)',
    result: `${thinMs.toFixed(0)} ms`,
    aim: '-',
  });
  return rows;
}

/** listRuns over 10,000 run files, as a dashboard's first page would call it. */
async function listRunsAtScale(root: string): Promise<Row> {
  const store = await openStore(join(root, 'many-runs'));
  try {
    const template = await startRun({ project: 'bench', store, closeOnExit: false });
    template.addScalars({ loss: 0.5, accuracy: 0.9 });
    const record = await template.finish();
    const ids = Array.from({ length: RUNS - 1 }, (_, index) =>
      createTimeSortableId(new Date(Date.UTC(2026, 0, 1) + index * 1000)),
    );
    for (let start = 0; start < ids.length; start += 100) {
      await Promise.all(
        ids
          .slice(start, start + 100)
          .map((id, offset) =>
            store.write(
              runPath(id),
              encodeRunRecord({ ...record, id, project: `project-${(start + offset) % 20}` }),
            ),
          ),
      );
    }
    let fastest = Infinity;
    for (let round = 0; round < 3; round += 1) {
      const start = performance.now();
      const runs = await listRuns({ store, project: 'project-3' });
      fastest = Math.min(fastest, performance.now() - start);
      if (runs.length !== (RUNS - 1) / 20) throw new Error(`listed ${runs.length} runs`);
    }
    return {
      case: `listRuns({ project }) over ${RUNS.toLocaleString('en')} runs (one file each), local store`,
      result: seconds(fastest),
      aim: '-',
    };
  } finally {
    await store.close();
  }
}

/** A run adding points without pause for a while on GCS: writes of each object per minute. */
async function gcsWriteRate(): Promise<Row> {
  const fake = await startGcsFake();
  // The fake, like any emulator, takes any number of updates; the store spaces them as on Google.
  const gcs = await openStore('gs://bench-bucket/runs', {
    storage: fake.createClient(),
    updateIntervalMs: 1000,
  });
  const writes = new Map<string, number>();
  const counting: Store = {
    ...gcs,
    write: (path, data, options) => {
      writes.set(path, (writes.get(path) ?? 0) + 1);
      return gcs.write(path, data, options);
    },
    append: (path, data, options) => {
      writes.set(path, (writes.get(path) ?? 0) + 1);
      return gcs.append(path, data, options);
    },
  };
  try {
    const run = await startRun({ project: 'bench', store: counting, closeOnExit: false });
    const end = performance.now() + GCS_WINDOW_SECONDS * 1000;
    let step = 0;
    // A training loop: a batch of 4 tags every 5 ms (800 points a second).
    while (performance.now() < end) {
      run.addScalars(
        { loss: 1 / (step + 1), accuracy: 1 - 1 / (step + 2), lr: 1e-3, f1: 0.5 },
        step,
      );
      step += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await run.finish();
    const most = Math.max(...writes.values());
    return {
      case: `store writes of the busiest object, run adding points for ${GCS_WINDOW_SECONDS} s on GCS (fake), per minute`,
      result: `${((most * 60) / GCS_WINDOW_SECONDS).toFixed(0)} (${(step * 4).toLocaleString('en')} points)`,
      aim: 'at most 60',
    };
  } finally {
    await gcs.close();
    await fake.stop();
  }
}

/** A sweep of trivial Node trials (one scalar each): wall time per trial, claim to closed run. */
async function sweepOverhead(root: string): Promise<Row> {
  const folder = join(root, 'sweep');
  const config = await writeTrivialSweep(folder, SWEEP_TRIALS);
  const store = join(root, 'sweep-store');
  const { sweepId } = await createSweep({ config, store });
  const firstScalar: number[] = [];
  const started = new Map<number, number>();
  const start = performance.now();
  await runSweepAgent({
    sweepId,
    store,
    cwd: folder,
    onEvent: (event) => {
      if (event.type === 'trial-started') started.set(event.trial, performance.now());
      if (event.type === 'trial-ended') {
        firstScalar.push(performance.now() - (started.get(event.trial) ?? start));
      }
    },
  });
  const total = performance.now() - start;
  const median = [...firstScalar].sort((a, b) => a - b)[Math.floor(firstScalar.length / 2)] ?? 0;
  return {
    case: `sweep of ${SWEEP_TRIALS} trivial Node trials, local store, one agent`,
    result: `${(total / SWEEP_TRIALS).toFixed(0)} ms per trial (process start to run closed: median ${median.toFixed(0)} ms)`,
    aim: '-',
  };
}
