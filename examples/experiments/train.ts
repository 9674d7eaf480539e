/**
 * The example's entry: registers its classes when imported, and when run directly trains both
 * experiments (`Experiment.run`) and one `trainModel` run per registered model.
 *
 *   npx tsx examples/experiments/train.ts --on-duplicate skip [--store ./ml-tracking]
 *
 * Registering at import (and training only when run directly) is what lets
 * `ml-tracking reproduce <run-id> --entry examples/experiments/train.ts` import this file to find
 * the classes of a run, at its recorded commit, without training anything else.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  listRuns,
  openStore,
  registry,
  trainModel,
  type OnDuplicate,
  type Store,
} from 'ml-tracking';
import { IrisDataset } from './datasets.js';
import { IrisCentroid, IrisForest, IRIS_SPLIT } from './experiments.js';
import { Standardize } from './features.js';
import { NearestCentroidModel, RandomForestModel } from './models.js';

registry.model('random-forest', RandomForestModel);
registry.model('nearest-centroid', NearestCentroidModel);
registry.featureGenerator('standardize', Standardize);
registry.dataset('iris', IrisDataset);

/** The project everything of the example is recorded under. */
export const PROJECT = 'iris example';

/** The `trainModel` runs: one per registered model, on the registered dataset. */
export const MODEL_RUNS = [
  { model: 'random-forest', modelParams: { nEstimators: 25, maxFeatures: 0.75, seed: 7 } },
  {
    model: 'nearest-centroid',
    modelParams: { metric: 'euclidean' },
    featureGenerator: 'standardize',
  },
] as const;

const ON_DUPLICATE: readonly OnDuplicate[] = ['overwrite', 'duplicate', 'skip', 'error'];

/** Options of {@link trainAll}. */
export interface TrainAllOptions {
  /** A store URL or an opened store. @default $ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  onDuplicate: OnDuplicate;
  /** @default "iris example" */
  project?: string;
  /** Debug mode for the experiments (nothing recorded); the trainModel runs are left out. */
  debug?: boolean;
  /** Let trainModel record runs from a working tree with uncommitted changes. */
  allowDirty?: boolean;
}

/** What {@link trainAll} did, one entry per experiment and per model. */
export interface TrainAllResult {
  experiments: {
    modelName: string;
    status: string;
    runId: string | undefined;
    accuracy: unknown;
  }[];
  models: { model: string; status: 'trained' | 'skipped'; runId: string; accuracy: unknown }[];
}

/**
 * Runs both experiments with `onDuplicate`, then trains each registered model with
 * `trainModel`. A `trainModel` run has no tracker row to be a duplicate of, so the policy is
 * applied here to the project's earlier `trainModel` runs of the model: `skip` trains a model
 * only when it has no finished run yet, `error` refuses when it has one, and `overwrite` and
 * `duplicate` both record a new run (runs are history: an older run is never replaced).
 */
export async function trainAll(options: TrainAllOptions): Promise<TrainAllResult> {
  const project = options.project ?? PROJECT;
  const store = typeof options.store === 'object' ? options.store : await openStore(options.store);
  try {
    const result: TrainAllResult = { experiments: [], models: [] };
    for (const experiment of [
      new IrisForest({ project, store }),
      new IrisCentroid({ project, store }),
    ]) {
      const outcome = await experiment.run({
        onDuplicate: options.onDuplicate,
        debug: options.debug === true,
      });
      result.experiments.push({
        modelName: experiment.modelName,
        status: outcome.status,
        runId:
          ('runId' in outcome ? outcome.runId : undefined) ?? stringOrUndefined(outcome.row.run_id),
        accuracy: outcome.row.overall_accuracy,
      });
    }
    if (options.debug === true) return result;

    const earlier = (await listRuns({ store, project })).filter(
      (run) => run.origin === 'train_model' && run.status === 'finished',
    );
    for (const spec of MODEL_RUNS) {
      const previous = earlier.find((run) => run.experiment === spec.model);
      if (previous !== undefined && options.onDuplicate === 'skip') {
        result.models.push({
          model: spec.model,
          status: 'skipped',
          runId: previous.id,
          accuracy: previous.summary.overall_accuracy?.last,
        });
        continue;
      }
      if (previous !== undefined && options.onDuplicate === 'error') {
        throw new Error(
          `model "${spec.model}" was trained already (run ${previous.id}) and --on-duplicate is "error": pass --on-duplicate skip, duplicate or overwrite`,
        );
      }
      const trained = await trainModel({
        ...spec,
        dataset: 'iris',
        kind: 'classification',
        testFraction: IRIS_SPLIT.testFraction,
        seed: IRIS_SPLIT.seed,
        project,
        store,
        ...(options.allowDirty === true && { allowDirty: true }),
      });
      result.models.push({
        model: spec.model,
        status: 'trained',
        runId: trained.runId,
        accuracy: trained.metrics.overall_accuracy,
      });
    }
    return result;
  } finally {
    if (typeof options.store !== 'object') await store.close();
  }
}

const USAGE = `usage: npx tsx examples/experiments/train.ts --on-duplicate ${ON_DUPLICATE.join('|')} [--store URL] [--project NAME] [--debug] [--allow-dirty]`;

/** The command line: parses `argv`, trains, prints one line per run; resolves the exit code. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        store: { type: 'string' },
        project: { type: 'string' },
        'on-duplicate': { type: 'string' },
        debug: { type: 'boolean' },
        'allow-dirty': { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const onDuplicate = values['on-duplicate'] as OnDuplicate | undefined;
  // As in Experiment.run(), there is no default: say what a second run of the same model does.
  if (onDuplicate === undefined || !ON_DUPLICATE.includes(onDuplicate)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const result = await trainAll({
      onDuplicate,
      ...(values.store !== undefined && { store: values.store }),
      ...(values.project !== undefined && { project: values.project }),
      debug: values.debug === true,
      allowDirty: values['allow-dirty'] === true,
    });
    for (const item of result.experiments) {
      process.stdout.write(
        `experiment ${item.modelName}: ${item.status}${item.runId === undefined ? '' : ` run ${item.runId}`} accuracy ${String(item.accuracy)}\n`,
      );
    }
    for (const item of result.models) {
      process.stdout.write(
        `trainModel ${item.model}: ${item.status} run ${item.runId} accuracy ${String(item.accuracy)}\n`,
      );
    }
    const trained = result.models.filter((item) => item.status === 'trained');
    if (trained.length > 0) {
      process.stdout.write(
        `\ncompare: npx ml-tracking compare ${result.models.map((item) => item.runId).join(' ')}\n` +
          `reproduce: npx ml-tracking reproduce ${trained[0]!.runId} --entry examples/experiments/train.ts\n`,
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

// Run directly (not imported by `ml-tracking reproduce`, nor by a test): train.
const invoked = process.argv[1];
if (
  invoked !== undefined &&
  realpathSync(resolve(invoked)) === realpathSync(fileURLToPath(import.meta.url))
) {
  process.exitCode = await main();
}
