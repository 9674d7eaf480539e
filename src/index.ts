// The public API, and nothing else: every name is exported explicitly.
export {
  ConflictError,
  MlTrackingError,
  NotFoundError,
  RenderError,
  StoreError,
  ValidationError,
} from './errors.js';
export type { StoreErrorContext } from './errors.js';

export { logExperiment } from './tracking/log-experiment.js';
export type {
  LogExperimentOptions,
  LoggedExperiment,
  LoggedFile,
} from './tracking/log-experiment.js';
export type { ExperimentInput, ExperimentParameters } from './tracking/validate.js';
export { slugifyProject } from './tracking/project-name.js';
export { findLatestTracker, openTracker } from './tracking/trackers.js';
export type { OpenTrackerOptions, Tracker } from './tracking/trackers.js';
export { listTrackers } from './tracking/list-trackers.js';
export { collectGarbage } from './tracking/collect-garbage.js';
export type { CollectGarbageOptions, Garbage, GarbageReport } from './tracking/collect-garbage.js';
export type { ListTrackersOptions, TrackerSummary } from './tracking/list-trackers.js';
export { findExperiment } from './tracking/find-experiment.js';
export type { FoundExperiment } from './tracking/find-experiment.js';
export { runDemo } from './demo/run-demo.js';
export type { RunDemoOptions } from './demo/run-demo.js';

export { classificationMetrics, regressionMetrics, toConfusionMatrix } from './metrics/index.js';
export type {
  ClassificationOptions,
  ClassificationOverall,
  ClassificationScores,
  ConfusionCounts,
  Label,
  PerClassScores,
  RegressionScores,
} from './metrics/index.js';

export {
  allTables,
  trackingColumns,
  predictionColumns,
  SCORING_COLUMNS,
  CONFUSION_COLUMNS,
  EXPERIMENT_KINDS,
} from './layout/tables.js';
export type { Column, ColumnType, ExperimentKind, TableSchema } from './layout/tables.js';

export { lookerDataSources, lookerFieldType, dataSourceAlias } from './looker/data-sources.js';
export type {
  LookerCalculatedField,
  LookerDataSource,
  LookerField,
  LookerFieldType,
} from './looker/data-sources.js';
export { lookerLinkingUrl, templateReportIdOf, LOOKER_CREATE_URL } from './looker/linking-url.js';
export type { LookerLinkingUrlOptions } from './looker/linking-url.js';
export { bigQueryDdl, bigQueryExternalTables, bigQueryType } from './looker/bigquery-ddl.js';
export type {
  BigQueryDdlOptions,
  BigQueryExternalTable,
  BigQueryType,
} from './looker/bigquery-ddl.js';

export { openStore, DEFAULT_STORE_FOLDER } from './store/open-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export { checkStore } from './store/check-store.js';
export type { StoreCheckReport, StoreCheckStep } from './store/check-store.js';
export type {
  AppendOptions,
  Leftover,
  ListOptions,
  ListPage,
  ObjectChunks,
  ObjectData,
  ObjectInfo,
  RetryPolicy,
  Store,
  WriteOptions,
} from './store/types.js';
