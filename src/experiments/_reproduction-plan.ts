/**
 * What reproducing a `trainModel` run trains on, whoever fits the model (this process, or a
 * Python `train_model(run_id=…)` through `ml-tracking train-model recall`): the recorded spec,
 * the stored data set (not the source, which may have changed), the new run's name and the
 * warnings about the git state.
 */
import { ValidationError } from '../errors.js';
import { runPath } from '../layout/paths.js';
import { readArtifact, type ModelRunRow } from '../records/model-run-records.js';
import { readRecord } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import type { RunContext } from '../tracking/run-context.js';
import { parseDataSet } from './_data-set.js';
import { checkTree } from './_git-state.js';
import type { TrainingSpec } from './_train-run.js';
import type { Samples } from './registry.js';

/** Where and how the reproduction runs. */
export interface ReproductionPlanOptions {
  store: Store;
  /** The git state of `cwd`. */
  context: RunContext;
  /** As the caller gave it (undefined: this process's), for messages and the new run. */
  cwd: string | undefined;
  allowDirty: boolean | undefined;
  name: string | undefined;
  /** In a child process in a worktree at the recorded commit: its tree is clean by making. */
  inWorktree: boolean;
}

/** A reproduction, ready to train. */
export interface ReproductionPlan {
  spec: TrainingSpec;
  /** The stored data set, checked again. */
  loaded: Samples;
  /** Its store path. */
  datasetPath: string;
  /** The new run's name: the caller's, else "<original> (reproduced)". */
  name: string | undefined;
  warnings: string[];
}

/**
 * Reads what the reproduction of `original` trains on.
 * @throws ValidationError for a dirty tree (unless allowed) or a row without a data set.
 */
export async function planReproduction(
  original: ModelRunRow,
  options: ReproductionPlanOptions,
): Promise<ReproductionPlan> {
  const { store, context } = options;
  const runId = original.runId;
  const warnings = options.inWorktree
    ? []
    : checkTree(context, options.cwd ?? process.cwd(), options.allowDirty, 'reproduce');
  if (original.gitCommit === undefined) {
    warnings.push(
      `run ${runId} recorded no git commit: it was reproduced with the code at hand, which may not be the code it trained with`,
    );
  }
  if (original.gitDirty === true) {
    warnings.push(
      `run ${runId} trained from a working tree with uncommitted changes: its commit does not hold the code it trained with, so its metrics may differ for that reason alone`,
    );
  }
  const datasetPath = original.artifacts.dataset;
  if (datasetPath === undefined) {
    throw new ValidationError(
      'runId',
      `run ${runId} recorded no data set artifact`,
      'Its model_runs row was changed by hand; it cannot be reproduced.',
    );
  }
  const loaded = parseDataSet(
    await readArtifact(store, datasetPath),
    original.kind,
    `${datasetPath} of run ${runId}`,
  );
  const spec: TrainingSpec = {
    project: original.project,
    kind: original.kind,
    model: original.modelClass,
    modelParams: original.hyperparameters,
    featureGenerator: original.featureGeneratorClass,
    featureGeneratorParams: original.featureGeneratorParams ?? {},
    dataset: original.datasetClass,
    datasetParams: original.datasetParams,
    testFraction: original.testFraction,
    seed: original.seed,
  };
  const originalRecord = await readRecord(store, runPath(runId));
  const name =
    options.name ??
    (originalRecord === undefined ? undefined : `${originalRecord.name} (reproduced)`);
  return { spec, loaded, datasetPath, name, warnings };
}

/** New value minus the original's, for each metric both have. */
export function metricDifferences(
  original: ModelRunRow,
  metrics: Record<string, number>,
): Record<string, number> {
  const differences: Record<string, number> = {};
  for (const [metric, value] of Object.entries(metrics)) {
    const before = original.metrics[metric];
    if (typeof before === 'number') differences[metric] = value - before;
  }
  return differences;
}
