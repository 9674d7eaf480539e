/**
 * How an execution-mode process takes a version through its claim (`records/`): a new
 * claim, a take-over of a lost or released one (fencing the lost attempt's run), or a rerun;
 * otherwise where the version stands.
 */
import { createClaim, replaceClaim, type HeldClaim } from '../records/claims.js';
import { fenceRun } from '../records/fence-run.js';
import { processLabel, thisProcess } from '../records/process-identity.js';
import { pipelineClaimPath } from '../layout/paths.js';
import { createTimeSortableId } from '../runs/ids.js';
import type { VersionClaim } from '../records/pipeline-records.js';
import type { ExecutionContext } from './_pipeline-context.js';
import { readVersionState } from './_version-state.js';

/**
 * Claims a version: a new claim when none exists, a take-over when its lease expired or it was
 * given back, or when `--rerun` names it and it ended before this call began. Otherwise says
 * where it stands.
 */
export async function takeVersion(
  context: ExecutionContext,
  script: string,
  version: string,
  startedAt: Date,
): Promise<HeldClaim<VersionClaim> | 'running' | { ended: 'finished' | 'failed'; runId: string }> {
  const { store, config } = context;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const state = await readVersionState(
      store,
      config.project,
      script,
      version,
      context.heartbeatIntervalSeconds,
      await context.clock.now(),
    );
    const stored = state.stored;
    const previous = stored?.claim;
    if (state.status === 'running') return 'running';
    if (state.status === 'finished' || state.status === 'failed') {
      const rerun = context.reruns.some(
        (each) =>
          each.script === script && (each.version === undefined || each.version === version),
      );
      // A claim made after this call began is this call's own rerun (or another's): done.
      if (previous !== undefined && (!rerun || new Date(previous.claimedAt) >= startedAt)) {
        return { ended: state.status, runId: previous.runId };
      }
    }
    const mine: VersionClaim = {
      script,
      version,
      runId: createTimeSortableId(),
      agent: processLabel(),
      process: thisProcess(),
      claimedAt: new Date().toISOString(),
      attempt: (previous?.attempt ?? 0) + 1,
      heartbeatIntervalSeconds: context.heartbeatIntervalSeconds,
      state: 'held',
    };
    const path = pipelineClaimPath(config.project, script, version);
    const held =
      stored === undefined
        ? await createClaim(store, path, mine)
        : await replaceClaim(store, stored, mine);
    // Another process was first: look again.
    if (held === undefined) continue;
    if (state.status !== 'lost' || previous === undefined) return held;
    const fenced = await fenceRun(
      store,
      previous.runId,
      `its pipeline process ${previous.agent} was lost (taken over by ${processLabel()}, attempt ${mine.attempt})`,
      versionRunTemplate(config.project, script, version),
    );
    if (fenced.outcome === 'fenced') return held;
    // It ended just before its process was given up on: it is done, not lost.
    await replaceClaim(store, held, { ...previous, state: 'done' });
  }
  return 'running';
}

/** What a version's run record holds before its run starts (a tombstone is built from it). */
function versionRunTemplate(project: string, script: string, version: string) {
  return {
    project,
    name: `${script}:${version}`,
    origin: 'pipeline' as const,
    pipelineScript: script,
    pipelineVersion: version,
  };
}
