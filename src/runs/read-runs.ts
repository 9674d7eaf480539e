/**
 * Reading runs back: `listRuns()` and `getRun()`. A running run whose record the store has not
 * rewritten for its lease is reported `lost` (see `effectiveStatus`); the stored file keeps what
 * its writer last wrote.
 */
import { ValidationError } from '../errors.js';
import { runPath } from '../layout/paths.js';
import { RUN_STATUSES, type RunStatus } from '../layout/tables.js';
import { CorruptFileError, type SkippedFilesOptions } from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { slugifyProject } from '../tracking/project-name.js';
import { noSuchId, RUN_IDS } from '../_id-prefixes.js';
import { isTimeSortableId } from './ids.js';
import { readCheckedRunFile } from './run-file.js';
import {
  loadRunFilesCache,
  runFilesCachePath,
  saveRunFilesCache,
  worthSaving,
} from './run-files-cache.js';
import { newestFirst, syncRunFiles } from './sync-run-files.js';
import { effectiveStatus, type RunRecord } from './run-record.js';

/** Options of {@link listRuns}. */
export interface ListRunsOptions extends SkippedFilesOptions {
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Only this project (slugified like everywhere else). */
  project?: string;
  /** Only the trials of this sweep. */
  sweep?: string;
  /** Only runs with this status, as readers see it (`lost` included). */
  status?: RunStatus;
  /** The moment `lost` is judged at. @default now */
  now?: Date;
  /**
   * Keep the runs' files in the user's cache folder (`ml-tracking/run-index`, shared with the
   * dashboard) and read only those whose generation changed since: a store of 100,000 runs
   * costs one listing and the changed files instead of 100,000 reads. The answer is the same;
   * a damaged or foreign cache file is ignored. Off by default, so that a function that reads a
   * store leaves no file behind unless asked; turn it on where it is called again and again.
   * Memory stores are never cached.
   * @default false
   * @example for (;;) { const running = await listRuns({ status: 'running', cache: true }); … }
   */
  cache?: boolean;
}

/** Options of {@link getRun}. */
export interface GetRunOptions {
  store?: string | Store;
  now?: Date;
}

/**
 * The runs of a store, newest first. Lists `runs/` and reads every run's small file (one row
 * each), 32 at a time; with `cache`, only the files that changed since the last call. A file
 * under `runs/` that holds no run record is left out and named to `onSkipped`.
 * @example const running = await listRuns({ project: 'soil', status: 'running' });
 */
export async function listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  if (options.status !== undefined && !RUN_STATUSES.includes(options.status)) {
    throw new ValidationError(
      'status',
      `${JSON.stringify(options.status)} is not a run status`,
      `Use one of ${RUN_STATUSES.join(', ')}.`,
    );
  }
  const now = options.now ?? new Date();
  return withStore(options.store, async (store) => {
    const cache =
      options.cache === true && store.kind !== 'memory' ? runFilesCachePath(store.url) : undefined;
    const cached = cache === undefined ? undefined : await loadRunFilesCache(cache, store.url);
    const synced = await syncRunFiles(store, { files: cached ?? new Map(), skipped: new Map() });
    for (const { file } of synced.skipped.values()) options.onSkipped?.(file);
    const changed = synced.read.length + synced.removed.length;
    if (cache !== undefined && worthSaving(changed, synced.files.size, cached !== undefined)) {
      // Only a cache: a folder that cannot be written costs the reads next time, nothing more.
      await saveRunFilesCache(cache, store.url, synced.files.values()).catch(() => undefined);
    }
    return newestFirst(synced.files.values())
      .filter(
        (file) =>
          (project === undefined || file.project === project) &&
          (options.sweep === undefined || file.sweepId === options.sweep),
      )
      .map((file) => ({
        ...file.record,
        // Judged by when the store wrote the record (the listing says), not by the writer's clock.
        status: effectiveStatus(file.record, now, file.updated),
      }))
      .filter((record) => options.status === undefined || record.status === options.status);
  });
}

/**
 * One run by id.
 * @throws NotFoundError when the store has no such run.
 * @throws CorruptFileError when its file holds no run record.
 */
export async function getRun(runId: string, options: GetRunOptions = {}): Promise<RunRecord> {
  checkRunId(runId);
  return withStore(options.store, async (store) => {
    const info = await store.stat(runPath(runId));
    const record = info && (await readCheckedRecord(store, runPath(runId)));
    if (info === undefined || record === undefined) throw noSuchId(store, RUN_IDS, runId);
    return { ...record, status: effectiveStatus(record, options.now, info.updated) };
  });
}

/** Throws a `ValidationError` unless `runId` has the shape of a run id. */
export function checkRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !isTimeSortableId(runId)) {
    throw new ValidationError(
      'runId',
      `${JSON.stringify(runId)} is not a run id`,
      'Pass an id as `ml-tracking runs` prints it, e.g. 20261124T101530123Z-1a2b3c4d.',
    );
  }
}

/** The record in a run's file; `undefined` when the file vanished or holds no run. */
export async function readRecord(store: Store, path: string): Promise<RunRecord | undefined> {
  try {
    return await readCheckedRecord(store, path);
  } catch (error) {
    if (error instanceof CorruptFileError) return undefined;
    throw error;
  }
}

/**
 * The record in a run's file; `undefined` when the file does not exist.
 * @throws CorruptFileError when it holds no run record (binary bytes, a foreign table, a row
 * without its id, status, origin or times).
 */
export async function readCheckedRecord(
  store: Store,
  path: string,
): Promise<RunRecord | undefined> {
  return (await readCheckedRunFile(store, path))?.record;
}
