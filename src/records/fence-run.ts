/**
 * Fencing the run of a claim that was taken over: before the taker starts its own attempt, the
 * previous attempt's run record is closed so that its writer, if it still lives (paused, cut off),
 * can never change it again. Its writer rewrites the record only by a compare-and-swap on the
 * generation it last wrote (`runs/_run-writer.ts`), and creates it only if absent: a closed record
 * (or a tombstone in place of one never created) makes every later write of the old attempt fail.
 */
import { runPath } from '../layout/paths.js';
import type { RunStatus } from '../layout/tables.js';
import {
  decodeRunRecord,
  encodeRunRecord,
  type RunProvenance,
  type RunRecord,
} from '../runs/run-record.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { Store } from '../store/types.js';

/** How the previous attempt's run stands once fenced. */
export type FencedRun =
  /** It was running (or never started): it is `lost` now, and its writer can no longer write it. */
  | { outcome: 'fenced' }
  /** It had ended already (it finished, failed, stopped early, or was closed before). */
  | { outcome: 'ended'; status: Exclude<RunStatus, 'running'>; record: RunRecord };

/** Who a tombstone stands for: the run's project, name, origin and provenance. */
export type RunTemplate = Pick<RunRecord, 'project' | 'name' | 'origin'> & RunProvenance;

/** What a run that never started has of everything else. */
const EMPTY_RUN = {
  heartbeatIntervalSeconds: 0,
  host: '',
  hyperparameters: {},
  summary: {},
  predictionIds: [],
  scalarsUri: '',
};

/**
 * Closes run `runId` as `lost` with `reason`, unless it has ended. A run that has no record yet
 * gets a `lost` tombstone built from `template`, so that a writer paused between its claim and its
 * record cannot start it later.
 */
export async function fenceRun(
  store: Store,
  runId: string,
  reason: string,
  template: RunTemplate,
): Promise<FencedRun> {
  const path = runPath(runId);
  for (;;) {
    const read = await readTextIfExists(store, path);
    const record = read && decodeRunRecord(read.text);
    if (record !== undefined && record.status !== 'running') {
      return record.status === 'lost'
        ? { outcome: 'fenced' }
        : { outcome: 'ended', status: record.status, record };
    }
    const now = new Date();
    const closed: RunRecord =
      record === undefined
        ? {
            ...EMPTY_RUN,
            ...template,
            id: runId,
            status: 'lost',
            startedAt: now,
            heartbeatAt: now,
            error: reason,
          }
        : { ...record, status: 'lost', endedAt: record.heartbeatAt, error: reason };
    // Absent: create only if still absent. Present (even unreadable): replace what was read.
    const written = await writeIfGeneration(
      store,
      path,
      encodeRunRecord(closed),
      read?.generation ?? '0',
    );
    if (written !== undefined) return { outcome: 'fenced' };
    // Its writer wrote in between (a heartbeat, or its end): look again.
  }
}
