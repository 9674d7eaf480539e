import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  findExperiment,
  logExperiment,
  NotFoundError,
  openStore,
  ValidationError,
  type ExperimentKind,
  type Store,
} from '../../src/index.js';
import { metricNames } from '../../src/layout/tables.js';
import { createStore } from '../../src/store/create-store.js';
import { createMemoryDriver } from '../../src/store/drivers/memory.js';

const base = { datasetUri: 'd', targetColumn: 't', testSet: ['a', 'b', 'c', 'd'] };

const logRegression = (store: Store, project: string, newCsv = false) =>
  logExperiment({
    kind: 'regression',
    project,
    parameters: { ...base, model: { name: 'Ridge', params: { alpha: 0.5 } } },
    yTrue: [1, 2, 3, 4],
    yPred: [1, 3, 3, 4],
    newCsv,
    plots: false,
    store,
  });

const logClassification = (store: Store, project: string) =>
  logExperiment({
    kind: 'classification',
    project,
    parameters: { ...base, model: { name: 'Forest', params: { trees: 10 } } },
    yTrue: ['x', 'y', 'x', 'y'],
    yPred: ['x', 'y', 'y', 'y'],
    plots: false,
    store,
  });

/** A memory store that records the path of every object read. */
function watchedStore() {
  const driver = createMemoryDriver({ name: randomUUID() });
  const reads: string[] = [];
  const store = createStore({
    ...driver,
    read: (path, range) => {
      reads.push(path);
      return driver.read(path, range);
    },
    readStream: (path) => {
      reads.push(path);
      return driver.readStream(path);
    },
  });
  return { store, reads };
}

describe('findExperiment', () => {
  it.each([
    ['lower case', (id: string) => id],
    ['upper case', (id: string) => id.toUpperCase()],
    ['mixed case', (id: string) => id.replace(/[a-f]/, (c) => c.toUpperCase())],
  ])('finds a run by its prediction id in %s', async (_, spell) => {
    const store = await openStore(`memory://${randomUUID()}`);
    const { predictionId } = await logRegression(store, 'find me');
    expect(predictionId).toBe(predictionId.toLowerCase());
    const found = await findExperiment(store, spell(predictionId));
    expect(found.predictionId).toBe(predictionId);
    expect(found.fields.prediction_id).toBe(predictionId);
  });

  it('returns each value once, typed: the row fields, the overall metrics, the per-class table', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    const logged = await logClassification(store, 'Typed Run');
    const found = await findExperiment(store, logged.predictionId);

    expect(found).toMatchObject({
      predictionId: logged.predictionId,
      project: 'typed-run',
      kind: 'classification',
      tracker: logged.tracker,
    });
    expect(found.fields).toMatchObject({
      model: 'Forest',
      test_set_size: 4,
      hyperparameters: { trees: 10 },
      extra_parameters: {},
      feature_importance: null,
      plot_confusion_matrix: null,
    });
    // Metrics live in `metrics` only, numbers with null where undefined for the run.
    expect(Object.keys(found.metrics)).toEqual(metricNames('classification'));
    for (const metric of metricNames('classification'))
      expect(found.fields).not.toHaveProperty(metric);
    expect(found.metrics).toMatchObject({ overall_accuracy: 0.75, n_classes: 2, log_loss: null });
    expect(found.metrics.f1_macro).toBe(logged.scores.f1_macro);

    expect(found.perClass.map((row) => row.class)).toEqual(['x', 'y']);
    expect(found.perClass[0]!.metrics).toEqual({
      precision: 1,
      recall: 0.5,
      f1: 2 / 3,
      support: 2,
    });
    expect(found.perClass[1]!.metrics).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });

    const regression = await findExperiment(store, (await logRegression(store, 'r')).predictionId);
    expect(regression.perClass).toEqual([]);
    expect(regression.metrics.mae).toBe(0.25);
  });

  it("reads the scoring table and that project's trackers only, newest first", async () => {
    const { store, reads } = watchedStore();
    await logClassification(store, 'other');
    await logRegression(store, 'soil-carbon');
    const older = await logRegression(store, 'soil');
    const newer = await logRegression(store, 'soil', true);
    expect(newer.tracker).not.toBe(older.tracker);

    reads.length = 0;
    expect((await findExperiment(store, newer.predictionId)).tracker).toBe(newer.tracker);
    expect(reads).toEqual([`scoring/${newer.predictionId}.csv`, newer.tracker]);

    reads.length = 0;
    expect((await findExperiment(store, older.predictionId)).tracker).toBe(older.tracker);
    expect(reads).toEqual([`scoring/${older.predictionId}.csv`, newer.tracker, older.tracker]);
  });

  it('still finds a run whose scoring table is gone, by searching every tracker', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    await logClassification(store, 'other');
    const logged = await logRegression(store, 'soil');
    await store.delete(logged.files.scoring.path);
    const found = await findExperiment(store, logged.predictionId);
    expect(found.tracker).toBe(logged.tracker);
    expect(found.metrics.mae).toBe(0.25);
    expect(found.perClass).toEqual([]);
  });

  it('rejects what is not a UUID, and reports an unknown or uncommitted one as not found', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    await logRegression(store, 'soil');
    await expect(findExperiment(store, 'not-a-uuid')).rejects.toBeInstanceOf(ValidationError);
    await expect(findExperiment(store, randomUUID().toUpperCase())).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // Outputs written, row never appended (a crash in between): not an experiment.
    const uncommitted = randomUUID();
    const kind: ExperimentKind = 'regression';
    await store.write(
      `scoring/${uncommitted}.csv`,
      `prediction_id,project,kind,metric,class,value\n${uncommitted},soil,${kind},mae,,1\n`,
    );
    await expect(findExperiment(store, uncommitted)).rejects.toBeInstanceOf(NotFoundError);
  });
});
