import { ByteWriter, TABLE_CHUNK_BYTES } from '../csv/byte-writer.js';
import { encodeCell, encodeRow, encodeTable, type CellValue } from '../csv/encode.js';
import {
  CONFUSION_ALL_PAIRS_MAX_CLASSES,
  CONFUSION_COLUMNS,
  SCORING_COLUMNS,
  headerOf,
  metricNames,
  predictionColumns,
} from '../layout/tables.js';
import { confusionCells } from '../metrics/confusion.js';
import { predictionRows } from './prediction-rows.js';
import type { ClassificationScores, RegressionScores } from '../metrics/types.js';
import type { ValidExperiment } from './validate.js';

/** The metrics of one experiment, whichever its kind. */
export type ExperimentScores =
  | { kind: 'classification'; scores: ClassificationScores }
  | { kind: 'regression'; scores: RegressionScores };

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
  yield* predictionRows(
    experiment,
    `${encodeCell(predictionId)},`,
    0,
    experiment.testSet.length,
    chunkBytes,
    encodeRow(headerOf(predictionColumns(experiment.kind))),
  );
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
  return encodeTable(headerOf(SCORING_COLUMNS), rows);
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
  table.write(encodeRow(headerOf(CONFUSION_COLUMNS)));
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
