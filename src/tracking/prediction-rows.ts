import { ByteWriter } from '../csv/byte-writer.js';
import { encodeCell } from '../csv/encode.js';
import type { ExperimentKind } from '../layout/tables.js';
import type { Label } from '../metrics/types.js';

/** The columns a predictions table is made of, for rows `0 … testSet.length - 1`. */
export interface PredictionColumns {
  kind: ExperimentKind;
  testSet: ArrayLike<string>;
  yTrue: ArrayLike<Label>;
  yPred: ArrayLike<Label>;
}

/** Room in a chunk's buffer for the rows that cross `chunkBytes`, so that it rarely grows. */
const CHUNK_SLACK_BYTES = 256 * 1024;
/** Rows are joined into strings of about this many characters before they are encoded to UTF-8. */
const BATCH_CHARACTERS = 16 * 1024;

/**
 * Rows `from … to - 1` of the predictions table, after `head` (the header, for the first
 * rows), as UTF-8 chunks that end at the row that reaches `chunkBytes`. The hot path of a large
 * experiment: cells that repeat (the prediction id, class labels) are encoded once, and rows are
 * encoded to UTF-8 by the batch rather than one by one. Rows are encoded only as chunks are asked
 * for. Runs on the main thread and in the encoding worker alike.
 */
export function* predictionRows(
  columns: PredictionColumns,
  idCell: string,
  from: number,
  to: number,
  chunkBytes: number,
  head = '',
): Generator<Uint8Array, void, undefined> {
  const { kind, testSet, yTrue, yPred } = columns;
  const table = new ByteWriter(chunkBytes + CHUNK_SLACK_BYTES);
  const batchCharacters = Math.min(BATCH_CHARACTERS, chunkBytes);
  let batch = head;
  const row =
    kind === 'regression'
      ? regressionRow(idCell, testSet, yTrue as ArrayLike<number>, yPred as ArrayLike<number>)
      : classificationRow(idCell, testSet, yTrue, yPred);
  for (let index = from; index < to; index += 1) {
    batch += row(index);
    // A UTF-16 code unit takes at most 3 bytes: near the chunk's end, rows go one by one.
    if (batch.length >= batchCharacters || table.length + batch.length * 3 >= chunkBytes) {
      table.write(batch);
      batch = '';
      if (table.length >= chunkBytes) yield table.take();
    }
  }
  table.write(batch);
  if (table.length > 0) yield table.bytes();
}

function regressionRow(
  idCell: string,
  testSet: ArrayLike<string>,
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
) {
  return (index: number): string => {
    const a = actual[index]!;
    const p = predicted[index]!;
    return `${idCell}${encodeCell(testSet[index])},${a},${p},${p - a}\n`;
  };
}

function classificationRow(
  idCell: string,
  testSet: ArrayLike<string>,
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
) {
  const labelCells = new Map<Label, string>();
  const labelCell = (label: Label) => {
    let cell = labelCells.get(label);
    if (cell === undefined) labelCells.set(label, (cell = encodeCell(label)));
    return cell;
  };
  return (index: number): string => {
    const a = yTrue[index]!;
    const p = yPred[index]!;
    return `${idCell}${encodeCell(testSet[index])},${labelCell(a)},${labelCell(p)},${a === p}\n`;
  };
}
