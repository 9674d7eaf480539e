/**
 * Execution mode: any number of processes, on any number of machines, share the queue through
 * the store. Each takes versions by their claims (`_take-version.ts`), runs each as a run of the
 * store under a lease, and writes its lines to the per-host files; an error is logged and the
 * pipeline goes on.
 */
import { join } from 'node:path';
import type { HeldClaim } from '../records/claims.js';
import { holdLease } from '../records/lease.js';
import { ValidationError } from '../errors.js';
import type { Run } from '../runs/experiment-logger.js';
import type { VersionClaim } from '../records/pipeline-records.js';
import { startRun } from '../runs/start-run.js';
import { emptyReport, type ExecutionContext } from './_pipeline-context.js';
import type { Queue } from './_queue.js';
import { runOne } from './_run-version.js';
import { takeVersion } from './_take-version.js';
import { eachScript } from './_walk-queue.js';
import type { PipelineReport } from './pipeline-report.js';
import {
  describeScript,
  PipelineScriptError,
  type DescribedScript,
  type DescribedVersion,
} from './version-process.js';
import { runOrder } from './versions.js';

/** Takes versions no process has run until the queue is done everywhere. */
export async function runExecutionMode(
  context: ExecutionContext,
  first: Queue,
): Promise<PipelineReport> {
  const report: PipelineReport = { ...emptyReport(context), store: context.store.url };
  const startedAt = new Date();
  const { files } = context;
  files.log(
    `pipeline started (execution mode, project ${context.config.project}, ${first.listFile})`,
  );
  await eachScript(context, first, files, async (script) => {
    let described: DescribedScript;
    try {
      described = await describeScript(script, context.config);
    } catch (error) {
      if (!(error instanceof PipelineScriptError)) throw error;
      files.log(`${error.message}\n${error.detail}`, script.name);
      report.scriptErrors.push({ script: script.name, error: error.message });
      context.onEvent({ type: 'script-failed', script: script.name, error: error.message });
      return 'done';
    }
    let blocked = false;
    for (const version of runOrder(described.versions)) {
      if (context.signal.aborted) return 'done';
      const taken = await takeVersion(context, script.name, version.name, startedAt);
      if (taken === 'running') {
        blocked = true;
        continue;
      }
      if ('ended' in taken) {
        if (
          !report.versions.some(
            (each) => each.script === script.name && each.version === version.name,
          )
        ) {
          report.versions.push({
            script: script.name,
            version: version.name,
            status: taken.ended === 'finished' ? 'done' : 'done-failed',
            runId: taken.runId,
            metrics: {},
          });
          context.onEvent({
            type: 'version-skipped',
            script: script.name,
            version: version.name,
            reason: taken.ended,
          });
        }
        continue;
      }
      await runClaimed(context, report, described, version, taken);
    }
    return blocked ? 'blocked' : 'done';
  });
  files.log(`pipeline ${context.signal.aborted ? 'interrupted' : 'done'}`);
  report.interrupted = context.signal.aborted;
  return report;
}

/** Runs a claimed version as a run of the store, and writes its lines to the per-host files. */
async function runClaimed(
  context: ExecutionContext,
  report: PipelineReport,
  described: DescribedScript,
  version: DescribedVersion,
  held: HeldClaim<VersionClaim>,
): Promise<void> {
  const { config, store, files } = context;
  const claim = held.claim;
  const name = `${described.script.name}:${version.name}`;
  const dirName =
    version.modelDirSuffix === undefined
      ? described.script.name
      : `${described.script.name}-${version.modelDirSuffix}`;
  const lease = holdLease(store, held, context.heartbeatIntervalSeconds);
  let logger: Run;
  try {
    logger = await startRun({
      store,
      project: config.project,
      name,
      origin: 'pipeline',
      pipelineScript: described.script.name,
      pipelineVersion: version.name,
      ...(described.kind === 'experiment' && { experiment: described.script.name }),
      hyperparameters: version.parameters,
      runId: claim.runId,
      captureLog: true,
      closeOnExit: false,
      cwd: config.folder,
      heartbeatIntervalSeconds: context.heartbeatIntervalSeconds,
      command: ['ml-tracking', 'pipeline', '-r', '--config', config.file, '--rerun', name],
    });
  } catch (error) {
    // The run exists: another process took the version over and fenced this attempt.
    if (error instanceof ValidationError && error.parameter === 'runId') {
      await lease.end('done');
      files.log('taken over by another process before it started here', name);
      return;
    }
    await lease.end('released').catch(() => false);
    throw error;
  }
  // Losing the lease means another process runs this version now: this attempt stops at once and
  // its run reads lost (never failed, which would count as the version's result).
  const onLost = () => {
    const reason = (lease.lost.reason as Error).message;
    files.log(`stopped: ${reason}`, name);
    void logger.finish({ status: 'lost', error: reason }).catch(() => undefined);
  };
  lease.lost.addEventListener('abort', onLost, { once: true });
  files.log(
    `started run ${logger.id}${claim.attempt > 1 ? ` (attempt ${claim.attempt})` : ''}`,
    name,
  );
  const signal = AbortSignal.any([context.signal, lease.lost]);
  const outcome = await runOne({ ...context, signal }, report, described, version, {
    logger,
    storeUrl: store.url,
    modelDir: join(config.checkpointDir, dirName),
    outputs: { kind: 'store', modelDirName: dirName },
    store,
    leaseLost: lease.lost,
  });
  if (outcome.status === 'failed') {
    files.log(
      `failed: ${outcome.error ?? 'failed'}${outcome.detail ? `\n${outcome.detail}` : ''}`,
      name,
    );
  } else if (outcome.status === 'finished') {
    files.log(`finished: ${JSON.stringify(outcome.metrics)}`, name);
  }
  files.output({
    at: new Date().toISOString(),
    project: config.project,
    script: described.script.name,
    version: version.name,
    run_id: logger.id,
    status: outcome.status,
    seconds: outcome.seconds,
    metrics: outcome.metrics,
    ...(outcome.error !== undefined && { error: outcome.error }),
  });
  lease.lost.removeEventListener('abort', onLost);
  // An interrupted version is given back: the next pipeline run takes it as a new attempt.
  await lease.end(context.signal.aborted ? 'released' : 'done');
  await files.flush();
}
