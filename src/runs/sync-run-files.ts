/**
 * Bringing a set of run files up to date with the store: one listing of `runs/`, then a read of
 * each file whose generation differs from the known one (new or rewritten); files the listing no
 * longer names are dropped. What the dashboard's index does on every refresh and `listRuns` does
 * from a cache; a store with nothing changed costs the listing alone.
 */
import { RUNS_FOLDER, runIdOfPath, runPath } from '../layout/paths.js';
import { CorruptFileError, type SkippedFile } from '../skipped-files.js';
import type { ObjectInfo, Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { readCheckedRunFile, RunFile } from './run-file.js';

/** A file under `runs/` that holds no run record, and the generation it was read at. */
export interface SkippedRunFile {
  generation: string;
  file: SkippedFile;
}

/** Run files by run id, and those that hold no record. */
export interface RunFiles {
  files: ReadonlyMap<string, RunFile>;
  skipped: ReadonlyMap<string, SkippedRunFile>;
}

/** {@link RunFiles} after a sync, with what it found different. */
export interface SyncedRunFiles extends RunFiles {
  /** Runs read because they were new or their generation changed. */
  read: string[];
  /** Runs known before and no longer listed. */
  removed: string[];
}

// Small objects: many in flight hide a bucket's round trips.
const READ_CONCURRENCY = 32;

/**
 * Asked for per page of a listing. GCS serves at most 1000 whatever is asked; a local folder is
 * walked and sorted again for every page, so 100,000 runs in pages of 1000 cost 100 walks (18 s
 * measured) where one page costs one.
 */
const LIST_PAGE_SIZE = 1_000_000;

/** Every run file the store lists under `runs/`, by run id. */
export async function listRunObjects(store: Store): Promise<Map<string, ObjectInfo>> {
  const listed = new Map<string, ObjectInfo>();
  let pageToken: string | undefined;
  do {
    const page = await store.list(RUNS_FOLDER, {
      pageSize: LIST_PAGE_SIZE,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    for (const object of page.objects) {
      const id = runIdOfPath(object.path);
      if (id !== undefined) listed.set(id, object);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return listed;
}

/**
 * `known` brought up to date with the store: listed once, and only new or rewritten files read.
 * A file that held no record and is unchanged is not read again.
 */
export async function syncRunFiles(store: Store, known: RunFiles): Promise<SyncedRunFiles> {
  const listed = await listRunObjects(store);
  const changed = [...listed].filter(([id, { generation }]) => {
    const seen = known.files.get(id) ?? known.skipped.get(id);
    return seen?.generation !== generation;
  });
  const skipped = new Map<string, SkippedRunFile>();
  for (const [id, entry] of known.skipped) if (listed.has(id)) skipped.set(id, entry);
  const fresh = await mapConcurrently(changed, READ_CONCURRENCY, async ([id, info]) => {
    try {
      // Labelled with the listed generation even if the read found a newer one: the next sync
      // then reads it once more, where the opposite could keep stale bytes for good.
      const read = await readCheckedRunFile(store, runPath(id));
      skipped.delete(id);
      return read === undefined ? undefined : RunFile.read(read.record, info, read.bytes);
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      skipped.set(id, { generation: info.generation, file: error.skipped });
      return undefined;
    }
  });
  const files = new Map<string, RunFile>();
  const removed: string[] = [];
  for (const [id, file] of known.files) {
    if (listed.has(id) && !skipped.has(id)) files.set(id, file);
    else removed.push(id);
  }
  for (const file of fresh) if (file !== undefined) files.set(file.id, file);
  return { files, skipped, read: changed.map(([id]) => id), removed };
}

/** Run files newest first (run ids sort by start time). */
export function newestFirst(files: Iterable<RunFile>): RunFile[] {
  const list = [...files];
  // A cache holds them in this order already: checked in one pass rather than sorted again.
  for (let at = 1; at < list.length; at += 1) {
    if (list[at - 1]!.id < list[at]!.id) {
      return list.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
  }
  return list;
}
