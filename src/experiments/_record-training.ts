/**
 * The end of every `trainModel` run, whichever language fitted the model: the test part's
 * predictions logged with `logExperiment` (so the metrics are the core's), then the run's
 * model_runs row, its commit point, written last once everything it points at exists.
 */
import { storeObjectUri } from '../layout/paths.js';
import type { Label } from '../metrics/types.js';
import { writeModelRun, type ModelRunRow } from '../records/model-run-records.js';
import type { Store } from '../store/types.js';
import { logExperiment } from '../tracking/log-experiment.js';
import type { TrainingSpec } from './_train-run.js';

/** What a trained run is recorded with. */
export interface TrainedRun {
  store: Store;
  spec: TrainingSpec;
  runId: string;
  startedAt: Date;
  /** Store path of the loaded data set's artifact. */
  datasetPath: string;
  /** The trained model (its class and params are logged), or a `{ name, params }` description. */
  model: object;
  /** The test part: its sample ids, targets and predictions, in the same order. */
  testIds: string[];
  yTrue: Label[];
  yPred: ArrayLike<Label>;
  gitCommit: string | undefined;
  gitDirty: boolean | undefined;
  /** The run this one reproduces. */
  reproduces: string | undefined;
  plots: boolean;
  cwd: string | undefined;
}

/** What was recorded. */
export interface RecordedTraining {
  predictionId: string;
  /** The core's overall scores of the test part (undefined ones left out). */
  metrics: Record<string, number>;
}

/** Logs the test predictions, then writes the model_runs row. */
export async function recordTraining(run: TrainedRun): Promise<RecordedTraining> {
  const { store, spec } = run;
  const logged = await logExperiment({
    kind: spec.kind,
    project: spec.project,
    parameters: {
      datasetUri: storeObjectUri(store.url, run.datasetPath),
      targetColumn: 'y',
      testSet: run.testIds,
      model: run.model,
    },
    yTrue: run.yTrue,
    yPred: run.yPred,
    extraParameters: {
      run_id: run.runId,
      model_class: spec.model,
      feature_generator_class: spec.featureGenerator,
      dataset_class: spec.dataset,
      seed: spec.seed,
      test_fraction: spec.testFraction,
    },
    store,
    plots: run.plots,
    ...(run.cwd !== undefined && { cwd: run.cwd }),
  });
  const metrics = Object.fromEntries(
    Object.entries(logged.scores).filter(
      (entry): entry is [string, number] => entry[1] !== undefined,
    ),
  );
  const row: ModelRunRow = {
    runId: run.runId,
    project: spec.project,
    kind: spec.kind,
    modelClass: spec.model,
    // What the model is constructed with again on reproduction: params() extras stay in the
    // run record's hyperparameters only (a constructor may refuse keys it does not know).
    hyperparameters: spec.modelParams,
    datasetClass: spec.dataset,
    datasetParams: spec.datasetParams,
    testFraction: spec.testFraction,
    seed: spec.seed,
    metrics,
    predictionId: logged.predictionId,
    artifacts: { dataset: run.datasetPath },
    startTime: run.startedAt,
    endTime: new Date(),
  };
  if (spec.featureGenerator !== undefined) {
    row.featureGeneratorClass = spec.featureGenerator;
    row.featureGeneratorParams = spec.featureGeneratorParams;
  }
  if (run.gitCommit !== undefined) row.gitCommit = run.gitCommit;
  if (run.gitDirty !== undefined) row.gitDirty = run.gitDirty;
  if (run.reproduces !== undefined) row.reproduces = run.reproduces;
  await writeModelRun(store, row);
  return { predictionId: logged.predictionId, metrics };
}
