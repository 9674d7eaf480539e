/**
 * Reading runs back: `listRuns()` and `getRun()`. A running run whose record the store has not
 * rewritten for its lease is reported `lost` (see `effectiveStatus`); the stored file keeps what
 * its writer last wrote.
 */
import { NotFoundError, ValidationError } from '../errors.js';
import { RUNS_FOLDER, runIdOfPath, runPath } from '../layout/paths.js';
import { RUN_STATUSES, type RunStatus } from '../layout/tables.js';
import { CorruptFileError, skipIfCorrupt, type SkippedFilesOptions } from '../skipped-files.js';
import type { ObjectInfo, Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { slugifyProject } from '../tracking/project-name.js';
import { noSuchId, RUN_IDS } from '../_id-prefixes.js';
import { isTimeSortableId } from './ids.js';
import { decodeRunRecord, effectiveStatus, type RunRecord } from './run-record.js';

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
}

/** Options of {@link getRun}. */
export interface GetRunOptions {
  store?: string | Store;
  now?: Date;
}

// Small objects: many in flight hide the round trips of a bucket.
const READ_CONCURRENCY = 32;

/**
 * The runs of a store, newest first. Reads every run's small file (one row each); a store of
 * 10,000 runs is read in about as many round trips divided by 32. A file under `runs/` that
 * holds no run record is left out and named to `onSkipped`.
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
    const objects: ObjectInfo[] = [];
    for await (const object of store.listAll(RUNS_FOLDER)) {
      if (runIdOfPath(object.path) !== undefined) objects.push(object);
    }
    const records = await mapConcurrently(objects, READ_CONCURRENCY, async (object) => {
      const record = await skipIfCorrupt(
        () => readCheckedRecord(store, object.path),
        options.onSkipped,
      );
      // Judged by when the store wrote the record (the listing says), not by the writer's clock.
      return record && { ...record, status: effectiveStatus(record, now, object.updated) };
    });
    return records
      .filter((record): record is RunRecord => record !== undefined)
      .filter(
        (record) =>
          (project === undefined || record.project === project) &&
          (options.sweep === undefined || record.sweepId === options.sweep) &&
          (options.status === undefined || record.status === options.status),
      )
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
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
  let text: string;
  try {
    text = await store.readText(path);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const record = decodeRunRecord(text);
  if (record === undefined) {
    throw new CorruptFileError({ store: store.url, path, problem: runFileProblem(text) });
  }
  return record;
}

/** Why `decodeRunRecord` found no run in a run's file, as far as can be told from outside. */
function runFileProblem(text: string): string {
  if (text.includes('\u0000')) return 'it holds binary bytes, not a run record';
  const header = text.slice(0, Math.max(0, text.indexOf('\n')));
  if (!header.split(',').includes('run_id')) {
    return 'its first line is not the runs table header (no run_id column)';
  }
  return 'its row is not a whole run record (run_id, status, origin, started_at or heartbeat_at missing or not valid)';
}
