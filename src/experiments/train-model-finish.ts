/**
 * `ml-tracking train-model finish`: the engine's part of a `trainModel` run after another program
 * (Python's `train_model`) fitted the model and predicted the test part: the loaded data stored
 * once as a content-addressed artifact, the predictions scored by `logExperiment`, and the
 * model_runs row written last, by the same code as a TypeScript run (`recordTraining`). The run
 * itself is the other program's (a `run-sink` run): it links the prediction and finishes it.
 */
import { ValidationError } from '../errors.js';
import { artifactPath } from '../layout/paths.js';
import type { Label } from '../metrics/types.js';
import { storeArtifact } from '../records/model-run-records.js';
import { checkRunId } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readDataFile } from './_data-file.js';
import { canonicalDataSet } from './_data-set.js';
import { recordTraining } from './_record-training.js';
import { metricDifferences } from './_reproduction-plan.js';
import { seededSplit } from './_split.js';
import type { TrainingSpec } from './_train-run.js';
import { checkKind, checkParams, checkSeed, checkTestFraction } from './_training-checks.js';
import { readReproducibleRun } from './reproduce-run.js';
import type { TrainModelResult } from './train-model-options.js';

/** Options of {@link finishTraining}. */
export interface FinishTrainingOptions {
  /** What was trained and predicted (see README's `train-model` protocol). */
  request: Record<string, unknown>;
  /** A new run: the JSON file of the loaded samples, which is stored. A reproduction has none. */
  dataFile?: string | undefined;
  cwd?: string;
  store?: string | Store;
}

/**
 * Records a run trained elsewhere.
 * @throws ValidationError for a bad request (nothing is written).
 */
export async function finishTraining(options: FinishTrainingOptions): Promise<TrainModelResult> {
  const { request } = options;
  const runId = request.runId;
  checkRunId(runId);
  const spec = checkSpec(request.spec);
  const startedAt = new Date(String(request.startedAt));
  if (Number.isNaN(startedAt.getTime())) {
    throw new ValidationError('startedAt', 'it is not a time', 'Pass the run start, ISO 8601.');
  }
  const test = objectOf(request.test, 'test');
  const testIds = arrayOf(test.ids, 'test.ids').map(String);
  const yTrue = arrayOf(test.yTrue, 'test.yTrue') as Label[];
  const yPred = arrayOf(test.yPred, 'test.yPred') as Label[];
  const model = objectOf(request.model, 'model');
  const reproduces = request.reproduces;
  if (reproduces !== undefined) checkRunId(reproduces);
  if ((options.dataFile === undefined) === (reproduces === undefined)) {
    throw new ValidationError(
      '--data',
      reproduces === undefined ? 'a new run needs its data' : 'a reproduction has stored data',
      'Pass --data with a new run, and reproduces (with the stored artifact) without it.',
    );
  }
  const loaded =
    options.dataFile === undefined
      ? undefined
      : await readDataFile(options.dataFile, `dataset (${spec.dataset}'s load)`, spec.kind);
  if (
    loaded !== undefined &&
    testIds.length !== seededSplit(loaded.x.length, spec.testFraction, spec.seed).test.length
  ) {
    throw new ValidationError(
      'test.ids',
      `it has ${testIds.length} samples, not the test part of the seeded split`,
      'Predict exactly the rows of the split that train-model begin answered.',
    );
  }
  return withStore(
    options.store,
    async (store) => {
      const original =
        reproduces === undefined ? undefined : await readReproducibleRun(store, reproduces);
      const datasetPath =
        loaded === undefined
          ? storedDataset(String(request.artifact), original?.artifacts.dataset)
          : (await storeArtifact(store, canonicalDataSet(loaded), 'application/json')).path;
      const recorded = await recordTraining({
        store,
        spec,
        runId,
        startedAt,
        datasetPath,
        model,
        testIds,
        yTrue,
        yPred,
        gitCommit: typeof request.gitCommit === 'string' ? request.gitCommit : undefined,
        gitDirty: typeof request.gitDirty === 'boolean' ? request.gitDirty : undefined,
        reproduces,
        plots: request.plots !== false,
        cwd: options.cwd,
      });
      const result: TrainModelResult = { runId, ...recorded, warnings: [] };
      if (original !== undefined) {
        result.reproduced = {
          runId: original.runId,
          metricDifferences: metricDifferences(original, recorded.metrics),
        };
      }
      return result;
    },
    options.cwd === undefined ? {} : { cwd: options.cwd },
  );
}

/** A reproduction trains on the original's artifact, and on no other. */
function storedDataset(given: string, recorded: string | undefined): string {
  if (
    recorded === undefined ||
    given !== recorded ||
    !/^artifacts\/sha256\/[0-9a-f]{64}$/.test(given)
  ) {
    throw new ValidationError(
      'artifact',
      `${given} is not the data set the reproduced run recorded (${recorded ?? 'none'})`,
      `Pass the artifact that train-model recall answered (${artifactPath('<sha256>')}).`,
    );
  }
  return given;
}

function checkSpec(value: unknown): TrainingSpec {
  const spec = objectOf(value, 'spec');
  const name = (key: string, optional = false): string | undefined => {
    const text = spec[key];
    if (optional && (text === undefined || text === null)) return undefined;
    if (typeof text !== 'string' || text === '') {
      throw new ValidationError(`spec.${key}`, 'it is not a name', 'Pass the registered name.');
    }
    return text;
  };
  return {
    project: slugifyProject(String(spec.project)),
    kind: checkKind(spec.kind, 'spec.kind'),
    model: name('model')!,
    modelParams: checkParams('spec.modelParams', spec.modelParams),
    featureGenerator: name('featureGenerator', true),
    featureGeneratorParams: checkParams('spec.featureGeneratorParams', spec.featureGeneratorParams),
    dataset: name('dataset')!,
    datasetParams: checkParams('spec.datasetParams', spec.datasetParams),
    testFraction: checkTestFraction(spec.testFraction, 'spec.testFraction'),
    seed: checkSeed(spec.seed ?? Number.NaN, 'spec.seed'),
  };
}

function objectOf(value: unknown, parameter: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(parameter, 'it is not an object', `Pass ${parameter} as an object.`);
  }
  return value as Record<string, unknown>;
}

function arrayOf(value: unknown, parameter: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(parameter, 'it is not an array', `Pass ${parameter} as an array.`);
  }
  return value;
}
