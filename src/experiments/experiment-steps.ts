/**
 * The two steps of an experiment that the engine takes for a program that runs the stages itself
 * (the Python client's `Experiment`, through `ml-tracking experiment check|commit`): the duplicate
 * policy before any stage, and the tracker row committed last, by the same compare-and-swap as
 * the TypeScript `Experiment`. Its run is an ordinary run, recorded by its own writer.
 */
import { ValidationError } from '../errors.js';
import { experimentTrackerPath } from '../layout/paths.js';
import { experimentOutputsLocation } from '../records/experiment-records.js';
import { getRun } from '../runs/read-runs.js';
import type { JsonValue } from '../runs/run-record.js';
import type { Store } from '../store/types.js';
import { slugifyProject } from '../tracking/project-name.js';
import {
  commitExperimentRow,
  decide,
  ON_DUPLICATE_VALUES,
  type OnDuplicate,
} from './duplicate-policy.js';
import {
  checkModelName,
  checkResults,
  checkTrackerColumn,
  EXPERIMENT_STAGES,
  experimentRow,
  type ExperimentStage,
} from './experiment-row.js';
import { ModelTracker, type TrackerRow } from './model-tracker.js';

/** What the policy decided before any stage: train (`run`), or keep the row found (`skip`). */
export type ExperimentCheck =
  { decision: 'run'; tracker: string } | { decision: 'skip'; row: TrackerRow; tracker: string };

/** Options of {@link checkExperiment}. */
export interface CheckExperimentOptions {
  store: Store;
  /** The project's name (slugified). */
  project: string;
  /** The tracker's duplicate key. */
  modelName: string;
  onDuplicate: OnDuplicate;
}

/**
 * Applies the duplicate policy to the tracker as it is now, as `Experiment.run` does before its
 * first stage. Writes nothing.
 * @throws DuplicateModelError (`ERR_CONFLICT`) with `onDuplicate: 'error'` when the name is taken;
 *   ValidationError for a bad project, model name or policy.
 */
export async function checkExperiment(options: CheckExperimentOptions): Promise<ExperimentCheck> {
  const project = slugifyProject(options.project);
  const modelName = checkModelName(options.modelName, 'modelName');
  const onDuplicate = checkOnDuplicate(options.onDuplicate);
  const path = experimentTrackerPath(project);
  const tracker = await ModelTracker.load(options.store, path);
  const found = decide(tracker, modelName, onDuplicate, {
    store: options.store.url,
    path,
    generation: tracker.generation ?? '0',
  });
  return found === undefined
    ? { decision: 'run', tracker: path }
    : { decision: 'skip', row: found, tracker: path };
}

/** What the commit did: recorded this run's row, or kept another run's (`skip`). */
export interface ExperimentCommit {
  status: 'recorded' | 'skipped';
  /** The row recorded, or the other run's row that was kept. */
  row: TrackerRow;
  /** The tracker's path in the store. */
  tracker: string;
}

/** Options of {@link commitExperiment}. */
export interface CommitExperimentOptions extends CheckExperimentOptions {
  /** The experiment's run, already started (its record gives the start time and the commit). */
  runId: string;
  /** What `evaluate()` returned: numbers by name, one tracker column each. */
  results: Record<string, unknown>;
  /** Seconds each stage took, by stage name (`preprocess`, `preprocess_debug`, `train`, `evaluate`). */
  stageSeconds?: Record<string, unknown>;
  /** Other columns of the row, e.g. `prediction_id`. */
  columns?: Record<string, unknown>;
  /** The hyperparameters to record. @default those of the run's record */
  hyperparameters?: Record<string, JsonValue>;
  /** When the stages ended. @default now */
  endedAt?: Date;
}

/**
 * Commits the row of an experiment whose stages ran elsewhere, as `Experiment.run` commits its
 * own: after every stage, by the keyed compare-and-swap of `commitExperimentRow` (the policy is
 * applied again to the rows as they are then; a retry after a lost answer finds its own row).
 * The caller ends its run afterwards, `failed` when this throws.
 * @throws ValidationError (nothing written) for a bad flag; NotFoundError when the run is not in
 *   the store; DuplicateModelError (`error`, another run recorded the name meanwhile);
 *   ConflictError when other writers kept saving first through every retry.
 */
export async function commitExperiment(
  options: CommitExperimentOptions,
): Promise<ExperimentCommit> {
  const project = slugifyProject(options.project);
  const modelName = checkModelName(options.modelName, 'modelName');
  const onDuplicate = checkOnDuplicate(options.onDuplicate);
  const results = checkResults(options.results, 'results');
  const seconds = checkStageSeconds(options.stageSeconds ?? {});
  const values: TrackerRow = {};
  for (const [column, value] of Object.entries(options.columns ?? {})) {
    values[checkTrackerColumn(column, `columns.${column}`)] = value;
  }
  const run = await getRun(options.runId, { store: options.store });
  const path = experimentTrackerPath(project);
  const row = experimentRow({
    modelName,
    project,
    runId: run.id,
    status: 'finished',
    startedAt: run.startedAt,
    endedAt: options.endedAt ?? new Date(),
    seconds,
    results,
    values,
    hyperparameters: options.hyperparameters ?? run.hyperparameters,
    outputs: experimentOutputsLocation(options.store, project, modelName, run.id).uri,
    gitCommit: run.gitCommit,
    gitDirty: run.gitDirty,
  });
  const commit = await commitExperimentRow(
    options.store,
    path,
    row,
    { modelName, runId: run.id },
    onDuplicate,
  );
  return { status: commit.status, row: commit.row, tracker: path };
}

/** Checks a duplicate policy given as text. */
export function checkOnDuplicate(value: unknown, parameter = 'onDuplicate'): OnDuplicate {
  if (ON_DUPLICATE_VALUES.includes(value as OnDuplicate)) return value as OnDuplicate;
  throw new ValidationError(
    parameter,
    value === undefined ? 'it is missing' : `${JSON.stringify(value)} is not a duplicate policy`,
    `Pass one of ${ON_DUPLICATE_VALUES.join(', ')}: there is no default, say what a second run of the same model name should do.`,
  );
}

function checkStageSeconds(
  stageSeconds: Record<string, unknown>,
): Partial<Record<ExperimentStage, number>> {
  const seconds: Partial<Record<ExperimentStage, number>> = {};
  for (const [stage, value] of Object.entries(stageSeconds)) {
    if (!(EXPERIMENT_STAGES as readonly string[]).includes(stage)) {
      throw new ValidationError(
        `stageSeconds.${stage}`,
        'it is not a stage of an experiment',
        `Time these stages only: ${EXPERIMENT_STAGES.join(', ')}.`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(
        `stageSeconds.${stage}`,
        `${JSON.stringify(value)} is not a number of seconds`,
        'Pass the seconds the stage took, a finite number ≥ 0.',
      );
    }
    seconds[stage as ExperimentStage] = value;
  }
  return seconds;
}
