import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONFUSION_COLUMNS,
  logExperiment,
  openStore,
  predictionColumns,
  SCORING_COLUMNS,
  trackingColumns,
  type Store,
} from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';

class GradientBoostedTrees {
  getParams() {
    return { nEstimators: 100, learningRate: 0.1 };
  }
}

const run = promisify(execFile);
const sampleIds = ['s1', 's2', 's3', 's4', 's5', 's6'];
const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');

/** The call of the issue and the README, with a given store. */
function exampleCall(store: string | Store) {
  return logExperiment({
    kind: 'classification',
    project: 'tracker_testing_1_/first_run',
    parameters: {
      datasetUri: 'gs://my-bucket/datasets/soil.csv',
      targetColumn: 'texture',
      testSet: sampleIds,
      model: new GradientBoostedTrees(),
    },
    yTrue: ['clay', 'loam', 'sand', 'clay', 'loam', 'clay'],
    yPred: ['clay', 'loam', 'clay', 'clay', 'sand', 'clay'],
    extraParameters: { scaler: 'MinMaxScaler' },
    newCsv: false,
    store,
    plots: true,
  });
}

const records = (text: string) => parse<Record<string, string>>(text, { columns: true });
const headerOf = (text: string) => text.slice(0, text.indexOf('\n')).split(',');
const names = (columns: readonly { name: string }[]) => columns.map((column) => column.name);

describe('logExperiment: the example call', () => {
  let fake: GcsFake;
  let root: string;
  beforeAll(async () => {
    fake = await startGcsFake();
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-log-'));
  });
  afterAll(async () => {
    await fake.stop();
    await rm(root, { recursive: true, force: true });
  });

  const stores: [string, () => Promise<Store>][] = [
    ['memory', () => openStore(`memory://${randomUUID()}`)],
    ['local folder', () => openStore(join(root, randomUUID()))],
    [
      'GCS fake',
      () => openStore(`gs://log-bucket/${randomUUID()}`, { storage: fake.createClient() }),
    ],
  ];

  it.each(stores)('records every table and one tracker row on the %s store', async (_, open) => {
    const store = await open();
    const logged = await exampleCall(store);

    expect(logged.project).toBe('tracker-testing-1-first-run');
    expect(logged.tracker).toBe(
      `projects/classification/tracker-testing-1-first-run_${today}_1.csv`,
    );
    expect(logged.scores.overall_accuracy).toBeCloseTo(4 / 6, 12);
    expect(logged.scores.log_loss).toBeUndefined();

    const tracker = await store.readText(logged.tracker);
    expect(headerOf(tracker)).toEqual(names(trackingColumns('classification')));
    const [row, ...others] = records(tracker);
    expect(others).toEqual([]);
    // The predictions file's URL as the store names it: gs:// on GCS, not the console URL.
    const predictionsUri = `${store.url}/predictions/classification/${logged.predictionId}.csv`;
    expect(predictionsUri).toMatch(/^(memory:\/\/|file:\/\/\/|gs:\/\/log-bucket\/)/);
    if (store.kind === 'local') expect(predictionsUri).toBe(logged.files.predictions.url);
    expect(row).toMatchObject({
      prediction_id: logged.predictionId,
      prediction_uri: predictionsUri,
      project: 'tracker-testing-1-first-run',
      kind: 'classification',
      dataset_uri: 'gs://my-bucket/datasets/soil.csv',
      target_column: 'texture',
      test_set_size: '6',
      model: 'GradientBoostedTrees',
      hyperparameters: '{"nEstimators":100,"learningRate":0.1}',
      extra_parameters: '{"scaler":"MinMaxScaler"}',
      n_classes: '3',
      log_loss: '',
      roc_auc: '',
    });
    expect(row?.date).toBe(row?.logged_at?.slice(0, 10));
    expect(row?.test_set_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(row?.overall_accuracy)).toBe(logged.scores.overall_accuracy);

    const predictions = await store.readText(logged.files.predictions.path);
    expect(logged.files.predictions.path).toBe(
      `predictions/classification/${logged.predictionId}.csv`,
    );
    expect(headerOf(predictions)).toEqual(names(predictionColumns('classification')));
    expect(records(predictions).map((r) => [r.sample_id, r.y_true, r.y_pred, r.correct])).toEqual([
      ['s1', 'clay', 'clay', 'true'],
      ['s2', 'loam', 'loam', 'true'],
      ['s3', 'sand', 'clay', 'false'],
      ['s4', 'clay', 'clay', 'true'],
      ['s5', 'loam', 'sand', 'false'],
      ['s6', 'clay', 'clay', 'true'],
    ]);

    const confusion = await store.readText(logged.files.confusion!.path);
    expect(headerOf(confusion)).toEqual(names(CONFUSION_COLUMNS));
    const counts = records(confusion);
    expect(counts).toHaveLength(9);
    expect(counts.find((r) => r.actual === 'sand' && r.predicted === 'clay')?.count).toBe('1');
    expect(counts.find((r) => r.actual === 'sand' && r.predicted === 'sand')?.count).toBe('0');

    const scoring = records(await store.readText(logged.files.scoring.path));
    expect(headerOf(await store.readText(logged.files.scoring.path))).toEqual(
      names(SCORING_COLUMNS),
    );
    expect(scoring.find((r) => r.metric === 'f1_macro' && r.class === '')?.value).toBe(
      String(logged.scores.f1_macro),
    );
    expect(scoring.find((r) => r.metric === 'support' && r.class === 'clay')?.value).toBe('3');
    expect(scoring.filter((r) => r.class !== '').map((r) => r.metric)).toEqual(
      ['clay', 'loam', 'sand'].flatMap(() => ['precision', 'recall', 'f1', 'support']),
    );
    await store.close();
  });

  it('logs a regression with residuals and full-precision metrics', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    const yTrue = [3, -0.5, 2, 7];
    const yPred = [2.5, 0.0, 2, 8];
    const logged = await logExperiment({
      kind: 'regression',
      project: 'Soil Carbon/2024 Q1',
      parameters: {
        datasetUri: 'file:///data.csv',
        targetColumn: 'carbon',
        testSet: [1, 2, 3, 4],
        model: { name: 'Ridge', params: { alpha: 0.5 } },
      },
      yTrue,
      yPred,
      store,
    });
    expect(logged.project).toBe('soil-carbon-2024-q1');
    // scikit-learn: mean_squared_error([3,-0.5,2,7],[2.5,0,2,8]) = 0.375, r2 = 0.9486081370449679
    expect(logged.scores.mse).toBe(0.375);
    expect(logged.scores.rsquared).toBeCloseTo(0.9486081370449679, 14);
    const [row] = records(await store.readText(logged.tracker));
    expect(row).toMatchObject({ model: 'Ridge', hyperparameters: '{"alpha":0.5}', mse: '0.375' });
    expect(Number(row?.rsquared)).toBe(logged.scores.rsquared);
    const predictions = records(await store.readText(logged.files.predictions.path));
    expect(predictions.map((r) => Number(r.residual))).toEqual([-0.5, 0.5, 0, 1]);
    expect(logged.files.confusion).toBeUndefined();
  });
});

describe('logExperiment: plots', () => {
  const isPng = (bytes: Uint8Array) =>
    Buffer.from(bytes.subarray(0, 8)).equals(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );

  it('renders the confusion matrix as PNG with its spec, and puts its URL in the tracker row', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    const logged = await exampleCall(store);
    expect(Object.keys(logged.plots).sort()).toEqual([
      'confusion_matrix',
      'confusion_matrix_normalized',
    ]);
    const plot = logged.plots.confusion_matrix!;
    expect(plot.path).toBe(`plots/classification/${logged.predictionId}_confusion_matrix.png`);
    expect(isPng(await store.read(plot.path))).toBe(true);
    const spec = JSON.parse(await store.readText(plot.path.replace(/\.png$/, '.vl.json'))) as {
      data: { values: unknown[] };
    };
    expect(spec.data.values.length).toBeGreaterThan(0);
    const [row] = records(await store.readText(logged.tracker));
    expect(row).toMatchObject({
      plot_confusion_matrix: plot.url,
      plot_confusion_matrix_normalized: logged.plots.confusion_matrix_normalized!.url,
      plot_regression: '',
      plot_residuals: '',
      // No yScore: no curves.
      plot_roc: '',
      plot_precision_recall: '',
      plot_calibration: '',
    });
  });

  it.each([
    ['binary, one probability per sample', [0, 1, 1, 0, 1, 0], [0.2, 0.7, 0.9, 0.4, 0.3, 0.1]],
    [
      'three classes, a row per sample',
      ['clay', 'loam', 'sand', 'clay', 'loam', 'sand'],
      [
        [0.7, 0.2, 0.1],
        [0.1, 0.6, 0.3],
        [0.2, 0.2, 0.6],
        [0.5, 0.4, 0.1],
        [0.3, 0.3, 0.4],
        [0.1, 0.1, 0.8],
      ],
    ],
  ] as const)(
    'with yScore (%s): ROC, precision–recall and calibration too, every PNG stored referenced by the row',
    async (_, yTrue, yScore) => {
      const store = await openStore(`memory://${randomUUID()}`);
      const logged = await logExperiment({
        kind: 'classification',
        project: 'curves',
        parameters: { datasetUri: 'x', targetColumn: 'y', testSet: sampleIds, model: {} },
        yTrue: [...yTrue],
        yPred: [...yTrue].reverse(),
        yScore,
        store,
      });
      expect(Object.keys(logged.plots).sort()).toEqual([
        'calibration',
        'confusion_matrix',
        'confusion_matrix_normalized',
        'precision_recall',
        'roc',
      ]);
      const [row] = records(await store.readText(logged.tracker));
      const stored = (await store.list(`plots/classification/${logged.predictionId}_`)).objects
        .map((object) => object.path)
        .filter((path) => path.endsWith('.png'));
      expect(stored).toHaveLength(5);
      const referenced = Object.entries(row!).filter(([name]) => name.startsWith('plot_'));
      for (const path of stored) {
        expect(
          referenced.filter(([, url]) => url === store.objectUrl(path)),
          `${path} has a column`,
        ).toHaveLength(1);
        expect(isPng(await store.read(path))).toBe(true);
      }
      expect(row).toMatchObject({
        plot_roc: logged.plots.roc!.url,
        plot_precision_recall: logged.plots.precision_recall!.url,
        plot_calibration: logged.plots.calibration!.url,
      });
      // The ROC legend's AUC is the tracker's roc_auc (binary), or the subtitle's macro AUC.
      const spec = await store.readText(logged.plots.roc!.path.replace(/\.png$/, '.vl.json'));
      expect(spec).toContain(`AUC ${Number(row!.roc_auc).toFixed(3)}`);
    },
  );

  it('renders predicted-vs-actual and residuals for a regression; plots: false renders nothing', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    const parameters = {
      datasetUri: 'x',
      targetColumn: 'y',
      testSet: ['a', 'b', 'c'],
      model: { name: 'M', params: {} },
    };
    const logged = await logExperiment({
      kind: 'regression',
      project: 'plots',
      parameters,
      yTrue: [1, 2, 3],
      yPred: [1.1, 1.9, 3.2],
      store,
    });
    const [row] = records(await store.readText(logged.tracker));
    expect(row?.plot_regression).toBe(logged.plots.regression?.url);
    expect(row?.plot_residuals).toBe(logged.plots.residuals?.url);
    expect(isPng(await store.read(logged.plots.residuals!.path))).toBe(true);

    const quiet = await logExperiment({
      kind: 'regression',
      project: 'plots',
      parameters,
      yTrue: [1, 2, 3],
      yPred: [1, 2, 3],
      plots: false,
      store,
    });
    expect(quiet.plots).toEqual({});
    expect((await store.list(`plots/regression/${quiet.predictionId}`)).objects).toEqual([]);
    const rows = records(await store.readText(quiet.tracker));
    expect(rows.at(-1)).toMatchObject({ plot_regression: '', plot_residuals: '' });
  });
});

describe('logExperiment: many classes', () => {
  it('logs 10,000 classes: the pairs that occur, per-class scores from counts, a plot of the top 30', async () => {
    const k = 10_000;
    const label = (c: number) => `c${String(c).padStart(5, '0')}`;
    // Classes 0–39 have 400, 395, … 205 samples; the other 9,960 have 2 each.
    const yTrue: string[] = [];
    for (let c = 0; c < k; c += 1) {
      for (let r = 0; r < (c < 40 ? 400 - 5 * c : 2); r += 1) yTrue.push(label(c));
    }
    // Every fifth sample is predicted as a class that depends on its position.
    const yPred = yTrue.map((actual, i) => (i % 5 === 0 ? label((i * 7919) % k) : actual));
    const store = await openStore(`memory://${randomUUID()}`);
    const logged = await logExperiment({
      kind: 'classification',
      project: 'many classes',
      parameters: {
        datasetUri: 'x',
        targetColumn: 'y',
        testSet: yTrue.map((_, i) => i),
        model: { name: 'M', params: {} },
      },
      yTrue,
      yPred,
      store,
    });
    expect(logged.scores.n_classes).toBe(k);

    const pairs = new Map<string, number>();
    yTrue.forEach((actual, i) => {
      const key = `${actual} ${yPred[i]!}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    });
    const confusion = records(await store.readText(logged.files.confusion!.path));
    expect(confusion).toHaveLength(pairs.size);
    for (const row of confusion) {
      expect(Number(row.count)).toBe(pairs.get(`${row.actual} ${row.predicted}`));
    }

    // Per-class scores of one class, from its true and false positives and negatives.
    const scoring = records(await store.readText(logged.files.scoring.path));
    expect(scoring.filter((r) => r.class !== '')).toHaveLength(4 * k);
    const c7 = label(7);
    const tp = yTrue.filter((actual, i) => actual === c7 && yPred[i] === c7).length;
    const predicted = yPred.filter((p) => p === c7).length;
    const support = yTrue.filter((actual) => actual === c7).length;
    const value = (metric: string) =>
      Number(scoring.find((r) => r.metric === metric && r.class === c7)?.value);
    expect(value('support')).toBe(support);
    expect(value('precision')).toBeCloseTo(tp / predicted, 15);
    expect(value('recall')).toBeCloseTo(tp / support, 15);

    const spec = JSON.parse(
      await store.readText(logged.plots.confusion_matrix!.path.replace(/\.png$/, '.vl.json')),
    ) as { data: { values: unknown[] }; encoding: { y: { sort: string[] } }; title: unknown };
    expect(spec.encoding.y.sort).toEqual(Array.from({ length: 30 }, (_, c) => label(c)));
    expect(spec.data.values).toHaveLength(30 * 30);
    expect(JSON.stringify(spec.title)).toContain('30 most frequent actual classes of 10,000');
  });
});

describe('logExperiment: a predictions table of many chunks', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-log-chunks-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['memory', () => openStore(`memory://${randomUUID()}`)],
    ['local folder', () => openStore(join(root, randomUUID()))],
  ] as const)('stores every row, in order, on the %s store', async (_, open) => {
    // About 3 MB of CSV: several chunks of the predictions table.
    const n = 40_000;
    const yTrue = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1000);
    const yPred = Float64Array.from(yTrue, (value, i) => value + Math.cos(i) / 3);
    const store = await open();
    const logged = await logExperiment({
      kind: 'regression',
      project: 'chunks',
      parameters: {
        datasetUri: 'x',
        targetColumn: 'y',
        testSet: Array.from({ length: n }, (_, i) => `sample-${i}`),
        model: { name: 'M', params: {} },
      },
      yTrue,
      yPred,
      plots: false,
      store,
    });
    const text = await store.readText(logged.files.predictions.path);
    expect(text.length).toBeGreaterThan(2.5e6);
    const rows = records(text);
    expect(rows).toHaveLength(n);
    rows.forEach((row, i) => {
      expect(row.sample_id).toBe(`sample-${i}`);
      expect(Number(row.y_true)).toBe(yTrue[i]);
      expect(Number(row.y_pred)).toBe(yPred[i]);
    });
    await store.close();
  });
});

describe('logExperiment: git state', () => {
  it('records the commit; the default store folder inside the repository never makes it dirty', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'ml-tracking-log-git-'));
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    try {
      await git('init', '--quiet');
      await writeFile(join(repo, 'train.ts'), 'train();\n');
      await git('add', 'train.ts');
      await git('commit', '--quiet', '-m', 'first');
      const call = () =>
        logExperiment({
          kind: 'classification',
          project: 'git',
          parameters: { datasetUri: 'x', targetColumn: 'y', testSet: ['a', 'b'], model: {} },
          yTrue: [1, 0],
          yPred: [1, 1],
          plots: false,
          cwd: repo,
        });
      await call();
      const second = await call();
      // An uncommitted script does count.
      await writeFile(join(repo, 'train-v2.ts'), 'trainBetter();\n');
      await call();
      const rows = records(await readFile(join(repo, 'ml-tracking', second.tracker), 'utf8'));
      const { stdout: head } = await git('rev-parse', 'HEAD');
      expect(rows.map((row) => [row.git_commit, row.git_dirty])).toEqual([
        [head.trim(), 'false'],
        [head.trim(), 'false'],
        [head.trim(), 'true'],
      ]);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});

describe('logExperiment: the tracker row is the commit point', () => {
  it('leaves no row when an output table cannot be written', async () => {
    const inner = await openStore(`memory://${randomUUID()}`);
    const failing: Store = {
      ...inner,
      write: (path, data, options) =>
        path.startsWith('scoring/')
          ? Promise.reject(new Error('disk full'))
          : inner.write(path, data, options),
    };
    await expect(exampleCall(failing)).rejects.toThrow('disk full');
    const trackers = (await inner.list('projects/')).objects;
    for (const tracker of trackers) expect(records(await inner.readText(tracker.path))).toEqual([]);
  });
});
