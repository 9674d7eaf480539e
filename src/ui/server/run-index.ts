/**
 * The dashboard's index of runs: every run file of the store, held in memory and kept current by
 * listing `runs/` and re-reading only the files whose generation changed (`syncRunFiles`). A page
 * never reads the store's run files itself, so listing 100,000 runs costs a filter over memory,
 * not 100,000 reads; and the index holds records only, never step series, so the server's memory
 * grows with the number of runs, not with the number of points. A file under `runs/` that holds
 * no run record is kept aside as skipped at its generation: named on every answer, read again
 * only when it changes.
 *
 * Across restarts the index is kept in the user's cache folder (`run-files-cache.ts`). A restart
 * answers at once from that cache, marked as not yet checked (`checkedAt` undefined), while one
 * listing and the reads of the changed files bring it up to date in the background: at 100,000
 * runs a listing alone takes seconds (a local folder stats every file; a bucket serves 1000 per
 * request), longer than a page should wait for its first rows.
 */
import { runPath } from '../../layout/paths.js';
import { readCheckedRunFile, RunFile } from '../../runs/run-file.js';
import {
  loadRunFilesCache,
  runFilesCachePath,
  saveRunFilesCache,
  worthSaving,
} from '../../runs/run-files-cache.js';
import { effectiveStatus, type RunRecord } from '../../runs/run-record.js';
import { newestFirst, syncRunFiles, type SkippedRunFile } from '../../runs/sync-run-files.js';
import type { SkippedFile } from '../../skipped-files.js';
import type { Store } from '../../store/types.js';

/** A run in the index: its record (decoded on first use) and what filters need precomputed. */
export type IndexedRun = RunFile;

/** Options of {@link RunIndex}. */
export interface RunIndexOptions {
  /**
   * A request finds the index at most this old; an older one is refreshed in the background
   * while the request is answered from it (the first load is waited for). A refresh that takes
   * long spaces the next ones further (at least 5 times its own duration), so that a large
   * store is not listed without pause: a listing of 100,000 runs takes seconds.
   * @default 5000
   */
  maxAgeMs?: number;
  /**
   * The file the index is kept in across restarts, or `false` for none.
   * @default a file per store in the user's cache folder (`ml-tracking/run-index`); none for a memory store
   */
  cacheFile?: string | false;
}

/** A refresh may take at most this share of the time: the next waits this many times as long. */
const REFRESH_SPACING = 5;
/**
 * After a restart from the cache, the first check waits for the first answer to have gone out
 * (the page a user reopens), or this long when nobody asks: listing a local folder of 100,000
 * runs holds the event loop for over a second (the local store stats every file at once), and a
 * page asked meanwhile would wait for it.
 */
const FIRST_CHECK_AFTER_MS = 1000;

/** The runs of one store, newest first, refreshed by generation. */
export class RunIndex {
  readonly #store: Store;
  readonly #maxAgeMs: number;
  readonly #cacheFile: string | undefined;
  #runs: ReadonlyMap<string, RunFile> = new Map();
  #newestFirst: RunFile[] = [];
  /** Run files that hold no run record, by run id, with the generation they were read at. */
  #skipped: ReadonlyMap<string, SkippedRunFile> = new Map();
  #loadedAt = 0;
  #checkedAt: Date | undefined;
  #lastRefreshMs = 0;
  #loading: Promise<void> | undefined;
  #cacheLoad: Promise<boolean> | undefined;
  #failure: unknown;
  /** Runs read or removed since the cache file was last written or read. */
  #unsaved = new Set<string>();
  #saved = false;
  /** Resolved once the first check after a cache load may start. */
  #mayCheck: Promise<void> | undefined;
  #allowCheck: (() => void) | undefined;

  constructor(store: Store, options: RunIndexOptions = {}) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs ?? 5000;
    const cacheFile = options.cacheFile ?? runFilesCachePath(store.url);
    this.#cacheFile = cacheFile === false || store.kind === 'memory' ? undefined : cacheFile;
  }

  /**
   * Every run, newest first. Waits for the first load (from the cache when there is one, then
   * checked against the store in the background); afterwards answers at once and refreshes in
   * the background when the index is older than `maxAgeMs`.
   */
  async runs(): Promise<readonly IndexedRun[]> {
    if (this.#loadedAt === 0 && !(await this.#loadCache())) await this.refresh();
    if (this.#allowCheck !== undefined) {
      // After this answer is sent: a macrotask runs after the response's microtasks.
      setTimeout(this.#allowCheck, 0);
    }
    if (this.#checkedAt === undefined || this.#isOld()) this.#refreshInBackground();
    return this.#newestFirst;
  }

  /**
   * When the index last matched a listing of the store; `undefined` while it holds only what the
   * cache of an earlier start held (a restart, before its first refresh ends).
   */
  get checkedAt(): Date | undefined {
    return this.#checkedAt;
  }

  /** Run files the index left out because they hold no run record, as of the last refresh. */
  skipped(): SkippedFile[] {
    return [...this.#skipped.values()].map(({ file }) => file);
  }

  /**
   * One run by id, from the index (refreshed like {@link runs}). A run the index has not seen
   * yet (started since its last refresh: someone opens the link a training script just printed)
   * is read from the store and added.
   * @throws CorruptFileError when the run's file holds no run record.
   */
  async get(runId: string): Promise<IndexedRun | undefined> {
    await this.runs();
    const known = this.#runs.get(runId);
    if (known !== undefined) return known;
    const info = await this.#store.stat(runPath(runId));
    // Read again rather than answered from #skipped: it may have been repaired since.
    const read = info && (await readCheckedRunFile(this.#store, runPath(runId)));
    if (info === undefined || read === undefined) return undefined;
    const run = RunFile.read(read.record, info, read.bytes);
    // A refresh that finished meanwhile may have added it already, perhaps newer.
    if (!this.#runs.has(runId)) {
      const runs = new Map(this.#runs);
      runs.set(runId, run);
      this.#set(runs);
    }
    return this.#runs.get(runId);
  }

  /** The error of the last failed background refresh, if the last refresh failed. */
  get lastFailure(): unknown {
    return this.#failure;
  }

  /**
   * Lists `runs/` and reads the records that are new or changed since the last refresh (or, on
   * the first, since the cache was written), then writes the cache when enough has changed.
   */
  refresh(): Promise<void> {
    this.#loading ??= this.#refresh().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  #isOld(): boolean {
    const maxAge = Math.max(this.#maxAgeMs, REFRESH_SPACING * this.#lastRefreshMs);
    return Date.now() - this.#loadedAt > maxAge;
  }

  #refreshInBackground(): void {
    if (this.#loading !== undefined) return;
    // A failed background refresh keeps the last good index; the next request tries again.
    this.refresh().catch((error: unknown) => {
      this.#failure = error;
    });
  }

  /** Loads the cache once, unless a refresh came first; whether the index now holds it. */
  #loadCache(): Promise<boolean> {
    this.#cacheLoad ??= (async () => {
      if (this.#cacheFile === undefined) return false;
      const cached = await loadRunFilesCache(this.#cacheFile, this.#store.url);
      if (cached === undefined || this.#loadedAt !== 0) return false;
      this.#saved = true;
      this.#set(cached);
      this.#loadedAt = Date.now();
      this.#mayCheck = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FIRST_CHECK_AFTER_MS);
        // A process with nothing else to do need not stay up for it.
        timer.unref();
        this.#allowCheck = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      return true;
    })();
    return this.#cacheLoad;
  }

  async #refresh(): Promise<void> {
    if ((await this.#loadCache()) && this.#checkedAt === undefined) await this.#mayCheck;
    const started = Date.now();
    const synced = await syncRunFiles(this.#store, { files: this.#runs, skipped: this.#skipped });
    this.#skipped = synced.skipped;
    if (synced.read.length > 0 || synced.removed.length > 0) this.#set(synced.files);
    for (const id of [...synced.read, ...synced.removed]) this.#unsaved.add(id);
    this.#loadedAt = Date.now();
    this.#lastRefreshMs = this.#loadedAt - started;
    this.#checkedAt = new Date(started);
    this.#failure = undefined;
    if (
      this.#cacheFile !== undefined &&
      worthSaving(this.#unsaved.size, this.#runs.size, this.#saved)
    ) {
      const saving = new Set(this.#unsaved);
      try {
        await saveRunFilesCache(this.#cacheFile, this.#store.url, this.#newestFirst);
        this.#saved = true;
        for (const id of saving) this.#unsaved.delete(id);
      } catch {
        // Only a cache: one that cannot be written costs the next start its reads, nothing more.
      }
    }
  }

  #set(runs: ReadonlyMap<string, RunFile>): void {
    this.#runs = runs;
    this.#newestFirst = newestFirst(runs.values());
  }
}

/**
 * The record with its status as readers judge it now: `lost` once the store has not rewritten it
 * for 4 heartbeats (by the object's `updated` time, so a writer's wrong clock changes nothing).
 */
export const withStatusNow = ({ record, updated }: IndexedRun, now: Date): RunRecord => {
  const status = effectiveStatus(record, now, updated);
  return status === record.status ? record : { ...record, status };
};
