import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/experiments/compare-runs.js';
import { trainModel, type TrainModelOptions } from '../../src/experiments/train-model.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { readModelRun } from '../../src/records/model-run-records.js';
import { startRun } from '../../src/runs/start-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { tempRepository, testRegistry } from './_train-fixtures.js';

let repository: Awaited<ReturnType<typeof tempRepository>>;
let store: Store;
const registry = testRegistry();

const train = (extra: Partial<TrainModelOptions>) =>
  trainModel({
    model: 'nearest-centroid',
    modelParams: { shrink: 0 },
    dataset: 'two-blobs',
    datasetParams: { n: 60 },
    kind: 'classification',
    seed: 7,
    project: 'compare',
    store,
    cwd: repository.path,
    registry,
    plots: false,
    ...extra,
  });

beforeAll(async () => {
  repository = await tempRepository();
  store = await openStore(`memory://compare-${randomUUID()}`);
});
afterAll(() => repository.remove());

describe('compareRuns', () => {
  it('puts the parameters that differ first, then those that are the same, then the metrics', async () => {
    const a = await train({ modelParams: { shrink: 0 } });
    const b = await train({ modelParams: { shrink: 0.9 } });
    const comparison = await compareRuns([a.runId, b.runId], { store });
    expect(comparison.runs.map((run) => run.id)).toEqual([a.runId, b.runId]);
    const differ = comparison.parameters.filter((row) => row.differs);
    expect(differ).toEqual([{ name: 'hyperparameters.shrink', values: [0, 0.9], differs: true }]);
    expect(comparison.parameters[0]).toBe(differ[0]);
    const same = Object.fromEntries(
      comparison.parameters.filter((row) => !row.differs).map((row) => [row.name, row.values[0]]),
    );
    const row = await readModelRun(store, a.runId);
    expect(same).toMatchObject({
      'hyperparameters.algorithm': 'nearest-centroid',
      model_class: 'nearest-centroid',
      dataset_class: 'two-blobs',
      'dataset_params.n': 60,
      dataset: row?.artifacts.dataset,
      seed: 7,
      test_fraction: 0.2,
      git_commit: repository.head(),
      git_dirty: false,
    });
    // No feature generator in either run: no row for it.
    expect(comparison.parameters.map((row) => row.name)).not.toContain('feature_generator_class');
    const accuracy = comparison.metrics.find((row) => row.name === 'overall_accuracy');
    expect(accuracy?.values).toEqual([a.metrics.overall_accuracy, b.metrics.overall_accuracy]);
    expect(comparison.orderedBy).toBeUndefined();
  });

  it('orders the runs best first by a metric, as its goal says', async () => {
    const runs = await Promise.all(
      [0, 0.5, 0.95].map((shrink) => train({ modelParams: { shrink } })),
    );
    const ids = runs.map((run) => run.runId);
    const accuracy = await compareRuns(ids, { store, metric: 'overall_accuracy' });
    expect(accuracy.orderedBy).toEqual({ metric: 'overall_accuracy', goal: 'higher' });
    expect(accuracy.metrics[0]!.name).toBe('overall_accuracy');
    const values = accuracy.metrics[0]!.values as number[];
    expect(values).toEqual([...values].sort((x, y) => y - x));
    expect(new Set(values).size).toBeGreaterThan(1);

    // Errors lower first, a bias closest to zero first, an unknown tag in the order given.
    const loggers: string[] = [];
    for (const [rmse, mbe, loss] of [
      [2, -0.5, 3],
      [1, 0.9, 1],
      [3, 0.1, 2],
    ]) {
      const logger = await startRun({ project: 'compare', store, closeOnExit: false });
      logger.setSummary({ rmse: rmse!, mbe: mbe!, loss: loss! });
      await logger.finish();
      loggers.push(logger.id);
    }
    const order = async (metric: string) =>
      (await compareRuns(loggers, { store, metric })).metrics[0]!.values;
    expect(await order('rmse')).toEqual([1, 2, 3]);
    expect(await order('mbe')).toEqual([0.1, -0.5, 0.9]);
    expect(await order('loss')).toEqual([3, 1, 2]);
  });

  it('compares any runs: a logger run beside a trainModel run, the data set and classes only where recorded', async () => {
    const trained = await train({ seed: 11 });
    const logger = await startRun({
      project: 'compare',
      store,
      hyperparameters: { shrink: 0, lr: 0.1 },
      closeOnExit: false,
    });
    logger.setSummary({ overall_accuracy: 0.5 });
    await logger.finish();
    const comparison = await compareRuns([logger.id, trained.runId], {
      store,
      metric: 'overall_accuracy',
    });
    expect(comparison.runs.map((run) => run.origin)).toEqual(['train_model', 'logger']);
    const byName = Object.fromEntries(comparison.parameters.map((row) => [row.name, row]));
    expect(byName.model_class).toEqual({
      name: 'model_class',
      values: ['nearest-centroid', null],
      differs: true,
    });
    expect(byName['hyperparameters.lr']?.values).toEqual([null, 0.1]);
    expect(byName['hyperparameters.shrink']?.differs).toBe(false);
  });

  it('rejects no ids, a malformed or repeated id, an unknown run and a metric no run has', async () => {
    const a = await train({});
    await expect(compareRuns([], { store })).rejects.toMatchObject({ parameter: 'runIds' });
    await expect(compareRuns(['x'], { store })).rejects.toMatchObject({ parameter: 'runId' });
    await expect(compareRuns([a.runId, a.runId], { store })).rejects.toThrow(/given twice/);
    await expect(compareRuns([a.runId, '20261124T101530123Z-1a2b3c4d'], { store })).rejects.toThrow(
      NotFoundError,
    );
    const error = compareRuns([a.runId], { store, metric: 'overall_acuracy' });
    await expect(error).rejects.toThrow(ValidationError);
    await expect(error).rejects.toThrow(/Did you mean overall_accuracy\?/);
  });
});
