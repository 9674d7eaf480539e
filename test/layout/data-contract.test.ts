import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  allTables,
  logExperiment,
  openStore,
  startRun,
  type ColumnType,
  type Store,
} from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import { Registry, type Samples } from '../../src/experiments/registry.js';
import { trainModel } from '../../src/experiments/train-model.js';

/** Predicts the label of the nearest training row (the first feature only). */
class NearestModel {
  private rows: [number, string][] = [];
  fit(x: number[][], y: string[]) {
    this.rows = x.map((row, index) => [row[0]!, y[index]!]);
  }
  predict(x: number[][]) {
    return x.map(
      (row) =>
        this.rows.reduce((best, next) =>
          Math.abs(next[0] - row[0]!) < Math.abs(best[0] - row[0]!) ? next : best,
        )[1],
    );
  }
}

/** Twelve awkward samples: labels and ids a spreadsheet would run as formulas, a missing value. */
class AwkwardDataset {
  constructor(private readonly params: { n: number }) {}
  load(): Promise<Samples> {
    return Promise.resolve({
      x: Array.from({ length: this.params.n }, (_, i) => [i, i % 2 === 0 ? null : 'odd, "q"']),
      y: Array.from({ length: this.params.n }, (_, i) => (i < this.params.n / 2 ? '=low' : 'high')),
      ids: Array.from({ length: this.params.n }, (_, i) => `-id+${i}`),
    });
  }
}

class ScaleFeatures {
  constructor(private readonly params: { factor: number }) {}
  transform(data: Samples): Samples {
    return { ...data, x: data.x.map((row) => [Number(row[0]) * this.params.factor]) };
  }
}

const parsesAs: Record<ColumnType, (cell: string) => boolean> = {
  text: () => true,
  number: (cell) => cell === '' || Number.isFinite(Number(cell)),
  integer: (cell) => cell === '' || Number.isInteger(Number(cell)),
  boolean: (cell) => ['', 'true', 'false'].includes(cell),
  datetime: (cell) =>
    cell === '' ||
    (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(cell) && !Number.isNaN(Date.parse(cell))),
  date: (cell) => cell === '' || /^\d{4}-\d\d-\d\d$/.test(cell),
  json: (cell) => {
    if (cell === '') return true;
    try {
      JSON.parse(cell);
      return true;
    } catch {
      return false;
    }
  },
  url: (cell) => cell === '' || URL.canParse(cell),
};

async function logSeveralRuns(store: Store) {
  const ids = (n: number) => Array.from({ length: n }, (_, index) => `id-${index}`);
  const base = {
    datasetUri: 'gs://b/d.csv',
    targetColumn: 'y',
    model: { name: 'M', params: { depth: 2 } },
  };
  await logExperiment({
    kind: 'classification',
    project: 'contract',
    parameters: { ...base, testSet: ids(4) },
    yTrue: ['a', 'b', 'c', 'a'],
    yPred: ['a', 'c', 'c', '=cmd'],
    store,
  });
  await logExperiment({
    kind: 'classification',
    project: 'contract',
    parameters: { ...base, testSet: ids(4) },
    yTrue: [0, 1, 1, 0],
    yPred: [0, 1, 0, 0],
    yScore: [0.1, 0.9, 0.4, 0.2],
    store,
  });
  await logExperiment({
    kind: 'classification',
    project: 'other, project',
    parameters: { ...base, testSet: ids(3) },
    yTrue: [true, false, true],
    yPred: [true, true, true],
    newCsv: true,
    store,
  });
  await logExperiment({
    kind: 'regression',
    project: 'contract',
    parameters: { ...base, testSet: ids(3) },
    yTrue: [1.5, -2, 3e-12],
    yPred: [1, -2.25, 0],
    extraParameters: { note: 'a "quoted", multi\nline note' },
    store,
  });
  await logExperiment({
    kind: 'regression',
    project: 'contract',
    parameters: { ...base, testSet: ids(1) },
    yTrue: [5],
    yPred: [5],
    store,
  });
  // A sweep with one trial, and a plain run with awkward tags and a captured log.
  const sweepId = '20261124T100000000Z-c0ffee00';
  await createSweepRecords(store, {
    sweepId,
    project: 'contract',
    createdAt: new Date().toISOString(),
    seed: 7,
    trialCount: 2,
    configFolder: '/nowhere',
    config: {
      main_script_name: 'train.py',
      hyperparameters: { lr: { type: 'log_uniform', min: 1e-5, max: 1 } },
      max_runs: 2,
      early_stopping: true,
      early_stopping_patience: 3,
      optimization_metric: 'Accuracy',
      optimization_goal: 'max',
    },
  });
  const trial = await startRun({
    project: 'contract',
    store,
    origin: 'sweep',
    sweepId,
    trial: 0,
    hyperparameters: { lr: 0.001 },
    captureLog: true,
    closeOnExit: false,
  });
  trial.addScalars({ Accuracy: 0.5, loss: 0.69 });
  trial.appendLog('epoch 1\n');
  await trial.finish({ status: 'early_stopped' });
  const run = await startRun({
    project: 'contract',
    name: 'a "quoted", name',
    store,
    hyperparameters: { layers: [64, 32], optimizer: { name: 'adam', beta: 0.9 } },
    closeOnExit: false,
  });
  for (const tag of ['val/loss', '-1+1', '=SUM(A1)', 'comma, tag', 'ünïcode']) {
    run.addScalar(tag, -0.25, 3);
  }
  run.setSummary({ test_accuracy: 0.9 });
  await run.finish({ error: new Error('diverged, at "step" 3') });
  // A trainModel run: a model_runs row, and its data set as a content-addressed artifact.
  // (allowDirty: this repository's tree may have uncommitted changes while one works on it.)
  const registry = new Registry()
    .model('=nearest', NearestModel)
    .dataset('awkward', AwkwardDataset)
    .featureGenerator('scale', ScaleFeatures);
  await trainModel({
    model: '=nearest',
    modelParams: { note: 'a "quoted", multi\nline note', '=x': [1, null] },
    featureGenerator: 'scale',
    featureGeneratorParams: { factor: 0.5 },
    dataset: 'awkward',
    datasetParams: { n: 12 },
    kind: 'classification',
    seed: 3,
    project: 'contract',
    store,
    registry,
    allowDirty: true,
    plots: false,
  });
}

describe('the data contract', () => {
  it("every CSV in a folder has exactly that folder's header, and every cell parses as its declared type", async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    await logSeveralRuns(store);
    const tables = allTables();
    const seen = new Map<string, number>();
    let plots = 0;
    for await (const object of store.listAll()) {
      // Not tables: a run's captured output, a sweep's description and trial claims, a run's
      // series index, training data sets and plots.
      if (object.path.startsWith('run-logs/')) {
        expect(object.path).toMatch(/^run-logs\/\d{8}T\d{9}Z-[0-9a-f]{8}\.log$/);
        continue;
      }
      if (object.path.startsWith('sweep-files/')) {
        expect(object.path).toMatch(
          /^sweep-files\/[^/]+\/(experiment_description\.json|(claims|progress)\/\d{6}\.json)$/,
        );
        continue;
      }
      if (object.path.startsWith('scalars-lod/')) {
        // A run's series index (not a table: no data source reads it).
        expect(object.path).toMatch(
          /^scalars-lod\/\d{8}T\d{9}Z-[0-9a-f]{8}\/v1\/(tags\.jsonl|level-\d{2}\.f64)$/,
        );
        continue;
      }
      if (object.path.startsWith('artifacts/')) {
        expect(object.path).toMatch(/^artifacts\/sha256\/[0-9a-f]{64}$/);
        continue;
      }
      if (object.path.startsWith('plots/')) {
        expect(object.path).toMatch(
          /^plots\/(classification|regression)\/[0-9a-f-]{36}_[a-z_]+\.(png|vl\.json)$/,
        );
        plots += 1;
        continue;
      }
      const folder = object.path.slice(0, object.path.lastIndexOf('/'));
      const table = tables.find((candidate) => candidate.folder === folder);
      expect(table, `${object.path} is in a folder the contract does not know`).toBeDefined();
      if (!table) continue;
      seen.set(folder, (seen.get(folder) ?? 0) + 1);
      const rows: string[][] = parse(await store.readText(object.path));
      expect(rows[0]).toEqual(table.columns.map((column) => column.name));
      for (const row of rows.slice(1)) {
        expect(row).toHaveLength(table.columns.length);
        table.columns.forEach((column, index) => {
          expect(
            parsesAs[column.type](row[index] ?? ''),
            `${object.path}: ${column.name}=${row[index]}`,
          ).toBe(true);
        });
      }
    }
    expect([...seen.keys()].sort()).toEqual(tables.map((table) => table.folder).sort());
    // 3 classification runs × 2 confusion matrices, + 3 curves for the one with yScore, + 2
    // regression runs × 2 plots: each a PNG and a spec.
    expect(plots).toBe(2 * (3 * 2 + 3 + 2 * 2));
  });

  it('every plot stored is referenced by its tracker row, and prediction_uri names the predictions file', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    await logSeveralRuns(store);
    const cells = new Set<string>();
    for await (const tracker of store.listAll('projects/')) {
      const rows = parse<Record<string, string>>(await store.readText(tracker.path), {
        columns: true,
      });
      for (const row of rows) {
        Object.values(row).forEach((cell) => cells.add(cell));
        const path = `predictions/${row.kind}/${row.prediction_id}.csv`;
        expect(row.prediction_uri).toBe(`${store.url}/${path}`);
        expect(await store.stat(path)).toBeDefined();
      }
    }
    let pngs = 0;
    for await (const object of store.listAll('plots/')) {
      if (!object.path.endsWith('.png')) continue;
      pngs += 1;
      expect(cells.has(store.objectUrl(object.path)), `${object.path} has no column`).toBe(true);
    }
    expect(pngs).toBe(3 * 2 + 3 + 2 * 2);
  });
});
