/**
 * A worker thread of the dashboard's series reader: carries out one task per message (a small
 * file decoded and thinned, or one part of a large file scanned or reduced; see
 * `series-reader.ts`). A thinned series' buffers are handed over, uncopied.
 */
import { parentPort } from 'node:worker_threads';
import type { ErrorCode } from '../../error-codes.js';
import { MlTrackingError } from '../../errors.js';
import type { ScalarSeries } from '../../runs/scalar-table.js';
import { runThinTask, type ThinResult, type ThinTask } from './_thin-series.js';

/** A message to a worker. */
export interface WorkerRequest {
  job: number;
  task: ThinTask;
}

/** A worker's answer: the task's result, or the error that stopped it. */
export type WorkerAnswer =
  | { job: number; result: ThinResult }
  | { job: number; error: { message: string; code?: ErrorCode } };

parentPort?.on('message', ({ job, task }: WorkerRequest) => {
  try {
    const result = runThinTask(task);
    // A thinned series is made of fresh arrays (see thinSeries), so never a SharedArrayBuffer;
    // a part's reduction is small and copied.
    const buffers =
      task.kind === 'thin'
        ? Object.values(result as Record<string, ScalarSeries>).flatMap((points) =>
            [points.step, points.value, points.wallTime].map(
              (array) => array.buffer as ArrayBuffer,
            ),
          )
        : [];
    parentPort?.postMessage({ job, result } satisfies WorkerAnswer, buffers);
  } catch (error) {
    const answer: WorkerAnswer = {
      job,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof MlTrackingError && { code: error.code }),
      },
    };
    parentPort?.postMessage(answer);
  }
});
