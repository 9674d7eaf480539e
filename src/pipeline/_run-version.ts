/**
 * One version run in its own process, in either mode: its progress as events, its run ended
 * with the outcome, and its line in the report.
 */
import { performance } from 'node:perf_hooks';
import type { Run } from '../runs/experiment-logger.js';
import type { Store } from '../store/types.js';
import type { Context } from './_pipeline-context.js';
import type { PipelineFiles } from './_pipeline-files.js';
import type { PipelineReport, VersionReport } from './pipeline-report.js';
import {
  runVersionProcess,
  type DescribedScript,
  type DescribedVersion,
} from './version-process.js';

export interface RunOneOutcome {
  status: 'finished' | 'failed' | 'lost';
  metrics: Record<string, number>;
  seconds: number;
  error?: string;
  detail?: string;
}

/** Runs one version in its process, reports its progress, and ends its run. */
export async function runOne(
  context: Context & { files?: PipelineFiles },
  report: PipelineReport,
  described: DescribedScript,
  version: DescribedVersion,
  target: {
    logger: Run;
    storeUrl: string;
    modelDir: string;
    outputs: { kind: 'store'; modelDirName: string } | { kind: 'local'; folder: string };
    /** Execution mode's store (a Python version's outputs are copied into it at its end). */
    store?: Store;
    /**
     * Execution mode's lease. Once lost, another process runs the version: this attempt ends
     * `lost` with the lease's reason, not `failed` (it was neither the version's result nor an
     * interruption).
     */
    leaseLost?: AbortSignal;
  },
): Promise<RunOneOutcome> {
  const script = described.script.name;
  const runId = context.mode === 'execution' ? target.logger.id : undefined;
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  context.onEvent({
    type: 'version-started',
    script,
    version: version.name,
    epochCount: version.epochCount,
    ...(runId !== undefined && { runId }),
  });
  let epoch = 0;
  const outcome = await runVersionProcess({
    script: described.script,
    version: version.name,
    job: {
      mode: context.mode,
      project: context.config.project,
      modelDir: target.modelDir,
      outputs: target.outputs,
    },
    logger: target.logger,
    storeUrl: target.storeUrl,
    runtime: context.config,
    ...(target.store !== undefined && { store: target.store }),
    signal: context.signal,
    onOutput: (line, stream) => {
      context.files?.log(line, `${script}:${version.name}`);
      context.onEvent({ type: 'output', script, version: version.name, line, stream });
    },
    onStep: (step, stepsPerEpoch) => {
      // `step` counts the steps done: steps 1…n of an epoch of n belong to it (step 0 to the first).
      const now = Math.min(version.epochCount, Math.max(1, Math.ceil(step / stepsPerEpoch)));
      if (now === epoch) return;
      epoch = now;
      context.onEvent({
        type: 'epoch',
        script,
        version: version.name,
        epoch,
        epochCount: version.epochCount,
        step,
        elapsedMs: elapsedMs(),
      });
    },
  });
  const lostReason =
    target.leaseLost?.aborted === true ? (target.leaseLost.reason as Error).message : undefined;
  const status = lostReason === undefined ? outcome.status : 'lost';
  const error = lostReason ?? outcome.error?.message;
  await target.logger.finish(status === 'finished' ? {} : { status, error: error ?? 'failed' });
  const seconds = Math.round(elapsedMs()) / 1000;
  const entry: VersionReport = {
    script,
    version: version.name,
    status,
    metrics: outcome.metrics,
    seconds,
    ...(runId !== undefined && { runId }),
    ...(error !== undefined && { error }),
  };
  report.versions.push(entry);
  context.onEvent({
    type: 'version-ended',
    script,
    version: version.name,
    status,
    elapsedMs: elapsedMs(),
    metrics: outcome.metrics,
    ...(runId !== undefined && { runId }),
    ...(error !== undefined && { error }),
  });
  return {
    status,
    metrics: outcome.metrics,
    seconds,
    ...(error !== undefined && { error }),
    ...(lostReason === undefined &&
      outcome.error !== undefined && { detail: outcome.error.detail }),
  };
}
