/**
 * `Experiment`: a base class for training code that preprocesses, trains and evaluates, and
 * whose `run()` records the result as a run (`runs/<id>.csv`, like every other run) and as one
 * row of the project's experiment tracker, under a duplicate-name policy the caller must choose.
 */
import { performance } from 'node:perf_hooks';
import { MlTrackingError, ValidationError } from '../errors.js';
import { experimentTrackerPath } from '../layout/paths.js';
import { experimentOutputsLocation } from '../records/experiment-records.js';
import type { ExperimentLogger } from '../runs/experiment-logger.js';
import type { JsonValue } from '../runs/run-record.js';
import { startRun } from '../runs/start-run.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readRunContext } from '../tracking/run-context.js';
import { storeOutputs, temporaryOutputs, type ExperimentOutputs } from './experiment-outputs.js';
import {
  commitExperimentRow,
  decide,
  DuplicateModelError,
  ON_DUPLICATE_VALUES,
  type OnDuplicate,
  type RowCommit,
} from './duplicate-policy.js';
import { ModelTracker, type TrackerRow } from './model-tracker.js';
import {
  checkModelName,
  checkResults,
  checkTrackerColumn,
  experimentRow,
  type ExperimentRowParts,
  type ExperimentStage,
} from './experiment-row.js';

export type { ExperimentOutputs } from './experiment-outputs.js';
export { DuplicateModelError, ON_DUPLICATE_VALUES, type OnDuplicate } from './duplicate-policy.js';
export { EXPERIMENT_ROW_COLUMNS } from './experiment-row.js';

/** Options of an {@link Experiment}'s constructor. */
export interface ExperimentOptions {
  /** Project name; slugified like everywhere else (`logExperiment`, runs). */
  project: string;
  /**
   * Where to record: a store URL or an opened store (left open).
   * @default process.env.ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /**
   * Hyperparameters to record (a JSON-able object). They override those of a `hyperparameters`
   * field of the class, name by name. @default the class's field, else {}
   */
  hyperparameters?: Record<string, JsonValue>;
  /** Working directory for the git commit and a relative store path. @default process.cwd() */
  cwd?: string;
}

/** Options of {@link Experiment.run}. */
export interface ExperimentRunOptions {
  /**
   * What to do when the tracker already has a row for `modelName` (required: there is no silent
   * default). `overwrite`: train, then replace that row. `duplicate`: train, then add another
   * row. `skip`: resolve with the existing row without training. `error`: reject with a
   * `DuplicateModelError` (a `ConflictError`) before anything runs.
   */
  onDuplicate: OnDuplicate;
  /**
   * Debug mode: record nothing (no run, no tracker row; outputs go to a local temporary folder
   * that is removed at the end), and use `preprocessDebug` when the class has one. `this.debug`
   * tells `train` (e.g. to train for fewer epochs). The duplicate policy is not applied.
   * @default false
   */
  debug?: boolean;
  /**
   * In debug mode: `true` runs `preprocessDebug()` instead of `preprocess()`; `false` runs
   * `preprocess()` first and hands its output to `preprocessDebug(data)` (e.g. to subsample).
   * @default true
   */
  debugReplacesPreprocessing?: boolean;
}

/**
 * What {@link Experiment.run} resolves to. `tracker` is the tracker's path in the store
 * (`ModelTracker.load(store, tracker)` reads it); `row` is the tracker row written, found (skip)
 * or, in debug mode, the row that would have been written.
 */
export type ExperimentRunResult =
  | { status: 'recorded'; runId: string; row: TrackerRow; tracker: string }
  /** `runId` is set when the run trained, but another run recorded the name first (skip). */
  | { status: 'skipped'; runId?: string; row: TrackerRow; tracker: string }
  | { status: 'debug'; row: TrackerRow; tracker: string };

/**
 * A model's training code in stages. Subclass it, set `modelName` (the tracker's duplicate key)
 * and implement `preprocess`, `train` and `evaluate` (and optionally `preprocessDebug`); then
 * `run()` does preprocess → train → evaluate, records a run with the time each stage took (as
 * summary values `stage_seconds/<stage>`) and the results (as the run's summary), and updates
 * the project's experiment tracker last.
 *
 * @example
 * class RandomForest200 extends Experiment<Data, Model> {
 *   modelName = 'random-forest-200';
 *   async preprocess() { return loadSoil(); }
 *   async train(data: Data) { return fitForest(data, { trees: this.debug ? 5 : 200 }); }
 *   async evaluate(model: Model, data: Data) { return { accuracy: score(model, data) }; }
 * }
 * const result = await new RandomForest200({ project: 'soil', store }).run({ onDuplicate: 'overwrite' });
 */
export abstract class Experiment<Data, Model> {
  /**
   * Identifies the experiment in the tracker (the duplicate key, column `model_name`) and names
   * its outputs folder: 1–200 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
   */
  abstract readonly modelName: string;
  /** The slugified project. */
  readonly project: string;
  /** What is recorded as the run's hyperparameters (set as a field or by the options). */
  hyperparameters: Record<string, JsonValue> | undefined;
  /** Whether the current (or last) run is in debug mode: train less when it is. */
  debug = false;
  /** The current (or last) recorded run's id; `undefined` in debug mode. */
  runId: string | undefined;
  /**
   * The current run's logger (add scalars while training: `this.logger?.addScalar('loss', l)`);
   * `undefined` in debug mode and outside `run()`.
   */
  logger: ExperimentLogger | undefined;

  private readonly storeOption: string | Store | undefined;
  /** The working directory given in the options (git commit, relative store paths). */
  protected readonly cwd: string | undefined;
  private readonly optionHyperparameters: Record<string, JsonValue> | undefined;
  private currentOutputs: ExperimentOutputs | undefined;
  private currentStore: Store | undefined;
  private trackerValues: TrackerRow = {};
  private running = false;

  constructor(options: ExperimentOptions) {
    if (typeof options !== 'object' || (options as unknown) === null) {
      throw new ValidationError(
        'options',
        'no options were given',
        'Pass { project, store? } to the constructor.',
      );
    }
    this.project = slugifyProject(options.project);
    this.storeOption = options.store;
    this.cwd = options.cwd;
    this.optionHyperparameters = options.hyperparameters;
  }

  /** Loads and prepares the data. */
  abstract preprocess(): Promise<Data>;
  /**
   * Optional: data for a quick debug run. Called without data when it replaces `preprocess`,
   * with `preprocess`'s output otherwise (see `debugReplacesPreprocessing`).
   */
  preprocessDebug?(data?: Data): Promise<Data>;
  /** Trains on the data; `this.debug` says whether this is a debug run. */
  abstract train(data: Data): Promise<Model>;
  /** Scores the model: results by name (e.g. `{ accuracy: 0.91 }`), one tracker column each. */
  abstract evaluate(model: Model, data: Data): Promise<Record<string, number>>;

  /**
   * Where this run writes its files (plots, checkpoints): a folder of the store
   * (`experiment-outputs/<project>/<model>/<run>/`), or a local temporary one in debug mode.
   * Only while `run()` is going.
   */
  get outputs(): ExperimentOutputs {
    if (this.currentOutputs === undefined) {
      throw new MlTrackingError(
        `The outputs of experiment "${this.modelName}" exist only while run() is going. Write files from preprocess, train or evaluate.`,
        { code: 'ERR_EXPERIMENT_NOT_RUNNING' },
      );
    }
    return this.currentOutputs;
  }

  /** The store the current run records into; `undefined` in debug mode and outside `run()`. */
  protected get runStore(): Store | undefined {
    return this.currentStore;
  }

  /**
   * Adds a column to this run's tracker row (e.g. `prediction_id`), beside the results.
   * @throws ValidationError for a column that `run()` writes itself.
   */
  protected setTrackerValue(column: string, value: unknown): void {
    this.trackerValues[checkTrackerColumn(column)] = value;
  }

  /**
   * Checks the experiment's own settings when `run()` starts, before anything is read, written
   * or run; throws a `ValidationError` for a bad one. Subclasses extend it.
   */
  protected validate(): void {
    // The base class's settings (modelName, options) are checked by run() itself.
  }

  /** Called with the preprocessed data before training (subclasses keep parts of it). */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a hook: the base keeps nothing
  protected onPreprocessed(data: Data): void {
    // Nothing to keep in the base class.
  }

  /**
   * Runs the stages and records the run. The tracker row is the commit point, written after
   * every stage: if anything fails before, the tracker is unchanged (a failed stage marks the
   * run `failed` and is rethrown); the run's record ends after it, `finished` when the row was
   * recorded or another run's row kept (`skip`), `failed` when the commit was refused or failed.
   * Concurrent runs of one project (processes, machines) each re-read the tracker and retry
   * when another saved first, and find their own row (by run id) when a retry follows an answer
   * lost after the save, so no row is lost or doubled.
   * @throws ValidationError (before anything runs) for a missing or unknown `onDuplicate` or a bad
   *   `modelName`; DuplicateModelError with `onDuplicate: 'error'` when the name is taken (also
   *   when a concurrent run recorded it while this one trained: this run's record then says
   *   `failed` with this error, and it has no tracker row); ConflictError when other writers kept
   *   saving the tracker first through every retry (the same then holds).
   */
  async run(options: ExperimentRunOptions): Promise<ExperimentRunResult> {
    const settings = checkRunOptions(options);
    const modelName = checkModelName(this.modelName);
    this.validate();
    if (this.running) {
      throw new ValidationError(
        'run',
        `experiment "${modelName}" is already running on this object`,
        'Await the first run(), or create one experiment object per concurrent run.',
      );
    }
    this.running = true;
    this.debug = settings.debug;
    this.runId = undefined;
    this.trackerValues = {};
    this.hyperparameters = { ...this.hyperparameters, ...this.optionHyperparameters };
    try {
      return settings.debug
        ? await this.runDebug(modelName, settings)
        : await this.runRecorded(modelName, settings);
    } finally {
      this.running = false;
      this.currentOutputs = undefined;
      this.currentStore = undefined;
      this.logger = undefined;
    }
  }

  private async runDebug(modelName: string, settings: RunSettings): Promise<ExperimentRunResult> {
    const temporary = await temporaryOutputs();
    try {
      this.currentOutputs = temporary.outputs;
      const context = readRunContext(this.cwd ?? process.cwd());
      context.catch(() => undefined);
      const startedAt = new Date();
      const outcome = await this.runStages(settings);
      const { gitCommit, gitDirty } = await context;
      const row = this.row({
        modelName,
        status: 'debug',
        startedAt,
        ...outcome,
        outputs: temporary.outputs.uri,
        gitCommit,
        gitDirty,
      });
      return { status: 'debug', row, tracker: experimentTrackerPath(this.project) };
    } catch (error) {
      throw unwrapStageFailure(error);
    } finally {
      await temporary.remove();
    }
  }

  private async runRecorded(
    modelName: string,
    settings: RunSettings,
  ): Promise<ExperimentRunResult> {
    const ownsStore = typeof this.storeOption !== 'object';
    const store =
      typeof this.storeOption === 'object'
        ? this.storeOption
        : await openStore(this.storeOption, this.cwd === undefined ? {} : { cwd: this.cwd });
    try {
      const trackerPath = experimentTrackerPath(this.project);
      const tracker = await ModelTracker.load(store, trackerPath);
      const found = decide(tracker, modelName, settings.onDuplicate, {
        store: store.url,
        path: trackerPath,
        generation: tracker.generation ?? '0',
      });
      if (found !== undefined) return { status: 'skipped', row: found, tracker: trackerPath };

      const logger = await startRun({
        store,
        project: this.project,
        name: modelName,
        origin: 'experiment',
        experiment: modelName,
        hyperparameters: this.hyperparameters ?? {},
        closeOnExit: false,
        ...(this.cwd === undefined ? {} : { cwd: this.cwd }),
      });
      this.logger = logger;
      this.runId = logger.id;
      this.currentStore = store;
      const location = experimentOutputsLocation(store, this.project, modelName, logger.id);
      this.currentOutputs = storeOutputs(store, location);
      let outcome: StagesOutcome;
      try {
        outcome = await this.runStages(settings);
        logger.setSummary({
          ...Object.fromEntries(
            Object.entries(outcome.seconds).map(([stage, s]) => [`stage_seconds/${stage}`, s]),
          ),
          ...Object.fromEntries(
            Object.entries(outcome.results).filter(([, value]) => Number.isFinite(value)),
          ),
        });
      } catch (error) {
        const original = unwrapStageFailure(error);
        const stage = error instanceof StageFailure ? error.stage : 'run';
        // The original error matters more than a failed final write of the record.
        await logger
          .finish({ status: 'failed', error: `${stage} failed: ${describe(original)}` })
          .catch(() => undefined);
        throw original;
      }
      // The row is the commit point; the record then ends as the commit went, so a run that
      // the duplicate policy refused at the last moment is not left saying it finished.
      const record = logger.snapshot;
      const row = this.row({
        modelName,
        runId: logger.id,
        status: 'finished',
        startedAt: record.startedAt,
        ...outcome,
        outputs: location.uri,
        gitCommit: record.gitCommit,
        gitDirty: record.gitDirty,
      });
      let commit: RowCommit;
      try {
        commit = await commitExperimentRow(
          store,
          trackerPath,
          row,
          { modelName, runId: logger.id },
          settings.onDuplicate,
        );
      } catch (error) {
        const reason =
          error instanceof DuplicateModelError
            ? error
            : `its tracker row could not be recorded: ${describe(error)}`;
        await logger.finish({ status: 'failed', error: reason }).catch(() => undefined);
        throw error;
      }
      await logger.finish();
      return commit.status === 'recorded'
        ? { status: 'recorded', runId: logger.id, row: commit.row, tracker: trackerPath }
        : { status: 'skipped', runId: logger.id, row: commit.row, tracker: trackerPath };
    } finally {
      if (ownsStore) await store.close();
    }
  }

  private async runStages(settings: RunSettings): Promise<StagesOutcome> {
    const seconds: Partial<Record<ExperimentStage, number>> = {};
    const timed = async <T>(stage: ExperimentStage, action: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await action();
      } catch (error) {
        throw new StageFailure(stage, error);
      } finally {
        seconds[stage] = (performance.now() - start) / 1000;
      }
    };
    const debugStage = settings.debug ? this.preprocessDebug?.bind(this) : undefined;
    let data: Data;
    if (debugStage === undefined) {
      data = await timed('preprocess', () => this.preprocess());
    } else if (settings.debugReplacesPreprocessing) {
      data = await timed('preprocess_debug', () => debugStage());
    } else {
      const full = await timed('preprocess', () => this.preprocess());
      data = await timed('preprocess_debug', () => debugStage(full));
    }
    this.onPreprocessed(data);
    const model = await timed('train', () => this.train(data));
    const results = await timed('evaluate', async () =>
      checkResults(await this.evaluate(model, data)),
    );
    return { seconds, results, endedAt: new Date() };
  }

  private row(
    parts: Omit<ExperimentRowParts, 'project' | 'values' | 'hyperparameters'>,
  ): TrackerRow {
    return experimentRow({
      ...parts,
      project: this.project,
      values: this.trackerValues,
      hyperparameters: this.hyperparameters ?? {},
    });
  }
}

interface RunSettings {
  onDuplicate: OnDuplicate;
  debug: boolean;
  debugReplacesPreprocessing: boolean;
}

interface StagesOutcome {
  seconds: Partial<Record<ExperimentStage, number>>;
  results: Record<string, number>;
  endedAt: Date;
}

/** A stage's failure, with the stage named; unwrapped before anything reaches the caller. */
class StageFailure extends Error {
  constructor(
    readonly stage: ExperimentStage,
    override readonly cause: unknown,
  ) {
    super(`${stage} failed`);
  }
}

const unwrapStageFailure = (error: unknown): unknown =>
  error instanceof StageFailure ? error.cause : error;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);

function checkRunOptions(options: unknown): RunSettings {
  const fix = `Pass run({ onDuplicate: ${ON_DUPLICATE_VALUES.map((value) => `"${value}"`).join(' | ')} }): there is no default, say what a second run of the same model name should do.`;
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('onDuplicate', 'it is missing (no options were given)', fix);
  }
  const { onDuplicate, debug, debugReplacesPreprocessing } = options as Record<string, unknown>;
  if (!ON_DUPLICATE_VALUES.includes(onDuplicate as OnDuplicate)) {
    throw new ValidationError(
      'onDuplicate',
      onDuplicate === undefined
        ? 'it is missing'
        : `${JSON.stringify(onDuplicate)} is not a duplicate policy`,
      fix,
    );
  }
  for (const [name, value] of Object.entries({ debug, debugReplacesPreprocessing })) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new ValidationError(
        name,
        `${JSON.stringify(value)} is not true or false`,
        `Pass ${name}: true or false, or leave it out.`,
      );
    }
  }
  return {
    onDuplicate: onDuplicate as OnDuplicate,
    debug: debug === true,
    debugReplacesPreprocessing: debugReplacesPreprocessing !== false,
  };
}
