/**
 * An experiment's tracker row and the checks of what goes into it, shared by the TypeScript
 * `Experiment` and the engine commands that commit the row of an experiment run elsewhere (the
 * Python client's `ml-tracking experiment commit`), so both write the same columns.
 */
import { jsonText } from '../_json.js';
import { ValidationError } from '../errors.js';
import type { JsonValue } from '../runs/run-record.js';
import type { TrackerRow } from './model-tracker.js';

/** The tracker columns `run()` writes itself; `evaluate()` results may not use these names. */
export const EXPERIMENT_ROW_COLUMNS = [
  'model_name',
  'run_id',
  'project',
  'status',
  'started_at',
  'ended_at',
  'preprocess_seconds',
  'preprocess_debug_seconds',
  'train_seconds',
  'evaluate_seconds',
  'hyperparameters',
  'outputs',
  'git_commit',
  'git_dirty',
] as const;

/** The timed stages, in the order they run; each is the summary value `stage_seconds/<stage>`. */
export const EXPERIMENT_STAGES = ['preprocess', 'preprocess_debug', 'train', 'evaluate'] as const;

/** One timed stage of an experiment. */
export type ExperimentStage = (typeof EXPERIMENT_STAGES)[number];

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** What a tracker row is made of. */
export interface ExperimentRowParts {
  modelName: string;
  /** The slugified project. */
  project: string;
  runId?: string;
  status: string;
  startedAt: Date;
  endedAt: Date;
  seconds: Partial<Record<ExperimentStage, number>>;
  results: Record<string, number>;
  /** Other columns (`prediction_id`), checked by {@link checkTrackerColumn}. */
  values: TrackerRow;
  hyperparameters: Record<string, JsonValue>;
  outputs: string;
  gitCommit: string | undefined;
  gitDirty: boolean | undefined;
}

/** The tracker row of an experiment run, its columns in the order every writer uses. */
export function experimentRow(parts: ExperimentRowParts): TrackerRow {
  const row: TrackerRow = {
    model_name: parts.modelName,
    ...(parts.runId === undefined ? {} : { run_id: parts.runId }),
    project: parts.project,
    status: parts.status,
    started_at: parts.startedAt.toISOString(),
    ended_at: parts.endedAt.toISOString(),
  };
  for (const stage of EXPERIMENT_STAGES) {
    const value = parts.seconds[stage];
    if (value !== undefined) row[`${stage}_seconds`] = value;
  }
  Object.assign(row, parts.results, parts.values);
  row.hyperparameters = parts.hyperparameters;
  row.outputs = parts.outputs;
  if (parts.gitCommit !== undefined) row.git_commit = parts.gitCommit;
  if (parts.gitDirty !== undefined) row.git_dirty = parts.gitDirty;
  return row;
}

/** Whether `name` is a column the experiment writes itself. */
export const isExperimentRowColumn = (name: string): boolean =>
  (EXPERIMENT_ROW_COLUMNS as readonly string[]).includes(name);

/**
 * Checks an extra column of the row (e.g. `prediction_id`).
 * @throws ValidationError for an empty name or a column the experiment writes itself.
 */
export function checkTrackerColumn(column: unknown, parameter = 'column'): string {
  if (typeof column !== 'string' || column === '' || isExperimentRowColumn(column)) {
    throw new ValidationError(
      parameter,
      `${JSON.stringify(column)} is empty or a column run() writes itself`,
      `Use another name than ${EXPERIMENT_ROW_COLUMNS.join(', ')}.`,
    );
  }
  return column;
}

/**
 * Checks a model name: the tracker's duplicate key, and a folder name of the store.
 * @throws ValidationError naming `parameter`.
 */
export function checkModelName(name: unknown, parameter = 'modelName'): string {
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new ValidationError(
      parameter,
      `${JSON.stringify(name)} is not a model name`,
      'Set modelName in the class to 1–200 of A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. "random-forest-200" (it names a folder of the store).',
    );
  }
  return name;
}

/**
 * Checks what `evaluate()` returned: results by name, numbers only, none named like a column the
 * experiment writes itself.
 * @throws ValidationError naming the result at fault.
 */
export function checkResults(results: unknown, source = 'evaluate()'): Record<string, number> {
  if (typeof results !== 'object' || results === null || Array.isArray(results)) {
    throw new ValidationError(
      source,
      'it did not resolve to an object of results',
      `Return results by name from ${source}, e.g. { accuracy: 0.91 }.`,
    );
  }
  for (const [name, value] of Object.entries(results)) {
    if (name === '' || isExperimentRowColumn(name)) {
      throw new ValidationError(
        `${source} result "${name}"`,
        'the name is empty or one of the columns run() writes itself',
        `Rename it; these are taken: ${EXPERIMENT_ROW_COLUMNS.join(', ')}.`,
      );
    }
    if (typeof value !== 'number') {
      throw new ValidationError(
        `${source} result "${name}"`,
        `${jsonText(value) ?? typeof value} is not a number`,
        'Return numbers only; record other values with this.outputs.write().',
      );
    }
  }
  return results as Record<string, number>;
}
