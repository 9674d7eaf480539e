import { ConflictError } from '../errors.js';
import { runPath } from '../layout/paths.js';
import type { Store } from '../store/types.js';
import { readRecord } from './read-runs.js';
import { effectiveStatus, encodeRunRecord } from './run-record.js';

/**
 * Writes `lost` into the record of a run whose writer went silent, so that its file says what
 * readers already report. Only a record still running and still silent is changed, by a
 * compare-and-swap: a writer that comes back to life in between wins. Resolves whether it wrote.
 * `writerGone`: the caller knows the writer's process has ended (same host, its pid is gone), so
 * a running record is lost however recent its heartbeat.
 */
export async function markRunLost(
  store: Store,
  runId: string,
  now: Date = new Date(),
  writerGone = false,
): Promise<boolean> {
  const path = runPath(runId);
  const info = await store.stat(path);
  if (info === undefined) return false;
  const record = await readRecord(store, path);
  if (record?.status !== 'running') return false;
  if (!writerGone && effectiveStatus(record, now) !== 'lost') return false;
  try {
    await store.write(
      path,
      encodeRunRecord({ ...record, status: 'lost', endedAt: record.heartbeatAt }),
      { ifGeneration: info.generation },
    );
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}
