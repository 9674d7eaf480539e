/**
 * The dashboard's index of runs: every run record of the store, held in memory and kept current
 * by listing `runs/` and re-reading only the records whose generation changed. A page never reads
 * the store's run files itself, so listing 10,000 runs costs a filter over memory, not 10,000
 * reads; and the index holds records only (about a kilobyte each), never step series, so the
 * server's memory grows with the number of runs, not with the number of points. A file under
 * `runs/` that holds no run record is kept aside as skipped at its generation: named on every
 * answer, read again only when it changes.
 */
import { RUNS_FOLDER, runIdOfPath, runPath } from '../../layout/paths.js';
import { readCheckedRecord } from '../../runs/read-runs.js';
import { effectiveStatus, type RunRecord } from '../../runs/run-record.js';
import { CorruptFileError, type SkippedFile } from '../../skipped-files.js';
import type { ObjectInfo, Store } from '../../store/types.js';
import { mapConcurrently } from '../../_map-concurrently.js';

/** A run in the index, with what filters need precomputed. */
export interface IndexedRun {
  record: RunRecord;
  generation: string;
  /** When the store last wrote the record: `lost` is judged by it, not by the writer's clock. */
  updated: Date;
  /** Lower-case id, name, project, host and hyperparameter values, for the text filter. */
  searchText: string;
}

/** Options of {@link RunIndex}. */
export interface RunIndexOptions {
  /**
   * A request finds the index at most this old; an older one is refreshed in the background
   * while the request is answered from it (the first load is waited for).
   * A refresh lists `runs/` (about 0.2 s of one core for 10,000 runs on a local folder), so
   * not much more often than a person looks.
   * @default 5000
   */
  maxAgeMs?: number;
}

// Small objects: many in flight hide a bucket's round trips.
const READ_CONCURRENCY = 32;

/** The runs of one store, newest first, refreshed by generation. */
export class RunIndex {
  readonly #store: Store;
  readonly #maxAgeMs: number;
  #runs = new Map<string, IndexedRun>();
  #newestFirst: IndexedRun[] = [];
  /** Run files that hold no run record, by run id, with the generation they were read at. */
  #skipped = new Map<string, { generation: string; file: SkippedFile }>();
  #loadedAt = 0;
  #loading: Promise<void> | undefined;
  #failure: unknown;

  constructor(store: Store, options: RunIndexOptions = {}) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs ?? 5000;
  }

  /**
   * Every run, newest first. Waits for the first load; afterwards answers at once and refreshes
   * in the background when the index is older than `maxAgeMs`.
   */
  async runs(): Promise<readonly IndexedRun[]> {
    if (this.#loadedAt === 0) {
      await this.refresh();
    } else if (Date.now() - this.#loadedAt > this.#maxAgeMs && this.#loading === undefined) {
      // A failed background refresh keeps the last good index; the next request tries again.
      this.refresh().catch((error: unknown) => {
        this.#failure = error;
      });
    }
    return this.#newestFirst;
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
    const record = info && (await readCheckedRecord(this.#store, runPath(runId)));
    if (info === undefined || record === undefined) return undefined;
    const run = indexed(record, info);
    // A refresh that finished meanwhile may have added it already, perhaps newer.
    if (!this.#runs.has(runId)) this.#add(run);
    return this.#runs.get(runId);
  }

  /** The error of the last failed background refresh, if the last refresh failed. */
  get lastFailure(): unknown {
    return this.#failure;
  }

  /** Lists `runs/` and reads the records that are new or changed since the last refresh. */
  refresh(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const listed = new Map<string, ObjectInfo>();
    for await (const object of this.#store.listAll(RUNS_FOLDER)) {
      const id = runIdOfPath(object.path);
      if (id !== undefined) listed.set(id, object);
    }
    const changed = [...listed].filter(([id, { generation }]) => {
      const known = this.#runs.get(id) ?? this.#skipped.get(id);
      return known?.generation !== generation;
    });
    const skipped = new Map(this.#skipped);
    const fresh = await mapConcurrently(changed, READ_CONCURRENCY, async ([id, info]) => {
      const { generation } = info;
      try {
        const record = await readCheckedRecord(this.#store, runPath(id));
        skipped.delete(id);
        return record === undefined ? undefined : indexed(record, info);
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        skipped.set(id, { generation, file: error.skipped });
        return undefined;
      }
    });
    const runs = new Map(this.#runs);
    for (const id of runs.keys()) if (!listed.has(id)) runs.delete(id);
    for (const id of skipped.keys()) if (!listed.has(id)) skipped.delete(id);
    // A record that was fine and is now corrupt leaves the index.
    for (const id of skipped.keys()) runs.delete(id);
    for (const run of fresh) if (run !== undefined) runs.set(run.record.id, run);
    this.#skipped = skipped;
    if (changed.length > 0 || runs.size !== this.#runs.size) {
      this.#runs = runs;
      this.#newestFirst = newestFirst(runs);
    }
    this.#loadedAt = Date.now();
    this.#failure = undefined;
  }

  #add(run: IndexedRun): void {
    const runs = new Map(this.#runs);
    runs.set(run.record.id, run);
    this.#runs = runs;
    this.#newestFirst = newestFirst(runs);
  }
}

const newestFirst = (runs: Map<string, IndexedRun>): IndexedRun[] =>
  [...runs.values()].sort((a, b) =>
    a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0,
  );

/**
 * The record with its status as readers judge it now: `lost` once the store has not rewritten it
 * for 4 heartbeats (by the object's `updated` time, so a writer's wrong clock changes nothing).
 */
export const withStatusNow = ({ record, updated }: IndexedRun, now: Date): RunRecord => {
  const status = effectiveStatus(record, now, updated);
  return status === record.status ? record : { ...record, status };
};

function indexed(record: RunRecord, { generation, updated }: ObjectInfo): IndexedRun {
  const values = Object.values(record.hyperparameters).map((value) =>
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  const searchText = [record.id, record.name, record.project, record.host, ...values]
    .join('\n')
    .toLowerCase();
  return { record, generation, updated, searchText };
}
