import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TABLE_CHUNK_BYTES } from '../csv/byte-writer.js';
import { encodeCell, encodeRow } from '../csv/encode.js';
import { predictionColumns } from '../layout/tables.js';
import type { Label } from '../metrics/types.js';
import type { SegmentRequest } from './_prediction-rows-worker.js';
import { predictionRows, type PredictionColumns } from './prediction-rows.js';

/** Below this many rows a worker costs more to start than it saves. */
export const PARALLEL_MIN_ROWS = 200_000;
/** Rows per segment: main thread and worker take turns, so memory stays a few segments. */
const SEGMENT_ROWS = 50_000;
/** Worker segments asked for ahead of the one being written. */
const WORKER_SEGMENTS_AHEAD = 2;

// Compiled next to this file in dist/. When the sources run directly (tsx, vitest) there is no
// compiled worker, and the table is encoded on one thread: same bytes, one core.
const WORKER_URL = new URL('./_prediction-rows-worker.js', import.meta.url);
const workerAvailable = existsSync(fileURLToPath(WORKER_URL));

/**
 * `predictions/<kind>/<id>.csv`, as UTF-8 chunks: the predictions table of
 * {@link predictionRows}, encoded on two cores for large tables. Segments of
 * {@link SEGMENT_ROWS} rows alternate between this thread and a worker, and chunks come out in
 * table order as the store consumes them, so memory stays flat in the number of rows.
 */
export async function* encodePredictions(
  columns: PredictionColumns,
  predictionId: string,
  options: { chunkBytes?: number; parallel?: boolean } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const chunkBytes = options.chunkBytes ?? TABLE_CHUNK_BYTES;
  const rows = columns.testSet.length;
  const idCell = `${encodeCell(predictionId)},`;
  const head = encodeRow(predictionColumns(columns.kind).map((column) => column.name));
  const parallel = options.parallel ?? (workerAvailable && rows >= PARALLEL_MIN_ROWS);
  if (!parallel) {
    yield* predictionRows(columns, idCell, 0, rows, chunkBytes, head);
    return;
  }
  const worker = new EncodingWorker();
  try {
    const segments = Math.ceil(rows / SEGMENT_ROWS);
    const requested = new Map<number, Promise<Uint8Array[]>>();
    const isWorkers = (segment: number) => segment % 2 === 1;
    for (let segment = 0; segment < segments; segment += 1) {
      const last = Math.min(segments - 1, segment + 2 * WORKER_SEGMENTS_AHEAD);
      for (let ahead = segment; ahead <= last; ahead += 1) {
        if (isWorkers(ahead) && !requested.has(ahead)) {
          requested.set(ahead, worker.encode(segmentOf(columns, ahead), idCell, chunkBytes));
        }
      }
      if (isWorkers(segment)) {
        yield* await requested.get(segment)!;
        requested.delete(segment);
      } else {
        const from = segment * SEGMENT_ROWS;
        const to = Math.min(rows, from + SEGMENT_ROWS);
        yield* predictionRows(columns, idCell, from, to, chunkBytes, segment === 0 ? head : '');
      }
    }
  } finally {
    await worker.close();
  }
}

/** The columns of one segment, copied (a typed array's view would send its whole buffer). */
function segmentOf(columns: PredictionColumns, segment: number): PredictionColumns {
  const from = segment * SEGMENT_ROWS;
  const to = Math.min(columns.testSet.length, from + SEGMENT_ROWS);
  return {
    kind: columns.kind,
    testSet: sliceOf(columns.testSet, from, to),
    yTrue: sliceOf(columns.yTrue, from, to),
    yPred: sliceOf(columns.yPred, from, to),
  };
}

function sliceOf<T extends Label>(values: ArrayLike<T>, from: number, to: number): ArrayLike<T> {
  if (ArrayBuffer.isView(values)) {
    return (values as unknown as Float64Array).slice(from, to) as unknown as ArrayLike<T>;
  }
  return Array.prototype.slice.call(values, from, to) as T[];
}

/** One worker thread answering segment requests in the order they were sent. */
class EncodingWorker {
  private readonly worker = new Worker(WORKER_URL);
  private readonly waiting: {
    resolve: (chunks: Uint8Array[]) => void;
    reject: (error: unknown) => void;
  }[] = [];

  constructor() {
    this.worker.on('message', (chunks: Uint8Array[]) => this.waiting.shift()?.resolve(chunks));
    this.worker.on('error', (error) => {
      for (const request of this.waiting.splice(0)) request.reject(error);
    });
  }

  encode(columns: PredictionColumns, idCell: string, chunkBytes: number): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const request: SegmentRequest = { columns, idCell, chunkBytes };
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
