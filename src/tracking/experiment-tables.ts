import { ByteWriter, TABLE_CHUNK_BYTES } from '../csv/byte-writer.js';
import { encodeCell, encodeRow, encodeTable, type CellValue } from '../csv/encode.js';
import {
  CONFUSION_ALL_PAIRS_MAX_CLASSES,
  CONFUSION_COLUMNS,
  SCORING_COLUMNS,
  metricNames,
  predictionColumns,
  trackingColumns,
} from '../layout/tables.js';
import { jsonText } from '../_json.js';
import { confusionCells } from '../metrics/classification.js';
import type { ClassificationScores, Label, RegressionScores } from '../metrics/types.js';
import type { ModelInfo } from './model-info.js';
import type { RunContext } from './run-context.js';
import type { ValidExperiment } from './validate.js';

/** The metrics of one experiment, whichever its kind. */
export type ExperimentScores =
  | { kind: 'classification'; scores: ClassificationScores }
  | { kind: 'regression'; scores: RegressionScores };

const header = (columns: readonly { name: string }[]) => columns.map((column) => column.name);

/** The overall metrics as `name → value`, in the tracking table's column order. */
export function overallMetrics(scores: ExperimentScores): Record<string, number | undefined> {
  const values: Record<string, number | undefined> =
    scores.kind === 'classification' ? { ...scores.scores.overall } : { ...scores.scores };
  return Object.fromEntries(metricNames(scores.kind).map((name) => [name, values[name]]));
}

/**
 * `predictions/<kind>/<id>.csv`: one row per test sample, as UTF-8 chunks of about `chunkBytes`
 * produced as the store consumes them, so memory stays flat however many samples there are
 * (one buffer would hit Node's 2 GiB limits near 2e7 rows). The hot path of a large experiment,
 * so cells that repeat (the prediction id, class labels) are encoded once.
 */
export function* predictionsTable(
  experiment: ValidExperiment,
  predictionId: string,
  chunkBytes = TABLE_CHUNK_BYTES,
): Generator<Uint8Array, void, undefined> {
  const { kind, testSet, yTrue, yPred } = experiment;
  const table = new ByteWriter(chunkBytes + CHUNK_SLACK_BYTES);
  table.write(encodeRow(header(predictionColumns(kind))));
  const idCell = `${encodeCell(predictionId)},`;
  if (kind === 'regression') {
    const actual = yTrue as ArrayLike<number>;
    const predicted = yPred as ArrayLike<number>;
    for (let index = 0; index < testSet.length; index += 1) {
      const a = actual[index]!;
      const p = predicted[index]!;
      table.write(`${idCell}${encodeCell(testSet[index])},${a},${p},${p - a}\n`);
      if (table.length >= chunkBytes) yield table.take();
    }
  } else {
    const labelCells = new Map<Label, string>();
    const labelCell = (label: Label) => {
      let cell = labelCells.get(label);
      if (cell === undefined) labelCells.set(label, (cell = encodeCell(label)));
      return cell;
    };
    for (let index = 0; index < testSet.length; index += 1) {
      const a = yTrue[index]!;
      const p = yPred[index]!;
      table.write(
        `${idCell}${encodeCell(testSet[index])},${labelCell(a)},${labelCell(p)},${a === p}\n`,
      );
      if (table.length >= chunkBytes) yield table.take();
    }
  }
  if (table.length > 0) yield table.bytes();
}

/** Room in a chunk's buffer for the row that crosses `chunkBytes`, so that it rarely grows. */
const CHUNK_SLACK_BYTES = 64 * 1024;

/** `scoring/<id>.csv`: overall metrics, then precision/recall/f1/support per class. */
export function scoringTable(
  scores: ExperimentScores,
  project: string,
  predictionId: string,
): string {
  const rows: CellValue[][] = Object.entries(overallMetrics(scores)).map(([metric, value]) => [
    predictionId,
    project,
    scores.kind,
    metric,
    undefined,
    value,
  ]);
  if (scores.kind === 'classification') {
    for (const { label, ...perClass } of scores.scores.perClass) {
      for (const [metric, value] of Object.entries(perClass)) {
        rows.push([predictionId, project, scores.kind, metric, String(label), value]);
      }
    }
  }
  return encodeTable(header(SCORING_COLUMNS), rows);
}

/**
 * `confusion/<id>.csv`, as UTF-8 chunks: a count for every pair of classes, zeros included, up to
 * {@link CONFUSION_ALL_PAIRS_MAX_CLASSES} classes; above that only the pairs that occur, so the
 * table never has more rows than there are samples (10,000 classes would otherwise be 1e8 rows).
 * Rows go by actual class, then predicted class, in the sorted order of the classes.
 */
export function* confusionTable(
  scores: ClassificationScores,
  predictionId: string,
  chunkBytes = TABLE_CHUNK_BYTES,
): Generator<Uint8Array, void, undefined> {
  const { labels, rowStart, predicted, count } = confusionCells(scores.confusion);
  const classes = labels.length;
  const allPairs = classes <= CONFUSION_ALL_PAIRS_MAX_CLASSES;
  const table = new ByteWriter(chunkBytes + CHUNK_SLACK_BYTES);
  table.write(encodeRow(header(CONFUSION_COLUMNS)));
  const idCell = `${encodeCell(predictionId)},`;
  const labelCells = labels.map((label) => encodeCell(String(label)));
  for (let a = 0; a < classes; a += 1) {
    const rowPrefix = `${idCell}${labelCells[a]!},`;
    let at = rowStart[a]!;
    const end = rowStart[a + 1]!;
    if (allPairs) {
      for (let p = 0; p < classes; p += 1) {
        const cellCount = at < end && predicted[at] === p ? count[at++]! : 0;
        table.write(`${rowPrefix}${labelCells[p]!},${cellCount}\n`);
      }
      if (table.length >= chunkBytes) yield table.take();
    } else {
      for (; at < end; at += 1) {
        table.write(`${rowPrefix}${labelCells[predicted[at]!]!},${count[at]!}\n`);
        if (table.length >= chunkBytes) yield table.take();
      }
    }
  }
  if (table.length > 0) yield table.bytes();
}

/** Everything that goes into one tracker row. */
export interface TrackingRowInput {
  experiment: ValidExperiment;
  predictionId: string;
  loggedAt: Date;
  testSetSha256: string;
  model: ModelInfo;
  context: RunContext;
  scores: ExperimentScores;
  /** Plot URLs by column name (`plot_confusion_matrix`, …). */
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
    prediction_uri: input.predictionId,
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
