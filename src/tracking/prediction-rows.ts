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

/** Room in a chunk's buffer for the row that crosses `chunkBytes`, so that it rarely grows. */
const CHUNK_SLACK_BYTES = 64 * 1024;
const COMMA = 0x2c;
const LINE_FEED = 0x0a;

/**
 * Rows `from … to - 1` of the predictions table, after `head` (the header, for the first
 * rows), as UTF-8 chunks that end at the first row that reaches `chunkBytes`. The hot path of a
 * large experiment: every cell goes straight into the chunk's bytes, with no string made on the
 * way (numbers by `writeNumber`, sample ids by `writeCell`), and cells that repeat (the
 * prediction id, class labels) are encoded once. Rows are encoded only as chunks are asked for.
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
  table.write(head);
  const idBytes = Buffer.from(idCell);
  const writeRow =
    kind === 'regression'
      ? regressionRow(idBytes, testSet, yTrue as ArrayLike<number>, yPred as ArrayLike<number>)
      : classificationRow(idBytes, testSet, yTrue, yPred);
  for (let index = from; index < to; index += 1) {
    writeRow(table, index);
    if (table.length >= chunkBytes) yield table.take();
  }
  if (table.length > 0) yield table.bytes();
}

function regressionRow(
  idBytes: Uint8Array,
  testSet: ArrayLike<string>,
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
) {
  return (table: ByteWriter, index: number): void => {
    const a = actual[index]!;
    const p = predicted[index]!;
    table.writeBytes(idBytes);
    table.writeCell(testSet[index]!);
    table.writeByte(COMMA);
    table.writeNumber(a);
    table.writeByte(COMMA);
    table.writeNumber(p);
    table.writeByte(COMMA);
    table.writeNumber(p - a);
    table.writeByte(LINE_FEED);
  };
}

function classificationRow(
  idBytes: Uint8Array,
  testSet: ArrayLike<string>,
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
) {
  const labelCells = new Map<Label, Uint8Array>();
  const labelCell = (label: Label) => {
    let cell = labelCells.get(label);
    if (cell === undefined) labelCells.set(label, (cell = Buffer.from(`,${encodeCell(label)}`)));
    return cell;
  };
  const correct = Buffer.from(',true\n');
  const wrong = Buffer.from(',false\n');
  return (table: ByteWriter, index: number): void => {
    const a = yTrue[index]!;
    const p = yPred[index]!;
    table.writeBytes(idBytes);
    table.writeCell(testSet[index]!);
    table.writeBytes(labelCell(a));
    table.writeBytes(labelCell(p));
    table.writeBytes(a === p ? correct : wrong);
  };
}
