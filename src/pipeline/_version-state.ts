/**
 * Where a version stands in the store: from its claim and its run's record. Shared by the runner
 * (what to take) and `--list` (what to show).
 */
import { claimStanding, type StoredClaim } from '../records/claims.js';
import { runPath } from '../layout/paths.js';
import { readRecord } from '../runs/read-runs.js';
import type { RunRecord } from '../runs/run-record.js';
import { readVersionClaim, type VersionClaim } from '../records/pipeline-records.js';
import type { Store } from '../store/types.js';

/**
 * - `pending`: no process has taken it, or one gave it back (interrupted);
 * - `running`: a process holds its claim and renews it;
 * - `lost`: its process stopped renewing its claim past the lease (by the store's clock), or is
 *   certainly gone: it is run again;
 * - `finished` / `failed`: it ended (a failed version is not run again unless `--rerun` says so).
 */
export type VersionStatus = 'pending' | 'running' | 'lost' | 'finished' | 'failed';

export interface VersionState {
  status: VersionStatus;
  stored?: StoredClaim<VersionClaim>;
  record?: RunRecord;
}

/**
 * The state of `script:version` of `project`'s pipeline at `storeNow`, the store's time (see
 * `records/store-clock.ts`); `heartbeatIntervalSeconds` judges a claim that does not say its
 * holder's.
 */
export async function readVersionState(
  store: Store,
  project: string,
  script: string,
  version: string,
  heartbeatIntervalSeconds: number,
  storeNow: Date,
): Promise<VersionState> {
  const stored = await readVersionClaim(store, project, script, version);
  if (stored === undefined) return { status: 'pending' };
  const standing = claimStanding(stored, storeNow, heartbeatIntervalSeconds);
  if (standing === 'released') return { status: 'pending', stored };
  if (standing === 'live') return { status: 'running', stored };
  const record =
    stored.claim === undefined ? undefined : await readRecord(store, runPath(stored.claim.runId));
  const state = { stored, ...(record !== undefined && { record }) };
  // Done, or expired after its run ended (its process died before it could say so on the claim).
  if (record !== undefined && record.status !== 'running' && record.status !== 'lost') {
    return { ...state, status: record.status === 'finished' ? 'finished' : 'failed' };
  }
  return { ...state, status: 'lost' };
}
