/**
 * The options and result of `trainModel` and of reproducing its runs: shared by the function
 * that trains (`train-model.ts`) and the one that decides how a run is reproduced
 * (`reproduce-run.ts`), which import nothing from each other's types this way.
 */
import type { ExperimentKind } from '../layout/tables.js';
import type { Store } from '../store/types.js';
import type { Params, Registry } from './registry.js';

/** Options shared by a new run and a reproduction. */
export interface CommonTrainingOptions {
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
   * trained with. @default false (refused, see `trainModel`)
   */
  allowDirty?: boolean;
  /** A name for people. @default a generated one; a reproduction gets "<original> (reproduced)" */
  name?: string;
  /** Render the plots of the logged experiment. @default true */
  plots?: boolean;
  /** Where the classes are registered. @default the shared `registry` */
  registry?: Registry;
}

/** Options of `trainModel` for a new run. */
export interface TrainModelOptions extends CommonTrainingOptions {
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

/** Options of `trainModel` to reproduce a run. */
export interface ReproduceModelOptions extends CommonTrainingOptions {
  /** The `trainModel` run to reproduce. */
  runId: string;
  /**
   * The training script, relative to `cwd`: needed only when the run's commit is not the
   * working tree's HEAD, to register the classes of that commit in a worktree at it (see
   * `reproduceRun`).
   */
  entry?: string;
  /**
   * Called with each line the training prints when it runs in a child process (at another
   * commit, in a worktree). @default none: the lines are dropped (library code never prints)
   */
  onOutput?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
}

/** What `trainModel` recorded. */
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
