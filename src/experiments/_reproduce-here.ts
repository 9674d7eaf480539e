/**
 * A `trainModel` run reproduced in this process, with the classes registered here: the
 * recorded classes and params, the stored data set (not the source, which may have changed)
 * and the same split, recorded as a new run whose model_runs row points at the original.
 * `reproduceRun` decides when the code at hand is the run's, so that this may run.
 */
import { ValidationError } from '../errors.js';
import { runPath } from '../layout/paths.js';
import { readArtifact, type ModelRunRow } from '../records/model-run-records.js';
import { readRecord } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import type { RunContext } from '../tracking/run-context.js';
import { parseDataSet } from './_data-set.js';
import { checkTree } from './_git-state.js';
import { trainAndRecord, type TrainingSpec } from './_train-run.js';
import type { Registry } from './registry.js';
import type { TrainModelResult } from './train-model-options.js';

/** What the reproduction is given besides the run. */
export interface ReproduceHereOptions {
  store: Store;
  registry: Registry;
  /** The git state of `cwd`. */
  context: RunContext;
  /** As the caller gave it (undefined: this process's), for messages and the new run. */
  cwd: string | undefined;
  allowDirty: boolean | undefined;
  name: string | undefined;
  plots: boolean;
  /** In a child process in a worktree at the recorded commit: its tree is clean by making. */
  inWorktree: boolean;
}

/** Reproduces `original` (a model_runs row) in this process; resolves the new run. */
export async function reproduceHere(
  original: ModelRunRow,
  options: ReproduceHereOptions,
): Promise<TrainModelResult> {
  const { store, registry, context } = options;
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
  // The names must still be registered (the dataset class is not used: its data is stored).
  registry.get('model', spec.model);
  if (spec.featureGenerator !== undefined) registry.get('featureGenerator', spec.featureGenerator);
  const originalRecord = await readRecord(store, runPath(runId));
  const outcome = await trainAndRecord(spec, loaded, {
    store,
    registry,
    context,
    name:
      options.name ??
      (originalRecord === undefined ? undefined : `${originalRecord.name} (reproduced)`),
    cwd: options.cwd,
    plots: options.plots,
    warnings,
    reproduces: runId,
  });
  const metricDifferences: Record<string, number> = {};
  for (const [metric, value] of Object.entries(outcome.metrics)) {
    const before = original.metrics[metric];
    if (typeof before === 'number') metricDifferences[metric] = value - before;
  }
  return { ...outcome, warnings, reproduced: { runId, metricDifferences } };
}
