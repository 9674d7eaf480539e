// examples/experiments run as a user runs it (a process, its flags, its own tsconfig), then read
// back with the library: both experiments' tracker rows and runs, both trainModel runs with their
// model_runs rows and one shared data set artifact; a second run with --on-duplicate skip
// trains and writes nothing; debug mode writes nothing; and the entry serves `reproduce`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, openStore, type Store } from '../../src/index.js';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentOutputsFolder, experimentTrackerPath } from '../../src/layout/paths.js';
import { readModelRun } from '../../src/records/model-run-records.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const example = join(repositoryRoot, 'examples', 'experiments');
const entry = join(example, 'train.ts');
const tsx = join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const PROJECT = 'iris-example';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `tsx <script> …args` with the example's tsconfig (where `ml-tracking` names these sources, so
 * no build is needed), in `cwd`: a folder outside any git repository, so that trainModel records
 * no commit and a reproduction runs with the code at hand, whatever the repository's state.
 */
function run(script: string, args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, '--tsconfig', join(example, 'tsconfig.json'), script, ...args],
      { cwd, env: { ...process.env, ML_TRACKING_STORE: '' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every object of the store with its generation: what "nothing was written" compares. */
async function snapshot(store: Store): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const object of store.listAll()) objects.set(object.path, object.generation);
  return objects;
}

describe('examples/experiments', () => {
  let folder: string;
  let storeFolder: string;
  let store: Store;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-example-experiments-'));
    storeFolder = join(folder, 'store');
    store = await openStore(storeFolder);
  });
  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('records two experiments and two trainModel runs, each read back with the library', async () => {
    const first = await run(entry, ['--store', storeFolder, '--on-duplicate', 'error'], folder);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/experiment iris-random-forest: recorded run /);
    expect(first.stdout).toMatch(/trainModel nearest-centroid: trained run /);

    const runs = await listRuns({ store, project: 'iris example' });
    expect(runs).toHaveLength(4);
    expect(runs.every((item) => item.status === 'finished')).toBe(true);
    const byOrigin = (origin: string) =>
      runs
        .filter((item) => item.origin === origin)
        .map((item) => item.experiment)
        .sort();
    expect(byOrigin('experiment')).toEqual(['iris-nearest-centroid', 'iris-random-forest']);
    expect(byOrigin('train_model')).toEqual(['nearest-centroid', 'random-forest']);

    // The experiment tracker: one row per experiment, pointing at its run and its logged
    // predictions, with the core's scores as columns.
    const tracker = await ModelTracker.load(store, experimentTrackerPath(PROJECT));
    const rows = tracker.toRecords();
    expect(rows.map((row) => row.model_name).sort()).toEqual([
      'iris-nearest-centroid',
      'iris-random-forest',
    ]);
    for (const row of rows) {
      const recorded = runs.find((item) => item.id === row.run_id);
      expect(recorded?.origin).toBe('experiment');
      expect(recorded?.predictionIds).toEqual([row.prediction_id]);
      // Iris is easy: a working model of either kind is right about most test flowers.
      expect(row.overall_accuracy).toBeGreaterThan(0.75);
    }
    const forestRow = rows.find((row) => row.model_name === 'iris-random-forest')!;
    expect(forestRow.hyperparameters).toMatchObject({ nEstimators: 25, seed: 7 });

    // The centroid experiment wrote its centroids into its outputs folder.
    const centroidRun = String(
      rows.find((row) => row.model_name === 'iris-nearest-centroid')!.run_id,
    );
    const outputs = experimentOutputsFolder(PROJECT, 'iris-nearest-centroid', centroidRun);
    const centroids = JSON.parse(await store.readText(`${outputs}centroids.json`)) as {
      centroids: { label: string }[];
    };
    expect(centroids.centroids.map((item) => item.label)).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ]);

    // The model_runs rows: registered names and params, metrics as the run's summary, and one
    // content-addressed copy of the data set for both runs.
    const modelRuns = await Promise.all(
      runs
        .filter((item) => item.origin === 'train_model')
        .map(async (item) => ({ run: item, row: (await readModelRun(store, item.id))! })),
    );
    for (const { run: trained, row } of modelRuns) {
      expect(row.datasetClass).toBe('iris');
      expect(row.modelClass).toBe(trained.experiment);
      expect(row.seed).toBe(42);
      expect(row.testFraction).toBe(0.3);
      expect(row.metrics.overall_accuracy).toBe(trained.summary.overall_accuracy?.last);
      expect(trained.predictionIds).toEqual([row.predictionId]);
    }
    const centroidModel = modelRuns.find(({ row }) => row.modelClass === 'nearest-centroid')!.row;
    expect(centroidModel.featureGeneratorClass).toBe('standardize');
    expect(centroidModel.hyperparameters).toEqual({ metric: 'euclidean' });
    expect(new Set(modelRuns.map(({ row }) => row.artifacts.dataset)).size).toBe(1);
    const artifacts: string[] = [];
    for await (const object of store.listAll('artifacts/')) artifacts.push(object.path);
    expect(artifacts).toEqual([modelRuns[0]!.row.artifacts.dataset]);
  }, 120_000);

  it('trains and writes nothing when run again with --on-duplicate skip', async () => {
    const before = await snapshot(store);
    const again = await run(entry, ['--store', storeFolder, '--on-duplicate', 'skip'], folder);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.match(/: skipped run /g)).toHaveLength(4);
    expect(await snapshot(store)).toEqual(before);
  }, 120_000);

  it('refuses a second run with --on-duplicate error before it writes anything', async () => {
    const before = await snapshot(store);
    const refused = await run(entry, ['--store', storeFolder, '--on-duplicate', 'error'], folder);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('onDuplicate is "error"');
    expect(await snapshot(store)).toEqual(before);
  }, 120_000);

  it('records nothing in debug mode, and asks for --on-duplicate when it is missing', async () => {
    const empty = join(folder, 'debug-store');
    const debug = await run(entry, ['--store', empty, '--on-duplicate', 'skip', '--debug'], folder);
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stdout.match(/: debug accuracy /g)).toHaveLength(2);
    const debugStore = await openStore(empty);
    try {
      expect([...(await snapshot(debugStore)).keys()]).toEqual([]);
    } finally {
      await debugStore.close();
    }

    const missing = await run(entry, ['--store', empty], folder);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--on-duplicate overwrite|duplicate|skip|error');
  }, 120_000);

  it('serves as the entry of a reproduction: importing it registers the classes and trains nothing', async () => {
    const forest = (await listRuns({ store, project: 'iris example' })).find(
      (item) => item.origin === 'train_model' && item.experiment === 'random-forest',
    )!;
    // What `ml-tracking reproduce` does in its child process: import the entry, then trainModel.
    const script = join(folder, 'reproduce.mts');
    await writeFile(
      script,
      [
        "import { pathToFileURL } from 'node:url';",
        "import { trainModel } from 'ml-tracking';",
        'const [entry, runId, store] = process.argv.slice(2);',
        'await import(pathToFileURL(entry).href);',
        'const result = await trainModel({ runId, store });',
        'process.stdout.write(JSON.stringify(result));',
      ].join('\n'),
    );
    const before = (await listRuns({ store })).length;
    const reproduced = await run(script, [entry, forest.id, storeFolder], folder);
    expect(reproduced.code, reproduced.stderr).toBe(0);
    const result = JSON.parse(reproduced.stdout) as {
      runId: string;
      reproduced: { runId: string; metricDifferences: Record<string, number> };
    };
    expect(result.reproduced.runId).toBe(forest.id);
    // A seeded forest on the stored data set and the recorded split: the same metrics exactly.
    const differences = Object.values(result.reproduced.metricDifferences);
    expect(differences.length).toBeGreaterThan(0);
    expect(differences.every((difference) => difference === 0)).toBe(true);
    // One new run, the reproduction: importing the entry did not train.
    expect((await listRuns({ store })).length).toBe(before + 1);
    expect((await readModelRun(store, result.runId))?.reproduces).toBe(forest.id);
  }, 120_000);
});
