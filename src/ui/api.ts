/**
 * The dashboard's JSON API: what `ml-tracking ui`'s server answers and its front end reads. Types
 * only, shared by `server/` and `app/`, so the two cannot drift apart. Every route is a GET: the
 * dashboard never writes to the store. Times are ISO 8601 strings in UTC; a value that is not a
 * finite number (NaN, ±Infinity) travels as `null`.
 */
import type { ExperimentKind, RunOrigin, RunStatus } from '../layout/tables.js';

/**
 * A stored file an answer left out because it cannot be read (a corrupt or foreign file): the
 * page names it in a notice, and the rest of the answer is what could be read.
 */
export interface SkippedFileJson {
  /** The file's path in the store. */
  path: string;
  /** What is wrong with it. */
  problem: string;
}

/** Answers that list what they read carry the files they had to leave out. */
export interface WithSkippedFiles {
  /** Files left out of this answer; empty when every file could be read. */
  skipped: SkippedFileJson[];
}

/** `GET /api/store`: what the dashboard is looking at. */
export interface StoreInfo {
  /** The store's URL, safe to show (never holds credentials). */
  url: string;
  kind: string;
  /** The package version serving the page. */
  version: string;
}

/** One project, as `GET /api/projects` lists it. */
export interface ProjectItem {
  project: string;
  /** Experiments logged with `logExperiment`, all kinds. */
  experiments: number;
  /** Kinds with at least one tracker. */
  kinds: ExperimentKind[];
  /** Runs that are not sweep trials, as the Runs tab lists them. */
  runs: number;
  sweeps: number;
  /** The latest experiment, run start or run end; `null` when the project has neither. */
  lastActivity: string | null;
}

/** `GET /api/projects`, newest activity first. */
export interface ProjectsResponse extends WithSkippedFiles {
  projects: ProjectItem[];
}

/** One experiment (a tracker row) in `GET /api/projects/:project/experiments`. */
export interface ExperimentItem {
  predictionId: string;
  loggedAt: string;
  model: string;
  kind: ExperimentKind;
  metrics: Record<string, number | null>;
}

/**
 * `GET /api/projects/:project/experiments?kind=classification|regression`: one kind's
 * experiments (the first kind the project has when `kind` is left out), newest first. A project
 * with runs or sweeps but no `logExperiment` rows answers with `kinds` and `experiments` empty;
 * a project with none of them is a 404.
 */
export interface ExperimentsResponse extends WithSkippedFiles {
  project: string;
  kind: ExperimentKind;
  /** Every kind this project has, for a kind switch; empty for a project of runs only. */
  kinds: ExperimentKind[];
  /** The metric columns, in the data contract's order. */
  metrics: string[];
  /** The metric the CLI ranks by for this kind (`f1_macro`, `rmse`). */
  headlineMetric: string;
  /** Per metric: whether higher, lower or closer to zero is better. */
  goals: Record<string, 'higher' | 'lower' | 'zero' | 'none'>;
  experiments: ExperimentItem[];
}

/** A stored file the page can link or show: `href` is a `/files/…` URL on this server. */
export interface FileLink {
  /** A short name: the plot's name (`roc`, `confusion_matrix`) or the file's. */
  name: string;
  href: string;
}

/** A cell of a tracker row, typed by the data contract. */
export type FieldValue =
  string | number | boolean | null | readonly unknown[] | Readonly<Record<string, unknown>>;

/** `GET /api/experiments/:predictionId`: one experiment with everything stored about it. */
export interface ExperimentDetail {
  predictionId: string;
  project: string;
  kind: ExperimentKind;
  /** Every tracker column but the metrics (model, hyperparameters, git, host…), in column order. */
  fields: Record<string, FieldValue>;
  /** The model's hyperparameters, flattened from the tracker row (empty when none were recorded). */
  hyperparameters: Record<string, FieldValue>;
  metrics: Record<string, number | null>;
  /** Per-class rows of the scoring table (classification). */
  perClass: { class: string; metrics: Record<string, number | null> }[];
  /** The confusion matrix: `labels` in order, `counts[actual][predicted]`; absent for regression. */
  confusion?: { labels: string[]; counts: number[][] };
  /** The stored PNG plots. */
  plots: FileLink[];
  /** The predictions CSV. */
  predictions: FileLink;
  /** Runs that linked this prediction id. */
  runIds: string[];
}

/** A run in a list: the record's small fields. */
export interface RunItem {
  id: string;
  project: string;
  name: string;
  /** As readers judge it: a running run whose heartbeat stopped is `lost`. */
  status: RunStatus;
  origin: RunOrigin;
  startedAt: string;
  endedAt: string | null;
  sweepId: string | null;
  trial: number | null;
  /** The scalar tags it recorded (its summary's keys). */
  tags: string[];
}

/**
 * `GET /api/runs?project=&q=&sweep=&trials=exclude|include|only&offset=0&limit=100`: runs newest
 * first. `q` matches id, name, project, host and hyperparameter values, case-insensitively;
 * `trials` defaults to `exclude` (the Runs tab lists runs that are not sweep trials).
 */
export interface RunsResponse extends WithSkippedFiles {
  /** Runs matching the filter, before paging. */
  total: number;
  offset: number;
  runs: RunItem[];
  /** Every project that has runs, for the filter control. */
  projects: string[];
  /**
   * When the server's index last matched a listing of the store (ISO 8601); `null` right after
   * a restart, while it answers from its cache and checks the store for changes: ask again.
   */
  checkedAt: string | null;
}

/** One tag's summary, as the run record holds it. */
export interface TagSummaryJson {
  last: number | null;
  lastStep: number;
  min: number | null;
  minStep: number;
  max: number | null;
  maxStep: number;
  count: number;
}

/** `GET /api/runs/:id`: one run's whole record. */
export interface RunDetail extends RunItem {
  heartbeatAt: string;
  /** Seconds from start to end (or to the last heartbeat while running or lost). */
  durationSeconds: number;
  host: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  hyperparameters: Record<string, unknown>;
  summary: Record<string, TagSummaryJson>;
  error: string | null;
  predictionIds: string[];
  experiment: string | null;
  pipelineScript: string | null;
  pipelineVersion: string | null;
  /** The command the run recorded (its argv), shell-quoted; `null` when it recorded none. */
  command: string | null;
  /**
   * How to run it again (`src/runs/reproduce-line.ts`): `ml-tracking reproduce` for a
   * `trainModel` run, else its recorded command; `null` when nothing says how.
   */
  reproduce: { command: string; note: string | null } | null;
  /** Whether the run's output was captured (`GET /api/runs/:id/log`). */
  hasLog: boolean;
  scalarsUri: string;
}

/**
 * `GET /api/runs/compare?ids=<id>,<id>`: the parameters `ml-tracking compare` prints
 * (`compareRuns`), those that differ first; each row's values in the order of `runIds`.
 */
export interface RunsCompareResponse {
  runIds: string[];
  parameters: { name: string; values: unknown[]; differs: boolean }[];
}

/** `GET /api/runs/:id/log?tail=65536`: the end of a run's captured output. */
export interface RunLog {
  text: string;
  /** Whether earlier output was left out. */
  truncated: boolean;
  /** The whole log's size in bytes. */
  size: number;
}

/** One tag of one run, downsampled: three equal-length arrays in step order. */
export interface SeriesJson {
  step: number[];
  value: (number | null)[];
  /** Epoch milliseconds. */
  wallTime: number[];
}

/**
 * `GET /api/scalars?runs=<id>,<id>&maxPoints=1000&tags=<tag>,<tag>`: the runs' series by run
 * and tag, each thinned to at most `maxPoints` points (min and max per step range, so spikes
 * survive). At most 200 runs per request. A run whose scalars file cannot be read has no entry
 * in `series`; its file is in `skipped`.
 */
export interface ScalarsResponse extends WithSkippedFiles {
  series: Record<string, Record<string, SeriesJson>>;
  /** Each run's status now, so the page knows which ones to keep polling. */
  status: Record<string, RunStatus>;
}

/** A sweep in `GET /api/sweeps`, newest first. */
export interface SweepItem {
  id: string;
  project: string;
  createdAt: string;
  method: string;
  metric: string | null;
  goal: 'max' | 'min';
  trialCount: number;
  counts: Record<RunStatus, number>;
  /** The best trial's value of the metric. */
  best: number | null;
}

/** `GET /api/sweeps`. */
export interface SweepsResponse extends WithSkippedFiles {
  sweeps: SweepItem[];
}

/** One trial of a sweep. */
export interface TrialItem {
  trial: number;
  runId: string;
  status: RunStatus;
  hyperparameters: Record<string, unknown>;
  /** Best value of the optimisation metric (min or max by the goal); `null` without one. */
  best: number | null;
  startedAt: string;
  endedAt: string | null;
  /**
   * For an `early_stopped` trial, the rule that stopped it (`hyperband`, `median` or the patience
   * rule `early_stopping`), at which report of the metric and, for hyperband, which rung; the
   * whole sentence is `reason`. `null` otherwise.
   */
  stoppedBy: {
    rule: 'hyperband' | 'median' | 'early_stopping';
    step: number;
    rung: number | null;
    reason: string;
  } | null;
  /**
   * In a sweep with `early_terminate`, the last decision point the trial reached, from its
   * progress record, whatever its status (the status is always the run's own): the report of the
   * metric it was at, hyperband's rung there (`null` for the median rule) and the trial's best
   * value so far there. `null` in other sweeps, and before a trial's first decision point.
   */
  reached: { step: number; rung: number | null; value: number } | null;
  /**
   * Another attempt of the same trial replaced this run (its agent was lost or stopped, and the
   * trial ran again): listed last, and not in the sweep's counts.
   */
  replaced: boolean;
}

/**
 * `GET /api/sweeps/:id?offset=0&limit=20&sort=best|trial|status|started|hp.<name>&order=asc|desc`:
 * one sweep, its configuration and one page of its trials (sorted as asked; `best` puts the best
 * first by the sweep's goal).
 */
export interface SweepDetail extends SweepItem, WithSkippedFiles {
  /** The configuration as resolved, in its file's own format (snake_case keys). */
  config: Record<string, unknown>;
  /** The search space: each hyperparameter's spec from the configuration. */
  parameters: Record<string, unknown>;
  earlyStopping: Record<string, unknown> | null;
  seed: number;
  /** Hyperparameter names, for table columns and the parallel-coordinates axes. */
  hyperparameterNames: string[];
  /** Trials with a run so far (claimed), before paging. */
  total: number;
  offset: number;
  /** The page of trials asked for. */
  trials: TrialItem[];
  /** Every trial, for the parallel-coordinates chart (hyperparameters and best value only). */
  allTrials: Pick<TrialItem, 'trial' | 'runId' | 'status' | 'hyperparameters' | 'best'>[];
}

/**
 * The body of every error answer (`4xx`, `5xx`): `errorJson` of the error, the line the CLI
 * prints on stderr with `--json`. A request about one object whose file cannot be read is
 * answered 422 with code `ERR_CORRUPT_FILE`, and `path` names the file.
 */
export interface ErrorResponse {
  error: {
    /** One of the codes in the README's Errors section (`ERROR_CODES`), e.g. `ERR_NOT_FOUND`. */
    code: string;
    /** What failed, where, and how to fix it. */
    message: string;
    /** The query parameter or input at fault, for `ERR_VALIDATION`. */
    parameter?: string;
    /** The object in the store the failure concerns. */
    path?: string;
    /** How to fix it (also the end of `message`). */
    hint?: string;
  };
}
