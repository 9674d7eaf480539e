/**
 * Where a version stands in the store: from its claim and its run's record. Shared by the runner
 * (what to take) and `--list` (what to show).
 */
import { hostname } from 'node:os';
import { runPath } from '../layout/paths.js';
import { readRecord } from '../runs/read-runs.js';
import { effectiveStatus, LOST_AFTER_HEARTBEATS, type RunRecord } from '../runs/run-record.js';
import { readVersionClaim, type StoredVersionClaim } from '../runs/pipeline-records.js';
import type { Store } from '../store/types.js';

/**
 * - `pending`: no process has taken it;
 * - `running`: a live process runs it;
 * - `lost`: its process died (the heartbeat stopped, or its pid is gone on this host): it is run again;
 * - `finished` / `failed`: it ended (a failed version is not run again unless `--rerun` says so).
 */
export type VersionStatus = 'pending' | 'running' | 'lost' | 'finished' | 'failed';

export interface VersionState {
  status: VersionStatus;
  stored?: StoredVersionClaim;
  record?: RunRecord;
  /** The claim's process is known to have ended (same host, its pid is gone). */
  writerGone: boolean;
}

/** The state of `script:version` of `project`'s pipeline, as of now. */
export async function readVersionState(
  store: Store,
  project: string,
  script: string,
  version: string,
  heartbeatIntervalSeconds: number,
): Promise<VersionState> {
  const stored = await readVersionClaim(store, project, script, version);
  if (stored === undefined) return { status: 'pending', writerGone: false };
  const record = await readRecord(store, runPath(stored.claim.runId));
  const writerGone = processIsGone(stored.claim.agent);
  const state = { stored, writerGone, ...(record !== undefined && { record }) };
  const now = new Date();
  if (record === undefined) {
    // Claimed, but no run yet: its process is between the two writes, or died there.
    const silentMs = now.getTime() - stored.updated.getTime();
    const lost = writerGone || silentMs > LOST_AFTER_HEARTBEATS * heartbeatIntervalSeconds * 1000;
    return { ...state, status: lost ? 'lost' : 'running' };
  }
  const status = effectiveStatus(record, now);
  if (status === 'running') return { ...state, status: writerGone ? 'lost' : 'running' };
  if (status === 'lost') return { ...state, status: 'lost' };
  return { ...state, status: status === 'failed' ? 'failed' : 'finished' };
}

/**
 * Whether the process named `host:pid` has ended: only knowable on its own host (a pid elsewhere
 * says nothing), where it spares a restarted pipeline the wait for the heartbeat to go stale.
 */
function processIsGone(agent: string): boolean {
  const colon = agent.lastIndexOf(':');
  const host = agent.slice(0, colon);
  const pid = Number(agent.slice(colon + 1));
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid)
    return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
