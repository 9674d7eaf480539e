/**
 * A `trainModel` run reproduced in this process, with the classes registered here: the
 * recorded classes and params, the stored data set (not the source, which may have changed)
 * and the same split, recorded as a new run whose model_runs row points at the original.
 * `reproduceRun` decides when the code at hand is the run's, so that this may run.
 */
import type { ModelRunRow } from '../records/model-run-records.js';
import {
  metricDifferences,
  planReproduction,
  type ReproductionPlanOptions,
} from './_reproduction-plan.js';
import { trainAndRecord } from './_train-run.js';
import type { Registry } from './registry.js';
import type { TrainModelResult } from './train-model-options.js';

/** What the reproduction is given besides the run. */
export interface ReproduceHereOptions extends ReproductionPlanOptions {
  registry: Registry;
  plots: boolean;
}

/** Reproduces `original` (a model_runs row) in this process; resolves the new run. */
export async function reproduceHere(
  original: ModelRunRow,
  options: ReproduceHereOptions,
): Promise<TrainModelResult> {
  const { store, registry, context } = options;
  const runId = original.runId;
  const plan = await planReproduction(original, options);
  const { spec, warnings } = plan;
  // The names must still be registered (the dataset class is not used: its data is stored).
  registry.get('model', spec.model);
  if (spec.featureGenerator !== undefined) registry.get('featureGenerator', spec.featureGenerator);
  const outcome = await trainAndRecord(spec, plan.loaded, {
    store,
    registry,
    context,
    name: plan.name,
    cwd: options.cwd,
    plots: options.plots,
    warnings,
    reproduces: runId,
  });
  return {
    ...outcome,
    warnings,
    reproduced: { runId, metricDifferences: metricDifferences(original, outcome.metrics) },
  };
}
