import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeRow, type CellValue } from '../../src/csv/encode.js';
import {
  findExperiment,
  listExperiments,
  listTrackers,
  openStore,
  storeObjectUri,
  trackingColumns,
  type ExperimentKind,
} from '../../src/index.js';
import { predictionsPath } from '../../src/layout/paths.js';
import { metricNames } from '../../src/layout/tables.js';
import { peakRssMegabytes } from './table.js';

type Row = Record<string, string | number>;

const PROJECTS = 10;
const TRACKERS_PER_PROJECT = 10;
const ROWS_PER_TRACKER = 100;
const FEATURES = Array.from({ length: 20 }, (_, index) => `feature_${index}`);

/** What a case reads, and how it is called. */
const CASES = {
  'listExperiments, newest first, limit 20': (root: string) =>
    withStore(root, (store) => listExperiments(store, { limit: 20 })),
  'listExperiments --sort rmse (the 5,000 regression rows)': (root: string) =>
    withStore(root, (store) => listExperiments(store, { sort: 'rmse', limit: 20 })),
  'listExperiments --project (one project, 1,000 rows)': (root: string) =>
    withStore(root, (store) => listExperiments(store, { project: 'project-3' })),
  'listTrackers (row counts)': (root: string) => withStore(root, (store) => listTrackers(store)),
  'findExperiment, a row in the oldest tracker of its project': (root: string, id: string) =>
    withStore(root, (store) => findExperiment(store, id)),
} as const;
type CaseName = keyof typeof CASES;

async function withStore<T>(
  root: string,
  action: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
) {
  const store = await openStore(root);
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}

/**
 * 10 projects × 10 trackers × 100 rows = 10,000 experiments written straight into a local store
 * (half classification, half regression, rows of about 1.5 KB with JSON cells: 15 MB), then
 * each read path in its own process, so that its peak memory is its own.
 */
export async function listBenchmark(): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-list-'));
  try {
    const { oldestId } = await writeStore(root);
    const rows: Row[] = [];
    for (const name of Object.keys(CASES) as CaseName[]) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), name, root, oldestId],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(child.stderr);
      const measured = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Row;
      rows.push({ 'read path': name, ...measured });
    }
    return rows;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeStore(root: string): Promise<{ oldestId: string }> {
  const store = await openStore(root);
  let oldestId = '';
  let state = 42;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let p = 0; p < PROJECTS; p += 1) {
    const kind: ExperimentKind = p % 2 === 0 ? 'classification' : 'regression';
    const project = `project-${p}`;
    const columns = trackingColumns(kind).map((column) => column.name);
    for (let t = 0; t < TRACKERS_PER_PROJECT; t += 1) {
      const day = new Date(Date.UTC(2026, 0, 1 + t));
      const date = day.toISOString().slice(0, 10);
      let text = encodeRow(columns);
      for (let r = 0; r < ROWS_PER_TRACKER; r += 1) {
        const id = randomUUID();
        if (p === 3 && t === 0 && r === 0) oldestId = id;
        const loggedAt = new Date(day.getTime() + r * 60_000).toISOString();
        const values: Record<string, CellValue> = {
          prediction_id: id,
          logged_at: loggedAt,
          date,
          project,
          kind,
          dataset_uri: `gs://bench/${project}/data.csv`,
          target_column: 'target',
          test_set_size: 10_000,
          test_set_sha256: 'f'.repeat(64),
          model: kind === 'classification' ? 'RandomForestClassifier' : 'RandomForestRegressor',
          hyperparameters: JSON.stringify({ n_estimators: 100, max_depth: 8, random_state: r }),
          model_features: JSON.stringify(FEATURES),
          feature_importance: JSON.stringify(
            Object.fromEntries(FEATURES.map((feature) => [feature, random()])),
          ),
          git_commit: '0123456789abcdef0123456789abcdef01234567',
          git_dirty: false,
          host: 'bench-host',
          extra_parameters: '{}',
          prediction_uri: storeObjectUri(store.url, predictionsPath(kind, id)),
          ...Object.fromEntries(metricNames(kind).map((metric) => [metric, random()])),
        };
        text += encodeRow(columns.map((column) => values[column]));
        if (p === 3 && t === 0 && r === 0) {
          await store.write(
            `scoring/${id}.csv`,
            `prediction_id,project,kind,metric,class,value\n${id},${project},${kind},mae,,1\n`,
          );
        }
      }
      await store.write(`projects/${kind}/${project}_${date.replaceAll('-', '')}_1.csv`, text);
    }
  }
  await store.close();
  return { oldestId };
}

// One case: node --import tsx scripts/bench/list.ts <case> <store folder> <prediction id>
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, root, id] = process.argv.slice(2) as [CaseName, string, string];
  const run = () => CASES[name](root, id);
  const rssBefore = process.memoryUsage().rss;
  let start = performance.now();
  await run();
  const first = performance.now() - start;
  let best = Infinity;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  console.log(
    JSON.stringify({
      'first call ms': first.toFixed(0),
      'best of 5 ms': best.toFixed(0),
      'RSS before MB': (rssBefore / 1024 / 1024).toFixed(0),
      'peak RSS MB': peakRssMegabytes(),
    }),
  );
}
