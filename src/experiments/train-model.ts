/**
 * `trainModel()`: trains a registered model on a registered dataset and records the run so that
 * it can be reproduced from its id alone: the classes' names and parameters, the seed, the git
 * commit and the data set itself (content-addressed) go into its model_runs row.
 * `trainModel({ runId })` reproduces such a run.
 */
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { NotFoundError, ValidationError } from '../errors.js';
import { modelRunPath, runPath } from '../layout/paths.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { readArtifact, readModelRun } from '../runs/model-run-records.js';
import { checkRunId, readRecord } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readRunContext, type RunContext } from '../tracking/run-context.js';
import { randomSeed } from '../sweeps/sampling.js';
import { checkDataSet, parseDataSet } from './_data-set.js';
import { trainAndRecord, type TrainingSpec } from './_train-run.js';
import { registry as sharedRegistry, type Params, type Registry } from './registry.js';

/** Set in the child process that reproduces a run inside a worktree at its recorded commit. */
const WORKTREE_VARIABLE = 'ML_TRACKING_REPRODUCE_WORKTREE';

/** Options shared by a new run and a reproduction. */
interface CommonOptions {
  /**
   * Where to record: a store URL or an opened store.
   * @default $ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /** Working directory: the git repository whose commit is recorded. @default process.cwd() */
  cwd?: string;
  /**
   * Train although the git working tree has uncommitted changes. The run then records
   * `git_dirty = true` and a warning in its log: its commit alone does not hold the code it
   * trained with. @default false (refused, see {@link trainModel})
   */
  allowDirty?: boolean;
  /** A name for people. @default a generated one; a reproduction gets "<original> (reproduced)" */
  name?: string;
  /** Render the plots of the logged experiment. @default true */
  plots?: boolean;
  /** Where the classes are registered. @default the shared `registry` */
  registry?: Registry;
}

/** Options of {@link trainModel} for a new run. */
export interface TrainModelOptions extends CommonOptions {
  /** Registered name of the model class; constructed with `modelParams`. */
  model: string;
  /** The model's params (its hyperparameters), a JSON object. @default {} */
  modelParams?: Params;
  /** Registered name of a feature generator, applied to the loaded samples. @default none */
  featureGenerator?: string;
  /** The feature generator's params. @default {} */
  featureGeneratorParams?: Params;
  /** Registered name of the dataset class; constructed with `datasetParams`. */
  dataset: string;
  /** The dataset's params. @default {} */
  datasetParams?: Params;
  /** `classification` or `regression`: how the test predictions are scored. */
  kind: ExperimentKind;
  /** Share of the samples held out for testing, between 0 and 1. @default 0.2 */
  testFraction?: number;
  /**
   * Seed of the train/test split: the same seed on the same data gives the same split.
   * @default a random one, recorded
   */
  seed?: number;
  /** Project name; slugified. */
  project: string;
  runId?: undefined;
}

/** Options of {@link trainModel} to reproduce a run. */
export interface ReproduceModelOptions extends CommonOptions {
  /** The `trainModel` run to reproduce. */
  runId: string;
  /**
   * The training script, relative to `cwd`: needed only when the run's commit is not the
   * working tree's HEAD, to register the classes of that commit in a worktree at it (see
   * `reproduceAtCommit`).
   */
  entry?: string;
}

/** What {@link trainModel} recorded. */
export interface TrainModelResult {
  /** The new run. */
  runId: string;
  /** The logged experiment of its test predictions (tracker row, scoring, predictions). */
  predictionId: string;
  /** The test part's overall metrics, as `logExperiment` scored them (undefined ones left out). */
  metrics: Record<string, number>;
  /** What the run's log also says: a dirty tree, no git repository… Empty when all is well. */
  warnings: string[];
  /** Set by a reproduction. */
  reproduced?: {
    /** The run reproduced. */
    runId: string;
    /** New value minus the original's, for each metric both have. */
    metricDifferences: Record<string, number>;
  };
}

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
 * `entry`.
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
  return withStore(
    options.store,
    async (store) => {
      const context = await gitContext(options, store);
      const warnings = checkTree(context, options, 'train');
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
    },
    options.cwd === undefined ? {} : { cwd: options.cwd },
  );
}

async function reproduce(options: ReproduceModelOptions): Promise<TrainModelResult> {
  checkRunId(options.runId);
  const { runId } = options;
  if ('model' in options || 'dataset' in options) {
    throw new ValidationError(
      'runId',
      'it was given together with model or dataset',
      'Pass runId alone to reproduce a run (its classes and params are recorded), or leave it out to train a new one.',
    );
  }
  const registry = options.registry ?? sharedRegistry;
  const cwd = options.cwd ?? process.cwd();
  return withStore(
    options.store,
    async (store) => {
      const original = await readModelRun(store, runId);
      if (original === undefined) {
        // The generic "no such object" would not say why a model_runs row is needed.
        throw new NotFoundError({
          operation: 'reproduce',
          store: store.url,
          path: modelRunPath(runId),
          message: `Cannot reproduce run ${runId}: ${store.url} has no ${modelRunPath(runId)}, so it holds no trainModel run of that id (only those can be reproduced).`,
          hint: `Check the id and the store: ml-tracking runs --store ${store.url} lists the runs, and ml-tracking run <id> shows a run's origin.`,
        });
      }
      const context = await gitContext(options, store);
      const inWorktree = Boolean(process.env[WORKTREE_VARIABLE]);
      const recorded = original.gitCommit;
      if (!inWorktree && recorded !== undefined && context.gitCommit !== recorded) {
        if (context.gitCommit === undefined) {
          throw new ValidationError(
            'cwd',
            `run ${runId} was trained at commit ${recorded}, and ${cwd} is not in a git repository`,
            'Reproduce from a clone of the repository the run was trained in.',
          );
        }
        if (options.entry === undefined) {
          throw new ValidationError(
            'entry',
            `run ${runId} was trained at commit ${recorded}, but the working tree at ${cwd} is at ${context.gitCommit}`,
            `Pass entry (the training script that registers the classes) to reproduce it at its commit in a temporary worktree, e.g. ml-tracking reproduce ${runId} --entry train.ts; or check out ${recorded} and reproduce there.`,
          );
        }
        const { reproduceAtCommit } = await import('./reproduce-at-commit.js');
        return reproduceAtCommit({
          runId,
          store: typeof options.store === 'object' ? options.store : store.url,
          commit: recorded,
          cwd,
          entry: options.entry,
        });
      }

      const warnings = inWorktree ? [] : checkTree(context, options, 'reproduce');
      if (recorded === undefined) {
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
      if (spec.featureGenerator !== undefined)
        registry.get('featureGenerator', spec.featureGenerator);
      const originalRecord = await readRecord(store, runPath(runId));
      const outcome = await trainAndRecord(spec, loaded, {
        store,
        registry,
        context,
        name:
          options.name ??
          (originalRecord === undefined ? undefined : `${originalRecord.name} (reproduced)`),
        cwd: options.cwd,
        plots: options.plots ?? true,
        warnings,
        reproduces: runId,
      });
      const metricDifferences: Record<string, number> = {};
      for (const [metric, value] of Object.entries(outcome.metrics)) {
        const before = original.metrics[metric];
        if (typeof before === 'number') metricDifferences[metric] = value - before;
      }
      return { ...outcome, warnings, reproduced: { runId, metricDifferences } };
    },
    options.cwd === undefined ? {} : { cwd: options.cwd },
  );
}

function checkSpec(options: TrainModelOptions, registry: Registry): TrainingSpec {
  const project = slugifyProject(options.project);
  if (!EXPERIMENT_KINDS.includes(options.kind)) {
    throw new ValidationError(
      'kind',
      `${JSON.stringify(options.kind)} is not a kind of experiment`,
      'Pass kind: "classification" or kind: "regression".',
    );
  }
  registry.get('model', options.model);
  registry.get('dataset', options.dataset);
  if (options.featureGenerator !== undefined) {
    registry.get('featureGenerator', options.featureGenerator);
  }
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(
      'testFraction',
      `${String(testFraction)} is not between 0 and 1`,
      'Pass the share of samples to test on, e.g. 0.2, or leave it out.',
    );
  }
  const seed = options.seed ?? randomSeed();
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ValidationError(
      'seed',
      `${String(seed)} is not a non-negative integer`,
      'Pass a whole number such as 42, or leave it out for a random one (it is recorded).',
    );
  }
  return {
    project,
    kind: options.kind,
    model: options.model,
    modelParams: checkParams('modelParams', options.modelParams),
    featureGenerator: options.featureGenerator,
    featureGeneratorParams: checkParams('featureGeneratorParams', options.featureGeneratorParams),
    dataset: options.dataset,
    datasetParams: checkParams('datasetParams', options.datasetParams),
    testFraction,
    seed,
  };
}

/** A params object as it will read back from the store: JSON, exactly. */
function checkParams(parameter: string, value: unknown): Params {
  if (value === undefined) return {};
  const fix =
    'Pass a plain object of JSON values (finite numbers, strings, booleans, null, arrays, objects): the run records it, and reproducing the run constructs the class from the record.';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(parameter, 'it is not an object', fix);
  }
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw new ValidationError(parameter, 'it cannot be written as JSON', fix, { cause: error });
  }
  if (!isDeepStrictEqual(copy, value)) {
    throw new ValidationError(
      parameter,
      'it holds values JSON would change or drop (NaN, Infinity, undefined, a function, a Date or another class instance)',
      fix,
    );
  }
  return copy as Params;
}

function gitContext(options: CommonOptions, store: Store): Promise<RunContext> {
  return readRunContext(options.cwd ?? process.cwd(), {
    // A local store inside the repository is written by every run: it never makes a tree dirty.
    exclude: store.kind === 'local' ? [fileURLToPath(store.url)] : [],
  });
}

/** Refuses a dirty tree unless allowed; the warnings a run records about its git state. */
function checkTree(context: RunContext, options: CommonOptions, action: string): string[] {
  const cwd = options.cwd ?? process.cwd();
  if (context.gitCommit === undefined) {
    return [
      `${cwd} is not in a git repository: no commit was recorded, so this run can be reproduced only with the code at hand, never at its commit`,
    ];
  }
  if (context.gitDirty === undefined) {
    return [
      `git could not tell whether the working tree at ${cwd} has uncommitted changes: the recorded commit ${context.gitCommit} may not hold the code that trained`,
    ];
  }
  if (!context.gitDirty) return [];
  if (options.allowDirty !== true) {
    throw new ValidationError(
      'allowDirty',
      `the working tree at ${cwd} has uncommitted changes, so its commit ${context.gitCommit} does not hold the code that would ${action}`,
      'Commit your changes (git add -A && git commit) so that the run can be reproduced from its id, or pass allowDirty: true (ml-tracking reproduce: --allow-dirty) to go ahead and record git_dirty = true with a warning.',
    );
  }
  return [
    `the working tree had uncommitted changes (git_dirty = true): commit ${context.gitCommit} does not hold the code this run used to ${action}`,
  ];
}
