/**
 * `ml-tracking migrate`'s part for series: a run that ended with a series long enough to need an
 * index and none usable stored (logged before there was one, or an index a killed process left
 * torn) gets one, so that its first chart is as fast as the next. A running run is left to its
 * writer.
 */
import { NotFoundError } from '../errors.js';
import { runIdOfPath, RUNS_FOLDER, scalarsLodFolder, scalarsPath } from '../layout/paths.js';
import { decodeRunRecord } from '../runs/run-record.js';
import { readTextIfExists } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { buildSeriesIndex, storeSeriesIndex } from './build-series-index.js';
import { IndexProblem } from './index-problem.js';
import { INDEX_FROM_BYTES } from './lod-format.js';
import { readStoredIndex } from './lod-index.js';

/** What {@link indexOldSeries} found and did. */
export interface SeriesIndexMigration {
  /** Ended runs whose series needs an index and has none usable (their ids). */
  missing: string[];
  /** Of those, the ones indexed now (only with `apply`). */
  indexed: string[];
}

/** Finds (and with `apply`, indexes) the ended runs whose long series has no usable index. */
export async function indexOldSeries(
  store: Store,
  options: { apply?: boolean } = {},
): Promise<SeriesIndexMigration> {
  const report: SeriesIndexMigration = { missing: [], indexed: [] };
  for await (const object of store.listAll(RUNS_FOLDER)) {
    const runId = runIdOfPath(object.path);
    if (runId === undefined) continue;
    const record = await readTextIfExists(store, object.path);
    const status = record && decodeRunRecord(record.text)?.status;
    if (status === undefined || status === 'running') continue;
    const size = (await store.stat(scalarsPath(runId)))?.size ?? 0;
    if (size <= INDEX_FROM_BYTES || (await usableIndex(store, runId))) continue;
    report.missing.push(runId);
    if (options.apply !== true) continue;
    // What is there is of no use: gone before a fresh one is written.
    for await (const stale of store.listAll(scalarsLodFolder(runId))) {
      await store.delete(stale.path);
    }
    const built = await buildSeriesIndex(store, scalarsPath(runId), { start: 0, end: size });
    if (await storeSeriesIndex(store, runId, built)) report.indexed.push(runId);
  }
  return report;
}

/** Whether the run has an index stored that covers its file but for a short rest. */
async function usableIndex(store: Store, runId: string): Promise<boolean> {
  try {
    const frontier = await readStoredIndex(store, runId);
    const size = (await store.stat(scalarsPath(runId)))?.size ?? 0;
    return frontier !== undefined && size - frontier.coverage <= INDEX_FROM_BYTES;
  } catch (error) {
    if (error instanceof IndexProblem || error instanceof NotFoundError) return false;
    throw error;
  }
}
