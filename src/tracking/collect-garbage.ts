import { decodeTable } from '../csv/decode.js';
import { predictionIdOfOutput, predictionOutputFolders } from '../layout/paths.js';
import type { Store } from '../store/types.js';

/** Options of {@link collectGarbage}. */
export interface CollectGarbageOptions {
  /**
   * Only what nothing has touched for this long is garbage: a writer that is still at work (an
   * experiment whose outputs are written and whose row is not yet) is never disturbed.
   * @default 86_400_000 (24 hours)
   */
  minAgeMs?: number;
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
 * Finds what crashed or interrupted writers left behind: the store's own bookkeeping (lock
 * folders, staging files, GCS append parts) and experiment outputs (predictions, scoring,
 * confusion tables, plots) whose experiment never got its tracker row — the row is the commit
 * point, so such outputs belong to no experiment. Reports them, and deletes them with `apply`.
 *
 * @example
 * const report = await collectGarbage(store, { apply: true });
 * console.log(`${report.garbage.length} files, ${report.bytes} bytes removed`);
 */
export async function collectGarbage(
  store: Store,
  options: CollectGarbageOptions = {},
): Promise<GarbageReport> {
  const before = new Date((options.now ?? new Date()).getTime() - (options.minAgeMs ?? DAY_MS));
  const garbage: Garbage[] = (await store.listLeftovers(before)).map((leftover) => ({
    reason: 'leftover',
    ...leftover,
  }));

  // Outputs first, rows second: an experiment that commits in between keeps its outputs,
  // because its row is read after they were listed.
  const candidates = [];
  for (const folder of predictionOutputFolders()) {
    for await (const object of store.listAll(folder)) {
      const id = predictionIdOfOutput(object.path);
      if (id !== undefined && object.updated < before) candidates.push({ id, object });
    }
  }
  const referenced = await referencedPredictionIds(store);
  for (const { id, object } of candidates) {
    if (referenced.has(id)) continue;
    garbage.push({ reason: 'unreferenced', ...object });
  }

  if (options.apply) {
    for (const item of garbage) {
      if (item.reason === 'leftover') await store.deleteLeftover(item);
      else await store.delete(item.path);
    }
  }
  return {
    garbage,
    bytes: garbage.reduce((sum, item) => sum + item.size, 0),
    deleted: options.apply ?? false,
  };
}

async function referencedPredictionIds(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  // Every CSV under projects/ is a tracker (the data contract), whatever its name.
  for await (const tracker of store.listAll('projects/')) {
    if (!tracker.path.endsWith('.csv')) continue;
    for (const row of decodeTable(await store.readText(tracker.path))) {
      if (row.prediction_id) ids.add(row.prediction_id);
    }
  }
  return ids;
}
