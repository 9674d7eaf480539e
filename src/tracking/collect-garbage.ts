import { ValidationError } from '../errors.js';
import { TRACKERS_FOLDER, predictionIdOfOutput, predictionOutputFolders } from '../layout/paths.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { CorruptFileError, type SkippedFilesOptions } from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { decodeTrackerRows } from './list-trackers.js';

/** Options of {@link collectGarbage}. */
export interface CollectGarbageOptions extends SkippedFilesOptions {
  /**
   * Only what nothing has touched for this long is garbage: a writer that is still at work (an
   * experiment whose outputs are written and whose row is not yet) is never disturbed. Less than
   * {@link GARBAGE_MIN_AGE_FLOOR_MS} needs `force`.
   * @default 86_400_000 (24 hours)
   */
  minAgeMs?: number;
  /**
   * Allow a `minAgeMs` under an hour, for a store no writer is using (a lock left by a crash
   * blocks everyone now). Locks and staging files of live writers may then be deleted, and their
   * writes fail; outputs without a row still get the hour (see {@link collectGarbage}).
   * @default false
   */
  force?: boolean;
  /** Delete what was found; without it, only report. @default false */
  apply?: boolean;
  /** The moment ages are measured from. @default now */
  now?: Date;
}

/** One piece of garbage. */
export interface Garbage {
  /** `leftover`: a lock, staging file or append part of a crashed writer; `unreferenced`: an experiment output that no tracker row names. */
  reason: 'leftover' | 'unreferenced';
  /** Path relative to the store root. */
  path: string;
  size: number;
  updated: Date;
}

/** What {@link collectGarbage} found, and whether it deleted it. */
export interface GarbageReport {
  garbage: Garbage[];
  /** Bytes the garbage occupies. */
  bytes: number;
  /** Whether the garbage was deleted (`apply`). */
  deleted: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The least `minAgeMs` without `force`, and the least age of an output without a row in any
 * case: a live writer's outputs have no row until its very last step, and nothing in the store
 * tells them from a dead writer's but their age.
 */
export const GARBAGE_MIN_AGE_FLOOR_MS = 3_600_000;

// Deletions between two re-reads of the trackers: each batch is checked right before it goes.
const DELETIONS_PER_CHECK = 32;

/**
 * The one check of a garbage-collection age, shared with the CLI.
 * @param parameter what to name in the error: `minAgeMs`, or the flag `--min-age`.
 * @param fix how to force it, in the caller's terms.
 * @throws ValidationError when `minAgeMs` is not a non-negative number, or under the floor
 * without `force`.
 */
export function checkGarbageMinAge(
  minAgeMs: number,
  force: boolean,
  parameter = 'minAgeMs',
  fix = 'or pass force: true if no writer is using this store',
): void {
  if (!Number.isFinite(minAgeMs) || minAgeMs < 0) {
    throw new ValidationError(parameter, `${minAgeMs} is not an age`, 'Give milliseconds ≥ 0.');
  }
  if (minAgeMs < GARBAGE_MIN_AGE_FLOOR_MS && !force) {
    throw new ValidationError(
      parameter,
      `${Math.round(minAgeMs / 60_000)} minutes is under one hour: the locks and staging files of writers at work right now would be deleted, and their writes would fail`,
      `Use one hour or more, ${fix}.`,
    );
  }
}

/**
 * Finds what crashed or interrupted writers left behind: the store's own bookkeeping (lock
 * folders, staging files, GCS append parts) and experiment outputs (predictions, scoring,
 * confusion tables, plots) whose experiment never got its tracker row — the row is the commit
 * point, so such outputs belong to no experiment. Reports them, and deletes them with `apply`.
 *
 * Never deletes what a committed row references: the trackers are read before the outputs are
 * judged and read again right before each batch of deletions, so a row committed meanwhile keeps
 * its outputs. An output without a row is garbage only once it is older than both `minAgeMs`
 * and {@link GARBAGE_MIN_AGE_FLOOR_MS}, `force` or not: until its row lands, a live writer's
 * output looks exactly like a dead one's. While a tracker cannot be read (named to `onSkipped`),
 * no output counts as unreferenced: its rows might reference any of them.
 *
 * @example
 * const report = await collectGarbage(store, { apply: true });
 * console.log(`${report.garbage.length} files, ${report.bytes} bytes removed`);
 * @throws ValidationError when `minAgeMs` is under an hour without `force`.
 */
export async function collectGarbage(
  store: Store,
  options: CollectGarbageOptions = {},
): Promise<GarbageReport> {
  const minAgeMs = options.minAgeMs ?? DAY_MS;
  checkGarbageMinAge(minAgeMs, options.force ?? false);
  const now = (options.now ?? new Date()).getTime();
  const before = new Date(now - minAgeMs);
  const outputsBefore = new Date(now - Math.max(minAgeMs, GARBAGE_MIN_AGE_FLOOR_MS));
  const garbage: Garbage[] = (await store.listLeftovers(before)).map((leftover) => ({
    reason: 'leftover',
    ...leftover,
  }));

  // Outputs first, rows second: an experiment that commits in between keeps its outputs,
  // because its row is read after they were listed.
  const candidates: Garbage[] = [];
  for (const folder of predictionOutputFolders()) {
    for await (const object of store.listAll(folder)) {
      if (predictionIdOfOutput(object.path) !== undefined && object.updated < outputsBefore) {
        candidates.push({ reason: 'unreferenced', ...object });
      }
    }
  }
  const references = new References(store, options);
  await references.refresh();
  garbage.push(...candidates.filter((item) => references.unreferenced(item.path)));

  if (options.apply) {
    // A leftover touched since it was listed belongs to a writer at work after all.
    const stillOld = new Set((await store.listLeftovers(before)).map((leftover) => leftover.path));
    for (const item of garbage) {
      if (item.reason === 'leftover' && stillOld.has(item.path)) await store.deleteLeftover(item);
    }
    const outputs = garbage.filter((item) => item.reason === 'unreferenced');
    for (let start = 0; start < outputs.length; start += DELETIONS_PER_CHECK) {
      await references.refresh();
      const batch = outputs.slice(start, start + DELETIONS_PER_CHECK);
      await mapConcurrently(batch, 8, async (item) => {
        if (references.unreferenced(item.path)) await store.delete(item.path);
      });
    }
  }
  return {
    garbage,
    bytes: garbage.reduce((sum, item) => sum + item.size, 0),
    deleted: options.apply ?? false,
  };
}

/**
 * The prediction ids the store's tracker rows reference, kept current: a refresh lists the
 * trackers and re-reads only those whose generation changed.
 */
class References {
  readonly #store: Store;
  readonly #options: SkippedFilesOptions;
  #trackers = new Map<string, { generation: string; ids: Set<string> | undefined }>();
  /** Ids are known only when every tracker could be read. */
  #complete = false;
  readonly #told = new Set<string>();

  constructor(store: Store, options: SkippedFilesOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Whether the output at `path` is referenced by no row (`false` while that is unknown). */
  unreferenced(path: string): boolean {
    const id = predictionIdOfOutput(path);
    if (id === undefined || !this.#complete) return false;
    for (const { ids } of this.#trackers.values()) if (ids?.has(id)) return false;
    return true;
  }

  async refresh(): Promise<void> {
    const listed = new Map<string, string>();
    // Every CSV under projects/ is a tracker (the data contract), whatever its name.
    for await (const object of this.#store.listAll(TRACKERS_FOLDER)) {
      if (object.path.endsWith('.csv')) listed.set(object.path, object.generation);
    }
    const changed = [...listed].filter(([path, generation]) => {
      return this.#trackers.get(path)?.generation !== generation;
    });
    await mapConcurrently(changed, 8, async ([path, generation]) => {
      this.#trackers.set(path, { generation, ids: await this.#read(path) });
    });
    for (const path of this.#trackers.keys()) if (!listed.has(path)) this.#trackers.delete(path);
    this.#complete = [...this.#trackers.values()].every(({ ids }) => ids !== undefined);
  }

  async #read(path: string): Promise<Set<string> | undefined> {
    try {
      const rows = decodeTrackerRows(await this.#store.readText(path), {
        store: this.#store.url,
        path,
      });
      return new Set(rows.flatMap((row) => (row.prediction_id ? [row.prediction_id] : [])));
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      if (!this.#told.has(path)) this.#options.onSkipped?.(error.skipped);
      this.#told.add(path);
      return undefined;
    }
  }
}
