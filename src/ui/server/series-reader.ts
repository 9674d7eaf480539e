/**
 * Reads runs' step series for charts: the file from the store on the main thread, then decoding
 * and thinning on worker threads, one file each at a time, so a chart of 100 long runs uses every
 * core instead of one (decoding is most of the cost: about 3 ms per 10,000 points). Without the
 * built worker (tests run the TypeScript sources) it decodes in-process, the same way.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlTrackingError, NotFoundError } from '../../errors.js';
import { scalarsPath } from '../../layout/paths.js';
import { corruptScalars } from '../../runs/read-scalars.js';
import type { ScalarSeries } from '../../runs/scalar-table.js';
import type { Store } from '../../store/types.js';
import type { WorkerAnswer, WorkerRequest } from './_scalars-worker.js';
import { thinSeries } from './_thin-series.js';

/** Options of {@link SeriesReader}. */
export interface SeriesReaderOptions {
  /**
   * Worker threads; 0 decodes on the main thread.
   * @default one per core, at most 4 (a chart request rarely keeps more busy)
   */
  workers?: number;
}

interface Pending {
  resolve: (series: Record<string, ScalarSeries>) => void;
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
  readonly #pool: PooledWorker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextJob = 0;

  constructor(store: Store, options: SeriesReaderOptions = {}) {
    this.#store = store;
    const built = existsSync(fileURLToPath(WORKER_FILE));
    this.#size = built ? (options.workers ?? Math.min(availableParallelism(), 4)) : 0;
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
    let bytes: Uint8Array;
    try {
      bytes = await this.#store.read(scalarsPath(runId));
    } catch (error) {
      if (error instanceof NotFoundError) return {};
      throw error;
    }
    if (this.#size === 0) return thinSeries({ bytes, tags, maxPoints });
    // A buffer can be handed over only whole: a small file may be a view into a shared pool.
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
    return this.#run({ job: 0, bytes: owned, tags, maxPoints });
  }

  /** Stops the worker threads (they do not keep the process alive in any case). */
  async close(): Promise<void> {
    await Promise.all(this.#pool.map(({ worker }) => worker.terminate()));
    this.#pool.length = 0;
  }

  #run(request: WorkerRequest): Promise<Record<string, ScalarSeries>> {
    const job = (this.#nextJob += 1);
    const pooled = this.#leastBusy();
    pooled.busy += 1;
    return new Promise<Record<string, ScalarSeries>>((resolve, reject) => {
      this.#pending.set(job, {
        resolve: (series) => {
          pooled.busy -= 1;
          resolve(series);
        },
        reject: (error) => {
          pooled.busy -= 1;
          reject(error);
        },
      });
      pooled.worker.postMessage({ ...request, job }, [request.bytes.buffer as ArrayBuffer]);
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
        pending.resolve(answer.series);
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
