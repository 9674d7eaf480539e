/**
 * Reads runs' step series for charts from their series index (`src/series/read-series.ts`): a
 * long series costs a few records of its index and the rows at the edges of a zoom, whatever its
 * length, so memory stays bounded (a chart of a 500 MB file once took 1.2 GB). What must still be
 * decoded (a short series, the rows beyond an index, an old series indexed on its first chart) is
 * decoded on worker threads, so a chart of 100 runs uses every core instead of one. Without the
 * built worker (tests run the TypeScript sources) it decodes in-process, the same way. The
 * dashboard is read-only: an index built for an old series is kept in memory, not stored.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlTrackingError, NotFoundError } from '../../errors.js';
import { scalarsPath } from '../../layout/paths.js';
import { corruptScalars } from '../../runs/read-scalars.js';
import type { ScalarSeries } from '../../runs/scalar-table.js';
import { SCALARS_PART_BYTES } from '../../runs/thin-scalars-file.js';
import { BuiltIndexCache } from '../../series/built-index-cache.js';
import { readSeries } from '../../series/read-series.js';
import {
  DECODE_IN_THIS_THREAD,
  type PartRows,
  type SeriesDecoder,
} from '../../series/series-decoder.js';
import type { Store } from '../../store/types.js';
import type { WorkerAnswer, WorkerRequest } from './_scalars-worker.js';
import type { ThinResult, ThinTask } from './_thin-series.js';

/** Options of {@link SeriesReader}. */
export interface SeriesReaderOptions {
  /**
   * Worker threads; 0 decodes on the main thread.
   * @default one per core, at most 4 (a chart request rarely keeps more busy)
   */
  workers?: number;
  /**
   * A series without an index is indexed a part of about this size at a time.
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
  /** Indexes built for old series: the dashboard does not write the store. */
  readonly #built = new BuiltIndexCache();
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
   * A run's series by tag (all for an empty `tags`), each thinned to at most `maxPoints` points,
   * within `steps` when given; `{}` for a run that has recorded no scalars (yet).
   * @throws CorruptFileError naming the scalars file when it is not a scalars table.
   */
  async read(
    runId: string,
    tags: readonly string[],
    maxPoints: number,
    steps?: readonly [number, number],
  ): Promise<Record<string, ScalarSeries>> {
    try {
      return await readSeries(this.#store, runId, {
        tags: tags.length === 0 ? undefined : tags,
        maxPoints,
        steps,
        storeBuiltIndex: false,
        cache: this.#built,
        partBytes: this.#partBytes,
        decoder: this.#size === 0 ? DECODE_IN_THIS_THREAD : this.#decoder,
      });
    } catch (error) {
      // Gone since it was listed: a run that has no scalars now.
      if (error instanceof NotFoundError) return {};
      throw corruptScalars(error, { store: this.#store.url, path: scalarsPath(runId) });
    }
  }

  /** Rows decoded on the worker threads. */
  readonly #decoder: SeriesDecoder = {
    decode: async (bytes, options) =>
      (await this.#run({ kind: 'decode', bytes, options })) as Record<string, ScalarSeries>,
    rows: async (bytes, options) => (await this.#run({ kind: 'rows', bytes, options })) as PartRows,
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
    // A buffer can be handed over only whole: a part is a view into a larger read, a small read
    // into a shared pool. (A Buffer's own slice() is a view: Uint8Array's copies.)
    const { bytes } = task;
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : Uint8Array.prototype.slice.call(bytes);
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
