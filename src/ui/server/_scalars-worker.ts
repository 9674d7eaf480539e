/**
 * A worker thread of the dashboard's series reader: decodes and thins one scalars file per
 * message (see `series-reader.ts`). Its answers hand the typed arrays' buffers over, uncopied.
 */
import { parentPort } from 'node:worker_threads';
import { MlTrackingError } from '../../errors.js';
import { thinSeries, type ThinRequest } from './_thin-series.js';

/** A message to a worker. */
export interface WorkerRequest extends ThinRequest {
  job: number;
}

/** A worker's answer: the series, or the error that stopped it. */
export type WorkerAnswer =
  | { job: number; series: ReturnType<typeof thinSeries> }
  | { job: number; error: { message: string; code?: string } };

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    const series = thinSeries(request);
    // Fresh arrays (see thinSeries), so never a SharedArrayBuffer.
    const buffers = Object.values(series).flatMap((points) =>
      [points.step, points.value, points.wallTime].map((array) => array.buffer as ArrayBuffer),
    );
    parentPort?.postMessage({ job: request.job, series } satisfies WorkerAnswer, buffers);
  } catch (error) {
    const answer: WorkerAnswer = {
      job: request.job,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof MlTrackingError && { code: error.code }),
      },
    };
    parentPort?.postMessage(answer);
  }
});
