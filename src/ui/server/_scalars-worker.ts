/**
 * A worker thread of the dashboard's series reader: carries out one task per message (rows of a
 * scalars file decoded; see `series-reader.ts`). The result's buffers are handed over, uncopied.
 */
import { parentPort } from 'node:worker_threads';
import type { ErrorCode } from '../../error-codes.js';
import { MlTrackingError } from '../../errors.js';
import { runThinTask, transferables, type ThinResult, type ThinTask } from './_thin-series.js';

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
    parentPort?.postMessage({ job, result } satisfies WorkerAnswer, transferables(task, result));
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
