/*
 * SupervisedExperiment: evaluate predicts the test part and logs it with logExperiment into the
 * same store, so the logged experiment's tracker row, scoring and predictions exist, its
 * prediction id is linked in the run record and carried by the experiment tracker row, and the
 * core's scores are the results. Debug mode scores the same way and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTable } from '../../src/csv/decode.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import {
  SupervisedExperiment,
  type SupervisedData,
  type SupervisedExperimentOptions,
} from '../../src/experiments/supervised-experiment.js';
import {
  experimentTrackerPath,
  plotPath,
  predictionsPath,
  scoringPath,
} from '../../src/layout/paths.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { regressionMetrics } from '../../src/metrics/regression.js';
import { getRun } from '../../src/runs/read-runs.js';
import type { Store } from '../../src/store/types.js';
import { openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

type Points = number[][];

/** Predicts the class of the nearest class mean: small, deterministic, no dependency. */
class NearestCentroid {
  readonly name = 'NearestCentroid';
  readonly params = { metric: 'euclidean' };
  centroids = new Map<string, number[]>();

  fit(x: Points, y: string[]): this {
    const sums = new Map<string, { sum: number[]; count: number }>();
    x.forEach((point, index) => {
      const label = y[index]!;
      const entry = sums.get(label) ?? { sum: point.map(() => 0), count: 0 };
      entry.sum = entry.sum.map((value, axis) => value + point[axis]!);
      entry.count += 1;
      sums.set(label, entry);
    });
    for (const [label, { sum, count }] of sums) {
      this.centroids.set(
        label,
        sum.map((value) => value / count),
      );
    }
    return this;
  }

  predict(x: Points): string[] {
    return x.map((point) => {
      let best = '';
      let bestDistance = Infinity;
      for (const [label, centroid] of this.centroids) {
        const distance = centroid.reduce(
          (sum, value, axis) => sum + (value - point[axis]!) ** 2,
          0,
        );
        if (distance < bestDistance) [best, bestDistance] = [label, distance];
      }
      return best;
    });
  }
}

const SPLIT: SupervisedData<Points, string[]> = {
  xTrain: [
    [0, 0],
    [0, 1],
    [1, 0],
    [5, 5],
    [5, 6],
    [6, 5],
  ],
  yTrain: ['low', 'low', 'low', 'high', 'high', 'high'],
  xTest: [
    [0.5, 0.5],
    [5.5, 5.5],
    [3.5, 3.5],
    [1, 1],
    [2.6, 2.6],
  ],
  yTest: ['low', 'high', 'low', 'low', 'high'],
  testIds: ['s1', 's2', 's3', 's4', 's5'],
};

class Centroids extends SupervisedExperiment<Points, string[], NearestCentroid> {
  modelName = 'nearest-centroid';
  override kind = 'classification' as const;
  override datasetUri = 'memory://fixtures/points.csv';
  override targetColumn = 'level';
  override hyperparameters = { metric: 'euclidean' };
  trainedOn: Points[] = [];

  override preprocess(): Promise<SupervisedData<Points, string[]>> {
    return Promise.resolve(SPLIT);
  }

  train(data: SupervisedData<Points, string[]>): Promise<NearestCentroid> {
    this.trainedOn.push(data.xTrain);
    return Promise.resolve(new NearestCentroid().fit(data.xTrain, data.yTrain));
  }

  predict(model: NearestCentroid, x: Points): string[] {
    return model.predict(x);
  }
}

/** y = mean of the training targets, whatever x is. */
class MeanRegressor extends SupervisedExperiment<
  number[],
  number[],
  { name: string; params: object; mean: number }
> {
  modelName = 'mean-regressor';

  train(data: SupervisedData<number[], number[]>) {
    const mean = data.yTrain.reduce((sum, value) => sum + value, 0) / data.yTrain.length;
    return Promise.resolve({ name: 'MeanRegressor', params: {}, mean });
  }

  predict(model: { mean: number }, x: number[]): number[] {
    return x.map(() => model.mean);
  }
}

const EXPECTED = classificationMetrics(
  SPLIT.yTest,
  new NearestCentroid().fit(SPLIT.xTrain, SPLIT.yTrain).predict(SPLIT.xTest),
);

// Two of the five test points fall on the wrong side: the scores are not trivially 0 or 1.
if (EXPECTED.overall.overall_accuracy !== 0.6) throw new Error('the fixture changed');

async function everything(store: Store): Promise<string[]> {
  const objects: string[] = [];
  for await (const object of store.listAll('')) objects.push(`${object.path}@${object.generation}`);
  return objects;
}

/** The row of the logged experiment's tracker (`projects/<kind>/…csv`) with this prediction id. */
async function loggedRow(store: Store, kind: string, predictionId: string) {
  for await (const object of store.listAll(`projects/${kind}/`)) {
    const row = decodeTable(await store.readText(object.path)).find(
      (candidate) => candidate.prediction_id === predictionId,
    );
    if (row) return row;
  }
  return undefined;
}

for (const kind of ['memory', 'local', 'gcs-fake'] as const) {
  describe(`SupervisedExperiment on ${kind}`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());
    const project = () => `supervised ${randomUUID().slice(0, 8)}`;
    const plots = kind === 'memory';

    it('logs the test predictions with logExperiment and links them to the run and its row', async () => {
      const experiment = new Centroids({ project: project(), store, plots });
      const result = await experiment.run({ onDuplicate: 'error' });
      expect(result.status).toBe('recorded');
      if (result.status !== 'recorded') return;
      expect(experiment.xTrain).toBe(SPLIT.xTrain);
      expect(experiment.yTest).toBe(SPLIT.yTest);

      const predictionId = result.row.prediction_id as string;
      expect(predictionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(experiment.predictionId).toBe(predictionId);

      // The run links the prediction and carries the core's scores as its results.
      const run = await getRun(result.runId, { store });
      expect(run.predictionIds).toEqual([predictionId]);
      expect(run.origin).toBe('experiment');
      expect(run.summary.overall_accuracy?.last).toBe(EXPECTED.overall.overall_accuracy);
      expect(run.summary.f1_macro?.last).toBe(EXPECTED.overall.f1_macro);

      // The experiment tracker row carries the same id and scores.
      const rows = (await ModelTracker.load(store, result.tracker)).toRecords();
      expect(rows).toEqual([result.row]);
      expect(result.row).toMatchObject({
        model_name: 'nearest-centroid',
        run_id: result.runId,
        prediction_id: predictionId,
        overall_accuracy: EXPECTED.overall.overall_accuracy,
        hyperparameters: { metric: 'euclidean' },
      });

      // The core recorded it as every logged experiment: tracker row, predictions, scoring.
      const row = await loggedRow(store, 'classification', predictionId);
      expect(row).toMatchObject({
        project: experiment.project,
        dataset_uri: 'memory://fixtures/points.csv',
        target_column: 'level',
        test_set_size: '5',
        model: 'NearestCentroid',
      });
      expect(Number(row?.overall_accuracy)).toBe(EXPECTED.overall.overall_accuracy);
      expect(JSON.parse(row?.extra_parameters ?? '{}')).toEqual({
        model_name: 'nearest-centroid',
        run_id: result.runId,
        hyperparameters: { metric: 'euclidean' },
      });
      const predictions = decodeTable(
        await store.readText(predictionsPath('classification', predictionId)),
      );
      expect(predictions.map((line) => line.sample_id)).toEqual(SPLIT.testIds);
      expect(await store.stat(scoringPath(predictionId))).toBeDefined();
      const plot = await store.stat(
        plotPath('classification', predictionId, 'confusion_matrix', 'png'),
      );
      expect(plot !== undefined).toBe(plots);
    });

    it('takes its split from the options and scores a regression', async () => {
      const data: SupervisedData<number[], number[]> = {
        xTrain: [1, 2, 3, 4],
        yTrain: [2, 4, 6, 8],
        xTest: [5, 6, 7],
        yTest: [10, 12, 14],
      };
      const options: SupervisedExperimentOptions<number[], number[]> = {
        project: project(),
        store,
        kind: 'regression',
        datasetUri: 'memory://fixtures/line.csv',
        targetColumn: 'y',
        data,
        plots: false,
      };
      const result = await new MeanRegressor(options).run({ onDuplicate: 'duplicate' });
      if (result.status !== 'recorded') throw new Error(`not recorded: ${result.status}`);
      const expected = regressionMetrics(data.yTest, [5, 5, 5]);
      expect(result.row).toMatchObject({ rmse: expected.rmse, mae: expected.mae });
      const row = await loggedRow(store, 'regression', result.row.prediction_id as string);
      expect(Number(row?.rmse)).toBe(expected.rmse);
      // Without testIds the samples are numbered.
      const predictions = decodeTable(
        await store.readText(predictionsPath('regression', result.row.prediction_id as string)),
      );
      expect(predictions.map((line) => line.sample_id)).toEqual(['0', '1', '2']);
    });

    it('in debug mode scores the test part the same way and writes nothing', async () => {
      const before = await everything(store);
      const experiment = new Centroids({ project: project(), store });
      const result = await experiment.run({ onDuplicate: 'error', debug: true });
      expect(result.status).toBe('debug');
      expect(result.row.overall_accuracy).toBe(EXPECTED.overall.overall_accuracy);
      expect(result.row).not.toHaveProperty('prediction_id');
      expect(experiment.predictionId).toBeUndefined();
      expect(await everything(store)).toEqual(before);
    });

    it('refuses a missing kind, data set URI or target column before anything is written', async () => {
      const before = await everything(store);
      const noKind = new MeanRegressor({
        project: project(),
        store,
        datasetUri: 'x',
        targetColumn: 'y',
        data: { xTrain: [1], yTrain: [1], xTest: [1], yTest: [1] },
      });
      await expect(noKind.run({ onDuplicate: 'duplicate' })).rejects.toMatchObject({
        parameter: 'kind',
      });
      const noTarget = new MeanRegressor({
        project: project(),
        store,
        kind: 'regression',
        datasetUri: 'x',
      });
      await expect(noTarget.run({ onDuplicate: 'duplicate' })).rejects.toMatchObject({
        parameter: 'targetColumn',
      });
      await expect(noTarget.run({ onDuplicate: 'duplicate' })).rejects.toThrow(ValidationError);
      expect(await everything(store)).toEqual(before);
    });

    it('keeps the duplicate policy: error on a recorded supervised experiment rejects before training', async () => {
      const name = project();
      await new Centroids({ project: name, store, plots: false }).run({ onDuplicate: 'error' });
      const second = new Centroids({ project: name, store, plots: false });
      await expect(second.run({ onDuplicate: 'error' })).rejects.toBeInstanceOf(ConflictError);
      expect(second.trainedOn).toEqual([]);
      expect((await ModelTracker.load(store, experimentTrackerPath(second.project))).length).toBe(
        1,
      );
    });
  });
}
