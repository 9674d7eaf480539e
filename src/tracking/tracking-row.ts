import { encodeRow, type CellValue } from '../csv/encode.js';
import { trackingColumns } from '../layout/tables.js';
import { jsonText } from '../_json.js';
import { overallMetrics, type ExperimentScores } from './experiment-tables.js';
import type { ModelInfo } from './model-info.js';
import type { RunContext } from './run-context.js';
import type { ValidExperiment } from './validate.js';

/** Everything that goes into one tracker row. */
export interface TrackingRowInput {
  experiment: ValidExperiment;
  predictionId: string;
  loggedAt: Date;
  testSetSha256: string;
  /** URL of the predictions file, as the store names it (see `storeObjectUri`). */
  predictionsUri: string;
  model: ModelInfo;
  context: RunContext;
  scores: ExperimentScores;
  /** Plot URLs by column name (`plot_confusion_matrix`, …); the columns of plots not drawn stay empty. */
  plots: Record<string, string>;
}

/** The tracker row, as a CSV line in the column order of the tracking table of its kind. */
export function trackingRow(input: TrackingRowInput): string {
  const { experiment, model, context } = input;
  const loggedAt = input.loggedAt.toISOString();
  const values: Record<string, CellValue> = {
    prediction_id: input.predictionId,
    logged_at: loggedAt,
    date: loggedAt.slice(0, 10),
    project: experiment.project,
    kind: experiment.kind,
    dataset_uri: experiment.datasetUri,
    target_column: experiment.targetColumn,
    test_set_size: experiment.testSet.length,
    test_set_sha256: input.testSetSha256,
    model: model.name,
    hyperparameters: safeJson(model.hyperparameters),
    model_features: model.features && safeJson(model.features),
    feature_importance: model.featureImportance && safeJson(model.featureImportance),
    git_commit: context.gitCommit,
    git_dirty: context.gitDirty,
    host: context.host,
    extra_parameters: experiment.extraParametersJson,
    prediction_uri: input.predictionsUri,
    ...overallMetrics(input.scores),
    ...input.plots,
  };
  return encodeRow(trackingColumns(experiment.kind).map((column) => values[column.name]));
}

/** Model introspection may return anything; a field that cannot be JSON is recorded as `{}`. */
function safeJson(value: unknown): string {
  try {
    return jsonText(value) ?? '{}';
  } catch {
    return '{}';
  }
}
