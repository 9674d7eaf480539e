// The public API, and nothing else: every name is exported explicitly.
export {
  ConflictError,
  CorruptFileError,
  isMlTrackingError,
  MlTrackingError,
  NotFoundError,
  OutdatedTrackerError,
  RenderError,
  StoreError,
  ValidationError,
} from './errors.js';
export type {
  ErrorClassOfCode,
  MlTrackingErrorOf,
  MlTrackingErrorOptions,
  Problem,
  StoreErrorContext,
} from './errors.js';
export { ERROR_CODES, errorJson, exitCodeOf, isErrorCode } from './error-codes.js';
export type { ErrorCode, ErrorCodeInfo, ErrorJson } from './error-codes.js';
export { CommitNotFoundError } from './experiments/_git-worktree.js';
export type { OnSkipped, SkippedFile, SkippedFilesOptions } from './skipped-files.js';

export { logExperiment } from './tracking/log-experiment.js';
export type {
  LogExperimentOptions,
  LoggedExperiment,
  LoggedFile,
} from './tracking/log-experiment.js';
export type { ExperimentInput, ExperimentParameters } from './tracking/validate.js';
export { readPredictionsCsv } from './tracking/predictions-csv/read-predictions-csv.js';
export type {
  PredictionsCsv,
  PredictionsCsvInputNames,
  ReadPredictionsCsvOptions,
  ScoreReading,
} from './tracking/predictions-csv/read-predictions-csv.js';
export { logPredictionsCsv } from './tracking/predictions-csv/log-predictions-csv.js';
export type { LogPredictionsCsvOptions } from './tracking/predictions-csv/log-predictions-csv.js';
export { slugifyProject } from './tracking/project-name.js';
export { findLatestTracker, openTracker } from './tracking/trackers.js';
export type { OpenTrackerOptions, Tracker } from './tracking/trackers.js';
export { listTrackers } from './tracking/list-trackers.js';
export { collectGarbage } from './tracking/collect-garbage.js';
export { migrateTrackers } from './tracking/migrate-trackers.js';
export { migrateRuns } from './runs/migrate-runs.js';
export type { RunMigration, RunsMigrationReport } from './runs/migrate-runs.js';
export type {
  MigrateTrackersOptions,
  MigrationReport,
  TrackerMigration,
} from './tracking/migrate-trackers.js';
export type { CollectGarbageOptions, Garbage, GarbageReport } from './tracking/collect-garbage.js';
export type { ListTrackersOptions, TrackerSummary } from './tracking/list-trackers.js';
export { findExperiment } from './tracking/find-experiment.js';
export type { ClassMetrics, FieldValue, FoundExperiment } from './tracking/find-experiment.js';
export { HEADLINE_METRICS, listExperiments } from './tracking/list-experiments.js';
export type {
  ExperimentList,
  ExperimentSummary,
  ListExperimentsOptions,
} from './tracking/list-experiments.js';
export { metricGoal } from './metrics/metric-goals.js';
export type { MetricGoal } from './metrics/metric-goals.js';
export { startRun, RUN_ENVIRONMENT } from './runs/start-run.js';
export type { StartRunOptions } from './runs/start-run.js';
export { ExperimentLogger, Run } from './runs/experiment-logger.js';
export type { FinishOptions } from './runs/experiment-logger.js';
export type { JsonValue, RunProvenance, RunRecord, TagSummary } from './runs/run-record.js';
export { LOST_AFTER_HEARTBEATS } from './records/liveness.js';
export { listRuns, getRun } from './runs/read-runs.js';
export type { GetRunOptions, ListRunsOptions } from './runs/read-runs.js';
export { readScalars } from './runs/read-scalars.js';
export type { ReadScalarsOptions } from './runs/read-scalars.js';
export type { ScalarSeries } from './runs/scalar-table.js';
export { downsampleSeries } from './runs/downsample.js';
export { parseProtocolLine, formatProtocolLine } from './runs/line-protocol.js';
export type { ParsedLine, ProtocolMessage } from './runs/line-protocol.js';
export { runCommand } from './runs/run-command.js';
export type { CommandOutcome, RunCommandOptions, RunningCommand } from './runs/run-command.js';
export { createSweep } from './sweeps/create-sweep.js';
export type { CreateSweepOptions } from './sweeps/create-sweep.js';
export { runSweepAgent } from './sweeps/sweep-agent.js';
export type { SweepAgentOptions, SweepAgentReport } from './sweeps/sweep-agent.js';
export type { SweepEvent } from './sweeps/run-trial.js';
export { listSweeps, getSweep } from './sweeps/list-sweeps.js';
export type {
  DecisionPointReached,
  GetSweepOptions,
  ListSweepsOptions,
  SweepSummary,
  SweepTrial,
} from './sweeps/list-sweeps.js';
export { parseSweepConfig, readSweepConfig } from './sweeps/sweep-config.js';
export type { HyperparameterSpec, SweepConfig } from './sweeps/sweep-config.js';
export { sampleTrial, trialCount } from './sweeps/sampling.js';
export type { HyperparameterValue } from './sweeps/sampling.js';
export type { SweepDescription } from './records/sweep-records.js';
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
  RUNS_COLUMNS,
  SCALARS_COLUMNS,
  SWEEPS_COLUMNS,
  RUN_STATUSES,
  RUN_ORIGINS,
  RUNS_SCHEMA_VERSION,
  EXPERIMENT_KINDS,
  TRACKER_SCHEMA_VERSION,
} from './layout/tables.js';
export { storeObjectUri } from './layout/paths.js';
export type {
  Column,
  ColumnType,
  ExperimentKind,
  RunOrigin,
  RunStatus,
  TableSchema,
} from './layout/tables.js';

export {
  lookerDataSources,
  lookerFieldType,
  dataSourceAlias,
  lookerLinkingUrl,
  templateReportIdOf,
  LOOKER_CREATE_URL,
  bigQueryDdl,
  bigQueryExternalTables,
  bigQueryType,
  bigQueryViews,
} from './looker/index.js';
export type {
  LookerCalculatedField,
  LookerDataSource,
  LookerField,
  LookerFieldType,
  LookerLinkingUrlOptions,
  BigQueryDdlOptions,
  BigQueryExternalTable,
  BigQueryType,
  BigQueryView,
} from './looker/index.js';

export { openStore, DEFAULT_STORE_FOLDER, checkStore } from './store/index.js';
export type {
  OpenStoreOptions,
  StoreCheckReport,
  StoreCheckStep,
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
} from './store/index.js';
export { ModelTracker } from './experiments/model-tracker.js';
export type { ModelTrackerJson, TrackerQuery, TrackerRow } from './experiments/model-tracker.js';
export { DuplicateModelError, Experiment, ON_DUPLICATE_VALUES } from './experiments/experiment.js';
export type {
  ExperimentOptions,
  ExperimentOutputs,
  ExperimentRunOptions,
  ExperimentRunResult,
  OnDuplicate,
} from './experiments/experiment.js';
export { SupervisedExperiment } from './experiments/supervised-experiment.js';
export type {
  SupervisedData,
  SupervisedExperimentOptions,
} from './experiments/supervised-experiment.js';
export { Registry, registry } from './experiments/registry.js';
export type {
  // Kept for one release under its old name, for the code that imports it.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  DataSet,
  Dataset,
  Samples,
  DatasetClass,
  FeatureGenerator,
  FeatureGeneratorClass,
  FeatureValue,
  Model,
  ModelClass,
  Params,
  RegistryKind,
} from './experiments/registry.js';
export { trainModel } from './experiments/train-model.js';
export type {
  ReproduceModelOptions,
  TrainModelOptions,
  TrainModelResult,
} from './experiments/train-model.js';
export { compareRuns } from './experiments/compare-runs.js';
export type {
  ComparedRow,
  ComparedRun,
  CompareRunsOptions,
  RunComparison,
} from './experiments/compare-runs.js';
export { reproduceRun } from './experiments/reproduce-run.js';
export type { ReproduceRunOptions, ReproduceRunResult } from './experiments/reproduce-run.js';
export { ReproduceError } from './experiments/reproduce-error.js';
export { DataLoader, defineVersions } from './pipeline/versions.js';
export type { PipelineVersion } from './pipeline/versions.js';
export type {
  ModelScriptExports,
  PipelineContext,
  PipelineMode,
  PipelineModel,
  PipelineModelThis,
} from './pipeline/pipeline-model.js';
export { runPipeline } from './pipeline/run-pipeline.js';
export type {
  PipelineEvent,
  PipelineReport,
  RunPipelineOptions,
  VersionReport,
} from './pipeline/run-pipeline.js';
export { listPipeline } from './pipeline/list-pipeline.js';
export type { ListPipelineOptions, PipelineListing } from './pipeline/list-pipeline.js';
export { PipelineScriptError } from './pipeline/version-process.js';
export { query } from './query/query.js';
export type { QueryOptions } from './query/query.js';
export { exportTables, EXPORT_FORMATS } from './query/export-tables.js';
export type { ExportFormat, ExportTablesOptions, ExportedTable } from './query/export-tables.js';
