// The encoding worker: turns segments of the predictions table into UTF-8 chunks on the second
// core while the main thread encodes the segments in between (see encode-predictions.ts).
import { parentPort } from 'node:worker_threads';
import { predictionRows, type PredictionColumns } from './prediction-rows.js';

/** One segment to encode: its own rows, numbered from 0. */
export interface SegmentRequest {
  columns: PredictionColumns;
  idCell: string;
  chunkBytes: number;
}

parentPort?.on('message', (request: SegmentRequest) => {
  const { columns, idCell, chunkBytes } = request;
  const chunks = [...predictionRows(columns, idCell, 0, columns.testSet.length, chunkBytes)];
  // Transferred, not copied: each chunk owns its buffer (ByteWriter.take).
  parentPort?.postMessage(
    chunks,
    chunks.map((chunk) => chunk.buffer as ArrayBuffer),
  );
});
