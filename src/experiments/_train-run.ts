/**
 * The part of `trainModel` shared by a new run and a reproduction: given checked inputs and the
 * loaded data set, it stores the data set, splits, fits, predicts the test part, logs it with
 * `logExperiment` and records the run and its model_runs row.
 */
import type { ExperimentKind } from '../layout/tables.js';
import type { Label } from '../metrics/types.js';
import { storeArtifact } from '../records/model-run-records.js';
import { startRun } from '../runs/start-run.js';
import type { Store } from '../store/types.js';
import type { RunContext } from '../tracking/run-context.js';
import { canonicalDataSet, checkDataSet } from './_data-set.js';
import { recordTraining } from './_record-training.js';
import { seededSplit } from './_split.js';
import type { Samples, FeatureValue, Params, Registry } from './registry.js';

/** Everything a run is made of, checked: what its model_runs row records. */
export interface TrainingSpec {
  /** Slugified. */
  project: string;
  kind: ExperimentKind;
  model: string;
  modelParams: Params;
  featureGenerator: string | undefined;
  featureGeneratorParams: Params;
  dataset: string;
  datasetParams: Params;
  testFraction: number;
  seed: number;
}

/** How to record the run. */
export interface TrainingRecord {
  store: Store;
  registry: Registry;
  context: RunContext;
  name: string | undefined;
  cwd: string | undefined;
  plots: boolean;
  /** Lines kept in the run's log (and returned). */
  warnings: string[];
  reproduces?: string;
}

/** What a training run came to. */
export interface TrainingOutcome {
  runId: string;
  predictionId: string;
  metrics: Record<string, number>;
}

/**
 * Trains and records one run on `loaded` (the dataset's samples as loaded, before the feature
 * generator: those are what is stored, see `trainModel`).
 */
export async function trainAndRecord(
  spec: TrainingSpec,
  loaded: Samples,
  record: TrainingRecord,
): Promise<TrainingOutcome> {
  const { store, registry, context, warnings } = record;
  // Classes are constructed before the run starts: params a constructor refuses are bad input,
  // and bad input leaves nothing in the store.
  const model = registry.create('model', spec.model, spec.modelParams);
  const featureGenerator =
    spec.featureGenerator === undefined
      ? undefined
      : registry.create('featureGenerator', spec.featureGenerator, spec.featureGeneratorParams);
  const data =
    featureGenerator === undefined
      ? loaded
      : checkDataSet(
          await featureGenerator.transform(structuredClone(loaded)),
          `featureGenerator (${spec.featureGenerator}'s transform)`,
          spec.kind,
        );
  const ids =
    data.ids ??
    (loaded.ids?.length === data.x.length ? loaded.ids : data.x.map((_, index) => String(index)));

  const run = await startRun({
    project: spec.project,
    ...(record.name !== undefined && { name: record.name }),
    store,
    ...(record.cwd !== undefined && { cwd: record.cwd }),
    hyperparameters: spec.modelParams,
    origin: 'train_model',
    experiment: spec.model,
    captureLog: warnings.length > 0,
  });
  try {
    for (const warning of warnings) run.appendLog(`ml-tracking warning: ${warning}\n`);
    const artifact = await storeArtifact(store, canonicalDataSet(loaded), 'application/json');

    const split = seededSplit(data.x.length, spec.testFraction, spec.seed);
    const rows = <T>(values: readonly T[], indices: readonly number[]): T[] =>
      indices.map((index) => values[index]!);
    const xTrain: FeatureValue[][] = rows(data.x, split.train);
    const yTrain: Label[] = rows(data.y, split.train);
    await model.fit(xTrain, yTrain);
    const yPred = await model.predict(rows(data.x, split.test));
    // Many classes keep their constructor's params in a field named `params`: only a method
    // adds anything.
    const params = typeof model.params === 'function' ? model.params() : undefined;
    if (params !== undefined) run.setHyperparameters(params);

    const recorded = await recordTraining({
      store,
      spec,
      runId: run.id,
      startedAt: run.snapshot.startedAt,
      datasetPath: artifact.path,
      model,
      testIds: rows(ids, split.test),
      yTrue: rows(data.y, split.test),
      yPred,
      gitCommit: context.gitCommit,
      gitDirty: context.gitDirty,
      reproduces: record.reproduces,
      plots: record.plots,
      cwd: record.cwd,
    });
    run.linkPrediction(recorded.predictionId);
    run.setSummary(recorded.metrics);
    await run.finish();
    return { runId: run.id, ...recorded };
  } catch (error) {
    await run.finish({ error }).catch(() => undefined);
    throw error;
  }
}
