/**
 * `trainModel()`: trains a registered model on a registered dataset and records the run so that
 * it can be reproduced from its id alone: the classes' names and parameters, the seed, the git
 * commit and the data set itself (content-addressed) go into its model_runs row.
 * `trainModel({ runId })` reproduces such a run.
 */
import { ValidationError } from '../errors.js';
import { checkRunId } from '../runs/read-runs.js';

import { slugifyProject } from '../tracking/project-name.js';
import { checkDataSet } from './_data-set.js';
import { withCheckedTree } from './_git-state.js';
import { checkKind, checkParams, checkSeed, checkTestFraction } from './_training-checks.js';
import { trainAndRecord, type TrainingSpec } from './_train-run.js';
import { registry as sharedRegistry, type Registry } from './registry.js';
import { reproduceModel } from './reproduce-run.js';
import type {
  ReproduceModelOptions,
  TrainModelOptions,
  TrainModelResult,
} from './train-model-options.js';

export type {
  ReproduceModelOptions,
  TrainModelOptions,
  TrainModelResult,
} from './train-model-options.js';

/**
 * Trains a registered model and records the run: it loads the dataset, stores its samples as a
 * content-addressed artifact, applies the feature generator, splits with the seed, fits,
 * predicts the test part and logs it with `logExperiment` (the run's metrics are the core's
 * scores, its prediction id linked), then writes the run's model_runs row and finishes it.
 *
 * A working tree with uncommitted changes is refused unless `allowDirty` is set: the point of a
 * `trainModel` run is that its id reproduces it, and the commit of a dirty tree does not hold the
 * code that trained it. Outside a git repository the run is recorded without a commit (and a
 * warning): it reproduces only with the code at hand.
 *
 * With `{ runId }` it reproduces that run instead: the recorded classes and params, the stored
 * data set (not the source, which may have changed) and the same split, recorded as a new run
 * whose model_runs row points at the original; the result says by how much each metric moved.
 * When the run's commit is not HEAD, it runs at that commit in a temporary worktree, through
 * `entry`, in a child process whose lines go to `onOutput` (nothing is printed). Where a run is
 * reproduced is decided by `reproduceRun`'s rule, which this shares.
 *
 * @throws ValidationError for bad input (nothing is written); NotFoundError when `runId` has no
 *   model_runs row.
 * @example
 * registry.model('ModelImpl1', ModelImpl1);
 * registry.dataset('DataAccessObjectImpl1', DataAccessObjectImpl1);
 * const { runId, metrics } = await trainModel({
 *   model: 'ModelImpl1', modelParams: { depth: 3 },
 *   dataset: 'DataAccessObjectImpl1', datasetParams: {},
 *   kind: 'classification', seed: 42, project: 'churn', store,
 * });
 * const again = await trainModel({ runId, store });
 * console.log(again.reproduced?.metricDifferences); // { accuracy: 0, … } for a deterministic model
 */
export async function trainModel(
  options: TrainModelOptions | ReproduceModelOptions,
): Promise<TrainModelResult> {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new ValidationError(
      'options',
      'no options were given',
      'Pass { model, dataset, kind, project } to train, or { runId } to reproduce.',
    );
  }
  if (options.runId !== undefined) return reproduce(options);
  const registry = options.registry ?? sharedRegistry;
  const spec = checkSpec(options, registry);
  return withCheckedTree(options, async (store, context, warnings) => {
    const dataset = registry.create('dataset', spec.dataset, spec.datasetParams);
    const loaded = checkDataSet(
      await dataset.load(),
      `dataset (${spec.dataset}'s load)`,
      spec.kind,
    );
    const outcome = await trainAndRecord(spec, loaded, {
      store,
      registry,
      context,
      name: options.name,
      cwd: options.cwd,
      plots: options.plots ?? true,
      warnings,
    });
    return { ...outcome, warnings };
  });
}

/** `trainModel({ runId })`: checked here, decided and done by `reproduceRun`'s module. */
function reproduce(options: ReproduceModelOptions): Promise<TrainModelResult> {
  checkRunId(options.runId);
  if ('model' in options || 'dataset' in options) {
    throw new ValidationError(
      'runId',
      'it was given together with model or dataset',
      'Pass runId alone to reproduce a run (its classes and params are recorded), or leave it out to train a new one.',
    );
  }
  return reproduceModel(options);
}

function checkSpec(options: TrainModelOptions, registry: Registry): TrainingSpec {
  const project = slugifyProject(options.project);
  const kind = checkKind(options.kind);
  registry.get('model', options.model);
  registry.get('dataset', options.dataset);
  if (options.featureGenerator !== undefined) {
    registry.get('featureGenerator', options.featureGenerator);
  }
  return {
    project,
    kind,
    model: options.model,
    modelParams: checkParams('modelParams', options.modelParams),
    featureGenerator: options.featureGenerator,
    featureGeneratorParams: checkParams('featureGeneratorParams', options.featureGeneratorParams),
    dataset: options.dataset,
    datasetParams: checkParams('datasetParams', options.datasetParams),
    testFraction: checkTestFraction(options.testFraction),
    seed: checkSeed(options.seed),
  };
}
