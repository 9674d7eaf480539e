/**
 * The store's public data contract: every table, its folder and its columns, in order.
 * Looker Studio data sources bind to these names and types, so a change here is a schema
 * version change that must ship with a migration (see {@link TRACKER_SCHEMA_VERSION} and
 * `ml-tracking migrate`). The docs and the code both read this file.
 */

/** How a column parses back (and how Looker Studio should type it). */
export type ColumnType =
  'text' | 'number' | 'integer' | 'boolean' | 'datetime' | 'date' | 'json' | 'url';

export interface Column {
  name: string;
  type: ColumnType;
  description: string;
}

/** A table's header: its column names, in order (what every writer puts on a file's first line). */
export const headerOf = (columns: readonly Column[]): string[] =>
  columns.map((column) => column.name);

/** What kinds of experiment there are. */
export const EXPERIMENT_KINDS = ['classification', 'regression'] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];

const column = (name: string, type: ColumnType, description: string): Column => ({
  name,
  type,
  description,
});

const COMMON_TRACKING_COLUMNS: readonly Column[] = [
  column(
    'prediction_id',
    'text',
    'UUID of the logged experiment; names its scoring, predictions and plot files',
  ),
  column('logged_at', 'datetime', 'When the experiment was logged (RFC 3339, UTC)'),
  column('date', 'date', 'Day the experiment was logged (YYYY-MM-DD, UTC)'),
  column('project', 'text', 'Slugified project name'),
  column('kind', 'text', 'classification or regression'),
  column('dataset_uri', 'text', 'Where the training data came from'),
  column('target_column', 'text', 'Column of the data set that was predicted'),
  column('test_set_size', 'integer', 'Number of test samples'),
  column(
    'test_set_sha256',
    'text',
    'SHA-256 of the test sample ids, one per line: equal digests mean the same split',
  ),
  column('model', 'text', 'Class name of the model'),
  column('hyperparameters', 'json', 'Hyperparameters of the model, as JSON'),
  column('model_features', 'json', 'Feature names the model was trained on, as a JSON array'),
  column('feature_importance', 'json', 'Feature importances, as a JSON object'),
  column('git_commit', 'text', 'Commit of the working directory when logged'),
  column(
    'git_dirty',
    'boolean',
    'Whether the working tree differed from the commit: changed tracked files, or files not yet committed that .gitignore does not ignore (a local store folder inside the repository does not count)',
  ),
  column('host', 'text', 'Host name of the machine that logged'),
  column('extra_parameters', 'json', 'Any other parameters, as JSON'),
  column(
    'prediction_uri',
    'text',
    "URL of the experiment's predictions CSV, as the store names it: gs://bucket/…/predictions/<kind>/<prediction_id>.csv on GCS, file:// locally (version 1 held the prediction id here)",
  ),
];

const CLASSIFICATION_METRIC_COLUMNS: readonly Column[] = [
  column('overall_accuracy', 'number', 'Accuracy (scikit-learn accuracy_score)'),
  column('balanced_accuracy', 'number', 'Mean recall over classes (balanced_accuracy_score)'),
  column('precision_macro', 'number', 'Unweighted mean precision over classes'),
  column('recall_macro', 'number', 'Unweighted mean recall over classes'),
  column('f1_macro', 'number', 'Unweighted mean F1 over classes'),
  column('f1_weighted', 'number', 'Support-weighted mean F1'),
  column(
    'true_positive_rate',
    'number',
    'Positive-class recall (binary) or macro one-vs-rest mean',
  ),
  column(
    'true_negative_rate',
    'number',
    'Positive-class specificity (binary) or macro one-vs-rest mean',
  ),
  column('mcc', 'number', 'Matthews correlation coefficient'),
  column('cohen_kappa', 'number', "Cohen's kappa"),
  column(
    'log_loss',
    'number',
    'Cross-entropy of the predicted probabilities (empty without y_score)',
  ),
  column(
    'roc_auc',
    'number',
    'Area under the ROC curve; one-vs-rest macro for multiclass (empty without y_score)',
  ),
  column('n_classes', 'integer', 'Classes seen in y_true or y_pred'),
];

const REGRESSION_METRIC_COLUMNS: readonly Column[] = [
  column('mae', 'number', 'Mean absolute error'),
  column('mape', 'number', 'Mean absolute percentage error, as a fraction (scikit-learn)'),
  column('rmse', 'number', 'Root mean squared error'),
  column('mse', 'number', 'Mean squared error'),
  column('mbe', 'number', 'Mean bias error: mean(y_pred − y_true)'),
  column('rsquared', 'number', 'Coefficient of determination (r2_score)'),
  column('explained_variance', 'number', 'Explained variance score'),
  column('median_absolute_error', 'number', 'Median absolute error'),
  column('max_error', 'number', 'Largest absolute error'),
];

const PLOT_COLUMNS: readonly Column[] = [
  column('plot_confusion_matrix', 'url', 'URL of the confusion-matrix PNG (classification)'),
  column('plot_regression', 'url', 'URL of the predicted-vs-actual PNG (regression)'),
  column('plot_residuals', 'url', 'URL of the residuals PNG (regression)'),
];

/** Plots of classification only, after the shared plot columns (schema version 2). */
const CLASSIFICATION_PLOT_COLUMNS: readonly Column[] = [
  column(
    'plot_confusion_matrix_normalized',
    'url',
    'URL of the confusion-matrix PNG with each row in % of its actual class',
  ),
  column(
    'plot_roc',
    'url',
    'URL of the ROC-curve PNG, one-vs-rest per class for multiclass (empty without y_score)',
  ),
  column(
    'plot_precision_recall',
    'url',
    'URL of the precision–recall-curve PNG, one-vs-rest per class for multiclass (empty without y_score)',
  ),
  column(
    'plot_calibration',
    'url',
    'URL of the calibration (reliability) PNG: positive-class probability, or top-label confidence for multiclass (empty without y_score)',
  ),
];

/**
 * The version of the tracking tables' columns. A tracker's header says which version it has;
 * `logExperiment` appends only to trackers of this version, and `ml-tracking migrate` rewrites
 * older ones (mapping columns by name, new columns empty).
 *
 * - **1**: the first release.
 * - **2**: classification trackers end with `plot_confusion_matrix_normalized`, `plot_roc`,
 *   `plot_precision_recall` and `plot_calibration` (every plot stored is referenced by its
 *   row); `prediction_uri` holds the URL of the predictions file instead of the prediction id
 *   (the migration fills it in for old rows); `git_dirty` also counts files not yet committed
 *   (old rows keep the value they were logged with). Regression columns are unchanged.
 */
export const TRACKER_SCHEMA_VERSION = 2;

/** A table of the store: the folder that holds its files and its header. */
export interface TableSchema {
  /** Folder under the store root; for per-kind tables, with `<kind>` filled in. */
  folder: string;
  columns: readonly Column[];
}

/**
 * Columns of the tracking table of one kind: one row per logged experiment. Older versions of
 * the schema are for migrations; every tracker written is of {@link TRACKER_SCHEMA_VERSION}.
 */
export function trackingColumns(
  kind: ExperimentKind,
  version: number = TRACKER_SCHEMA_VERSION,
): readonly Column[] {
  if (!Number.isInteger(version) || version < 1 || version > TRACKER_SCHEMA_VERSION) {
    throw new RangeError(
      `Tracker schema version ${version} does not exist: versions go from 1 to ${TRACKER_SCHEMA_VERSION}`,
    );
  }
  if (kind === 'regression') {
    return [...COMMON_TRACKING_COLUMNS, ...REGRESSION_METRIC_COLUMNS, ...PLOT_COLUMNS];
  }
  return [
    ...COMMON_TRACKING_COLUMNS,
    ...CLASSIFICATION_METRIC_COLUMNS,
    ...PLOT_COLUMNS,
    ...(version >= 2 ? CLASSIFICATION_PLOT_COLUMNS : []),
  ];
}

/** Metric names of one kind, in column order. */
export function metricNames(kind: ExperimentKind): readonly string[] {
  return (
    kind === 'classification' ? CLASSIFICATION_METRIC_COLUMNS : REGRESSION_METRIC_COLUMNS
  ).map((metric) => metric.name);
}

export const SCORING_COLUMNS: readonly Column[] = [
  column('prediction_id', 'text', 'The experiment'),
  column('project', 'text', 'Slugified project name'),
  column('kind', 'text', 'classification or regression'),
  column(
    'metric',
    'text',
    'Metric name: a tracking-table metric, or precision/recall/f1/support per class',
  ),
  column('class', 'text', 'The class a per-class metric is about; empty for overall metrics'),
  column('value', 'number', 'The value, at full precision'),
];

/** Columns of the predictions table of one kind: one row per test sample. */
export function predictionColumns(kind: ExperimentKind): readonly Column[] {
  const label: ColumnType = kind === 'regression' ? 'number' : 'text';
  return [
    column('prediction_id', 'text', 'The experiment'),
    column('sample_id', 'text', 'Id of the test sample'),
    column('y_true', label, 'Actual value'),
    column('y_pred', label, 'Predicted value'),
    kind === 'regression'
      ? column('residual', 'number', 'y_pred − y_true')
      : column('correct', 'boolean', 'Whether y_pred equals y_true'),
  ];
}

/**
 * Up to this many classes the confusion table has a row for every (actual, predicted) pair,
 * zeros included; above it, only the pairs that occur (a missing pair counts 0), so that the
 * table grows with the samples rather than with the square of the classes. The columns are the
 * same either way.
 */
export const CONFUSION_ALL_PAIRS_MAX_CLASSES = 100;

export const CONFUSION_COLUMNS: readonly Column[] = [
  column('prediction_id', 'text', 'The experiment'),
  column('actual', 'text', 'Actual class'),
  column('predicted', 'text', 'Predicted class'),
  column(
    'count',
    'integer',
    `Test samples with this actual and predicted class; above ${CONFUSION_ALL_PAIRS_MAX_CLASSES} classes only non-zero counts have a row (a missing pair is 0)`,
  ),
];

/** How a run ended, or that it has not (`running`); see {@link RUNS_COLUMNS}. */
export const RUN_STATUSES = ['running', 'finished', 'failed', 'early_stopped', 'lost'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What started a run. */
export const RUN_ORIGINS = [
  'logger',
  'exec',
  'sweep',
  'experiment',
  'train_model',
  'pipeline',
] as const;
export type RunOrigin = (typeof RUN_ORIGINS)[number];

/**
 * The runs table, `runs/<run_id>.csv`: one file per run holding its header and one row, rewritten
 * whole (atomically) while the run goes. Every run has one, whatever started it.
 */
export const RUNS_COLUMNS: readonly Column[] = [
  column('run_id', 'text', 'Id of the run, sortable by start time: <YYYYMMDDTHHMMSSmmm>Z-<8 hex>'),
  column('project', 'text', 'Slugified project name'),
  column('name', 'text', 'Name of the run; generated (adjective-animal-number) when not given'),
  column(
    'status',
    'text',
    'running, finished, failed, early_stopped or lost. A reader shows a running run whose heartbeat_at is older than 4 heartbeat intervals as lost; the file keeps running until someone closes it',
  ),
  column(
    'origin',
    'text',
    'What started it: logger, exec, sweep, experiment, train_model or pipeline',
  ),
  column('started_at', 'datetime', 'When the run started (RFC 3339, UTC)'),
  column('ended_at', 'datetime', 'When it ended; empty while running'),
  column('heartbeat_at', 'datetime', 'Last sign of life of the process writing the run'),
  column(
    'heartbeat_interval_seconds',
    'number',
    'How often the writer promised a heartbeat; 4 missed ones make a running run lost',
  ),
  column('host', 'text', 'Host name of the machine the run ran on'),
  column('git_commit', 'text', 'Commit of the working directory at the start'),
  column('git_dirty', 'boolean', 'Whether the working tree differed from the commit at the start'),
  column('hyperparameters', 'json', 'Hyperparameters, as a JSON object'),
  column(
    'summary',
    'json',
    'Per scalar tag: {"last","last_step","min","min_step","max","max_step","count"}, as JSON',
  ),
  column('sweep_id', 'text', 'The sweep this run is a trial of; empty otherwise'),
  column('trial', 'integer', 'Trial number within its sweep, from 0; empty outside a sweep'),
  column('experiment', 'text', 'Experiment class or model name that ran, when one did'),
  column('pipeline_script', 'text', 'Pipeline model script, when the pipeline ran it'),
  column('pipeline_version', 'text', 'Version of that script, when the pipeline ran it'),
  column('command', 'json', 'The argv that reproduces the run, as a JSON array, when known'),
  column('error', 'text', 'Why a failed run failed (the error message); empty otherwise'),
  column('prediction_ids', 'json', 'Prediction ids logged by the run, as a JSON array'),
  column('scalars_uri', 'text', "URL of the run's scalars CSV in the store"),
  column('log_uri', 'text', "URL of the run's captured output in the store, when there is one"),
  column(
    'working_directory',
    'text',
    'The folder command ran in, on its host: where to run it again; empty when no command was recorded',
  ),
];

/**
 * The version of the runs table's columns (see {@link TRACKER_SCHEMA_VERSION} for trackers).
 * - 1: the first.
 * - 2: `working_directory`, last (a command's relative paths mean nothing without it). A file of
 *   version 1 reads as before (columns are read by name) with no working directory;
 *   `ml-tracking migrate` rewrites such files with the current header, so that a folder data
 *   source sees one header.
 */
export const RUNS_SCHEMA_VERSION = 2;

/**
 * The scalars table, `scalars/<run_id>.csv`: a run's step series, one row per point, appended in
 * batches (long format, so one data source charts any tag of any run).
 */
export const SCALARS_COLUMNS: readonly Column[] = [
  column('run_id', 'text', 'The run'),
  column('tag', 'text', 'Name of the series, e.g. loss or val/accuracy'),
  column('step', 'integer', 'Step of the point (non-negative integer)'),
  column('value', 'number', 'The value, at full precision'),
  column('wall_time', 'datetime', 'When the point was recorded (RFC 3339, UTC)'),
];

/** The sweeps table, `sweeps/<sweep_id>.csv`: one file per sweep, written once when created. */
export const SWEEPS_COLUMNS: readonly Column[] = [
  column('sweep_id', 'text', 'Id of the sweep, sortable by creation time'),
  column('project', 'text', 'Slugified project name'),
  column('created_at', 'datetime', 'When the sweep was created (RFC 3339, UTC)'),
  column('main_script_name', 'text', 'The trial script, relative to the configuration file'),
  column('method', 'text', 'random or grid'),
  column('max_runs', 'integer', 'Trials in the sweep at most'),
  column('seed', 'integer', 'Seed of the sampling: the same seed gives the same trials'),
  column('optimization_metric', 'text', 'Scalar tag the sweep optimises; empty without one'),
  column('optimization_goal', 'text', 'max or min; empty without an optimisation metric'),
  column('early_stopping', 'boolean', 'Whether trials stop early when the metric stalls'),
  column(
    'early_stopping_patience',
    'integer',
    'Logged values without improvement after which a trial is stopped',
  ),
  column('search_space', 'json', 'The hyperparameters section of the configuration, as JSON'),
];

/**
 * The model_runs table, `model_runs/<run_id>.csv`: one file per `trainModel` run (header and one
 * row, written when the run ends), with what it takes to reproduce it: the registered classes,
 * their parameters, the commit and the content address of the data set it trained on.
 */
export const MODEL_RUNS_COLUMNS: readonly Column[] = [
  column('run_id', 'text', 'The run (its record is runs/<run_id>.csv)'),
  column('project', 'text', 'Slugified project name'),
  column('kind', 'text', 'classification or regression'),
  column('model_class', 'text', 'Registered name of the model class'),
  column('hyperparameters', 'json', 'Parameters the model was constructed with, as JSON'),
  column('feature_generator_class', 'text', 'Registered name of the feature generator'),
  column('feature_generator_params', 'json', 'Its parameters, as JSON'),
  column('dataset_class', 'text', 'Registered name of the dataset class'),
  column('dataset_params', 'json', 'Its parameters, as JSON'),
  column('test_fraction', 'number', 'Share of the samples held out for testing'),
  column('seed', 'integer', 'Seed of the train/test split'),
  column('git_commit', 'text', 'Commit of the working tree the run trained at'),
  column('git_dirty', 'boolean', 'Whether the working tree had uncommitted changes'),
  column('metrics', 'json', "The test part's metrics (logExperiment's scores), as JSON"),
  column('prediction_id', 'text', 'The logged experiment (tracker row, scoring, predictions)'),
  column(
    'artifacts',
    'json',
    'Stored artifacts by role, e.g. {"dataset": "artifacts/sha256/<hex>"}, content-addressed',
  ),
  column('reproduces', 'text', 'The run this one reproduces; empty for an original run'),
  column('start_time', 'datetime', 'When training started (RFC 3339, UTC)'),
  column('end_time', 'datetime', 'When the run was recorded (RFC 3339, UTC)'),
];

/** Every table of the store, folder by folder (one Looker Studio data source each). */
export function allTables(): TableSchema[] {
  return [
    ...EXPERIMENT_KINDS.map((kind) => ({
      folder: `projects/${kind}`,
      columns: trackingColumns(kind),
    })),
    { folder: 'scoring', columns: SCORING_COLUMNS },
    ...EXPERIMENT_KINDS.map((kind) => ({
      folder: `predictions/${kind}`,
      columns: predictionColumns(kind),
    })),
    { folder: 'confusion', columns: CONFUSION_COLUMNS },
    { folder: 'runs', columns: RUNS_COLUMNS },
    { folder: 'scalars', columns: SCALARS_COLUMNS },
    { folder: 'sweeps', columns: SWEEPS_COLUMNS },
    { folder: 'model_runs', columns: MODEL_RUNS_COLUMNS },
  ];
}
