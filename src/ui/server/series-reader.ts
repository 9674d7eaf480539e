/**
 * Reads runs' step series for charts: the file from the store on the main thread, then decoding
 * and thinning on worker threads, one file each at a time, so a chart of 100 long runs uses every
 * core instead of one (decoding is most of the cost: about 3 ms per 10,000 points). Without the
 * built worker (tests run the TypeScript sources) it decodes in-process, the same way. A file
 * larger than one part (8 MB) is streamed and decoded a part at a time (`thinScalarsFile`), so a
 * chart of a 500 MB file holds a few parts in memory, not the file.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlTrackingError, NotFoundError } from '../../errors.js';
import { scalarsPath } from '../../layout/paths.js';
import { corruptScalars } from '../../runs/read-scalars.js';
import type { ScalarSeries } from '../../runs/scalar-table.js';
import type { StepRange, ThinPart } from '../../runs/streaming-downsample.js';
import {
  IN_THIS_THREAD,
  SCALARS_PART_BYTES,
  thinScalarsFile,
  type ScalarsPartRunner,
} from '../../runs/thin-scalars-file.js';
import type { Store } from '../../store/types.js';
import type { WorkerAnswer, WorkerRequest } from './_scalars-worker.js';
import { thinSeries, type ThinResult, type ThinTask } from './_thin-series.js';

/** Options of {@link SeriesReader}. */
export interface SeriesReaderOptions {
  /**
   * Worker threads; 0 decodes on the main thread.
   * @default one per core, at most 4 (a chart request rarely keeps more busy)
   */
  workers?: number;
  /**
   * A file larger than this is decoded a part of about this size at a time.
   * @default SCALARS_PART_BYTES (8 MiB)
   */
  partBytes?: number;
}

interface Pending {
  resolve: (result: ThinResult) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  busy: number;
}

const WORKER_FILE = new URL('./_scalars-worker.js', import.meta.url);

export class SeriesReader {
  readonly #store: Store;
  readonly #size: number;
  readonly #partBytes: number;
  readonly #pool: PooledWorker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextJob = 0;

  constructor(store: Store, options: SeriesReaderOptions = {}) {
    this.#store = store;
    const built = existsSync(fileURLToPath(WORKER_FILE));
    this.#size = built ? (options.workers ?? Math.min(availableParallelism(), 4)) : 0;
    this.#partBytes = options.partBytes ?? SCALARS_PART_BYTES;
  }

  /** Whether decoding runs on worker threads. */
  get threaded(): boolean {
    return this.#size > 0;
  }

  /**
   * A run's series by tag, each thinned to at most `maxPoints` points; `{}` for a run that has
   * recorded no scalars (yet).
   * @throws CorruptFileError naming the scalars file when it is not a scalars table.
   */
  async read(
    runId: string,
    tags: readonly string[],
    maxPoints: number,
  ): Promise<Record<string, ScalarSeries>> {
    try {
      return await this.#read(runId, tags, maxPoints);
    } catch (error) {
      throw corruptScalars(error, { store: this.#store.url, path: scalarsPath(runId) });
    }
  }

  async #read(
    runId: string,
    tags: readonly string[],
    maxPoints: number,
  ): Promise<Record<string, ScalarSeries>> {
    const path = scalarsPath(runId);
    try {
      const info = await this.#store.stat(path);
      if (info === undefined) return {};
      if (info.size > this.#partBytes) {
        const runner = this.#size === 0 ? IN_THIS_THREAD : this.#partRunner;
        return await thinScalarsFile(this.#store, path, {
          tags,
          maxPoints,
          partBytes: this.#partBytes,
          runner,
        });
      }
      const bytes = await this.#store.read(path);
      if (this.#size === 0) return thinSeries({ bytes, tags, maxPoints });
      return (await this.#run({ kind: 'thin', bytes, tags, maxPoints })) as Record<
        string,
        ScalarSeries
      >;
    } catch (error) {
      // Gone since it was listed: a run that has no scalars now.
      if (error instanceof NotFoundError) return {};
      throw error;
    }
  }

  /** Parts of a large file, scanned and reduced on the worker threads. */
  readonly #partRunner: ScalarsPartRunner = {
    scan: async (bytes, options) =>
      (await this.#run({ kind: 'scan', bytes, options })) as Record<string, StepRange>,
    reduce: async (bytes, options) =>
      (await this.#run({ kind: 'reduce', bytes, options })) as Record<string, ThinPart>,
  };

  /** Stops the worker threads (an idle one does not keep the process alive in any case). */
  async close(): Promise<void> {
    await Promise.all(this.#pool.map(({ worker }) => worker.terminate()));
    this.#pool.length = 0;
  }

  #run(task: ThinTask): Promise<ThinResult> {
    const job = (this.#nextJob += 1);
    const pooled = this.#leastBusy();
    // A worker at work keeps the process alive until it answers (a library caller may have
    // nothing else pending); an idle one never does.
    if ((pooled.busy += 1) === 1) pooled.worker.ref();
    // A buffer can be handed over only whole: a small file may be a view into a shared pool.
    const { bytes } = task;
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
    return new Promise<ThinResult>((resolve, reject) => {
      this.#pending.set(job, {
        resolve: (result) => {
          if ((pooled.busy -= 1) === 0) pooled.worker.unref();
          resolve(result);
        },
        reject: (error) => {
          if ((pooled.busy -= 1) === 0) pooled.worker.unref();
          reject(error);
        },
      });
      const request: WorkerRequest = { job, task: { ...task, bytes: owned } };
      pooled.worker.postMessage(request, [owned.buffer as ArrayBuffer]);
    });
  }

  #leastBusy(): PooledWorker {
    const idle = this.#pool.find((pooled) => pooled.busy === 0);
    if (idle !== undefined || this.#pool.length >= this.#size) {
      return idle ?? this.#pool.reduce((a, b) => (b.busy < a.busy ? b : a));
    }
    const worker = new Worker(WORKER_FILE);
    worker.on('message', (answer: WorkerAnswer) => {
      const pending = this.#pending.get(answer.job);
      this.#pending.delete(answer.job);
      if (pending === undefined) return;
      if ('error' in answer) {
        pending.reject(new MlTrackingError(answer.error.message, answer.error));
      } else {
        pending.resolve(answer.result);
      }
    });
    worker.on('error', (error) => {
      // A worker that died takes its jobs with it: fail them, and let a new worker take its place.
      for (const [job, pending] of this.#pending) {
        this.#pending.delete(job);
        pending.reject(error);
      }
      const at = this.#pool.findIndex((pooled) => pooled.worker === worker);
      if (at >= 0) this.#pool.splice(at, 1);
    });
    // After the listeners: adding a 'message' listener refs the worker again, and a referenced
    // worker kept `ml-tracking ui` alive after Ctrl-C once a chart had been served.
    worker.unref();
    const pooled = { worker, busy: 0 };
    this.#pool.push(pooled);
    return pooled;
  }
}
