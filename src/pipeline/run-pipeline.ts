/**
 * `runPipeline()`: runs the versions of the model scripts the list lets run, in test mode (a
 * rehearsal: nothing recorded, the first error stops it) or execution mode (a run per version,
 * per-host log and output files; an error is logged and the pipeline goes on). In execution mode
 * any number of processes, on any number of machines, share one pipeline through the store: each
 * version is claimed before it runs (see `runs/pipeline-records.ts`), a finished one is not run
 * again, and one whose process died is.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ValidationError } from '../errors.js';
import { sleep } from '../_sleep.js';
import type { ExperimentLogger } from '../runs/experiment-logger.js';
import { createTimeSortableId } from '../runs/ids.js';
import { createClaim, replaceClaim, type HeldClaim } from '../coordination/claims.js';
import { fenceRun } from '../coordination/fence-run.js';
import { holdLease } from '../coordination/lease.js';
import { checkHeartbeatSeconds } from '../coordination/liveness.js';
import { processLabel, thisProcess } from '../coordination/process-identity.js';
import { createStoreClock, type StoreClock } from '../coordination/store-clock.js';
import { pipelineClaimPath } from '../layout/paths.js';
import type { VersionClaim } from '../runs/pipeline-records.js';
import { startDryRun, startRun } from '../runs/start-run.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { PipelineFiles } from './_pipeline-files.js';
import { readQueue, type Queue } from './_queue.js';
import { readVersionState } from './_version-state.js';
import type { ModelScript } from './model-scripts.js';
import { readPipelineConfig, type PipelineConfig } from './pipeline-config.js';
import type { PipelineMode } from './pipeline-model.js';
import { parseRerun, type Rerun } from './rerun.js';
import { runOrder } from './versions.js';
import {
  describeScript,
  PipelineScriptError,
  runVersionProcess,
  type DescribedScript,
  type DescribedVersion,
} from './version-process.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The configuration file. @default `<cwd>/ml-tracking.pipeline.json` */
  config?: string;
  /** @default process.cwd() */
  cwd?: string;
  /** `execution` records a run per version (`-r`). @default 'test' */
  mode?: PipelineMode;
  /**
   * Where execution mode records (test mode opens no store). A local folder or `gs://`: the
   * versions run in child processes, which open it again.
   * @default ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /**
   * Execution mode: `script` or `script:version` to run again though it ended (each once per
   * call), e.g. `['iris_forest:large']`.
   */
  rerun?: readonly string[];
  /** Aborting stops the running version (its run fails and its claim is given back). */
  signal?: AbortSignal;
  /** Called with what the pipeline does: versions started and ended, epochs, log lines. */
  onEvent?: (event: PipelineEvent) => void;
  /**
   * Heartbeat of the versions' runs; a version whose process died elsewhere is run again once
   * its run has missed 4. @default ML_TRACKING_HEARTBEAT_SECONDS, else 10
   */
  heartbeatIntervalSeconds?: number;
}

/** What the pipeline is doing, for progress. */
export type PipelineEvent =
  | { type: 'queue'; listFile: string; scripts: string[] }
  | { type: 'version-started'; script: string; version: string; runId?: string; epochCount: number }
  | {
      type: 'epoch';
      script: string;
      version: string;
      epoch: number;
      epochCount: number;
      step: number;
      elapsedMs: number;
    }
  | {
      type: 'version-ended';
      script: string;
      version: string;
      runId?: string;
      status: 'finished' | 'failed';
      elapsedMs: number;
      metrics: Record<string, number>;
      error?: string;
    }
  | { type: 'version-skipped'; script: string; version: string; reason: 'finished' | 'failed' }
  | { type: 'script-failed'; script: string; error: string }
  | { type: 'output'; script: string; version: string; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'list-changed'; added: string[]; removed: string[] }
  | { type: 'list-error'; error: string }
  | { type: 'waiting'; running: string[] };

/** One version in the report. */
export interface VersionReport {
  script: string;
  version: string;
  /**
   * `finished`/`failed`: this call ran it. `done`/`done-failed`: it had ended before (execution
   * mode), and was left alone.
   */
  status: 'finished' | 'failed' | 'done' | 'done-failed';
  runId?: string;
  metrics: Record<string, number>;
  seconds?: number;
  error?: string;
}

/** What one call did. */
export interface PipelineReport {
  mode: PipelineMode;
  project: string;
  /** The store recorded into (execution mode). */
  store?: string;
  versions: VersionReport[];
  /** Scripts that could not be loaded (execution mode goes on without them). */
  scriptErrors: { script: string; error: string }[];
  /** Stopped by its signal before the queue was done. */
  interrupted: boolean;
}

/**
 * Runs the pipeline configured in `ml-tracking.pipeline.json`.
 * @throws ValidationError for a bad configuration, list or `rerun`, before anything runs;
 *   PipelineScriptError in test mode for the first script or version that fails (naming both).
 * @example await runPipeline({ mode: 'execution', store: 'gs://bucket/ml' });
 */
export async function runPipeline(options: RunPipelineOptions = {}): Promise<PipelineReport> {
  const mode = options.mode ?? 'test';
  // Checked for JavaScript callers, whom the type does not hold.
  if (!['test', 'execution'].includes(mode)) {
    throw new ValidationError('mode', `"${mode}" is not a mode`, 'Use "test" or "execution".');
  }
  const cwd = options.cwd ?? process.cwd();
  const config = await readPipelineConfig({
    cwd,
    ...(options.config !== undefined && { config: options.config }),
  });
  const queue = await readQueue(config, mode);
  const reruns = (options.rerun ?? []).map((text) => parseRerun(text));
  if (reruns.length > 0 && mode === 'test') {
    throw new ValidationError(
      'rerun',
      'test mode runs every version anyway and records nothing',
      'Use --rerun with -r (execution mode), or leave it out.',
    );
  }
  for (const rerun of reruns) {
    if (!queue.scripts.some((script) => script.name === rerun.script)) {
      throw new ValidationError(
        'rerun',
        `"${rerun.script}" is not in the queue of ${queue.listFile}`,
        `Name one of: ${queue.scripts.map((script) => script.name).join(', ') || '(the queue is empty)'}.`,
      );
    }
  }
  const heartbeatIntervalSeconds = checkHeartbeatSeconds(options.heartbeatIntervalSeconds);
  const context = {
    config,
    mode,
    reruns,
    heartbeatIntervalSeconds,
    signal: options.signal ?? new AbortController().signal,
    onEvent: options.onEvent ?? (() => undefined),
  };
  if (mode === 'test') return runTestMode(context, queue);
  return withStore(
    options.store,
    async (store) => {
      if (store.kind === 'memory' || store.url.startsWith('memory:')) {
        throw new ValidationError(
          'store',
          `${store.url} is a memory store, which the versions' processes cannot open`,
          'Record into a local folder or a gs:// store.',
        );
      }
      const files = new PipelineFiles(store, hostLabel(), processLabel());
      try {
        const clock = createStoreClock(store);
        return await runExecutionMode({ ...context, store, files, clock }, queue);
      } finally {
        await files.flush();
      }
    },
    { cwd },
  );
}

interface Context {
  config: PipelineConfig;
  mode: PipelineMode;
  reruns: Rerun[];
  heartbeatIntervalSeconds: number;
  signal: AbortSignal;
  onEvent: (event: PipelineEvent) => void;
}

interface ExecutionContext extends Context {
  store: Store;
  files: PipelineFiles;
  /** The store's clock: leases are judged by it. */
  clock: StoreClock;
}

/** The host as it names the per-host files: characters a store path takes. */
const hostLabel = (): string => hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'host';

/** Every version of every script, once, in a temporary folder; the first failure stops it. */
async function runTestMode(context: Context, first: Queue): Promise<PipelineReport> {
  const report = emptyReport(context);
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-pipeline-test-'));
  try {
    await eachScript(context, first, undefined, async (script) => {
      const described = await describeScript(script, context.config.folder);
      for (const version of runOrder(described.versions)) {
        if (context.signal.aborted) return 'done';
        // The model folder is emptied before each version: no version sees another's files.
        await rm(root, { recursive: true, force: true });
        await mkdir(root, { recursive: true });
        const outcome = await runOne(context, report, described, version, {
          logger: startDryRun({
            project: context.config.project,
            name: `${script.name}:${version.name}`,
            hyperparameters: version.parameters,
          }),
          storeUrl: 'memory://ml-tracking-pipeline-test-mode',
          modelDir: join(root, 'model'),
          outputs: { kind: 'local', folder: join(root, 'outputs') },
        });
        // An interrupted version is no failure of its own: the pipeline just stops.
        if (outcome.status === 'failed' && !interrupted(context.signal)) {
          throw new PipelineScriptError(script.name, version.name, outcome.error ?? 'failed', {
            code: 'ERR_PIPELINE_VERSION',
            detail: outcome.detail ?? '',
          });
        }
      }
      return 'done';
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  report.interrupted = context.signal.aborted;
  return report;
}

/** Takes versions no process has run until the queue is done everywhere. */
async function runExecutionMode(context: ExecutionContext, first: Queue): Promise<PipelineReport> {
  const report: PipelineReport = { ...emptyReport(context), store: context.store.url };
  const startedAt = new Date();
  const { files } = context;
  files.log(
    `pipeline started (execution mode, project ${context.config.project}, ${first.listFile})`,
  );
  await eachScript(context, first, files, async (script) => {
    let described: DescribedScript;
    try {
      described = await describeScript(script, context.config.folder);
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

/**
 * Goes through the queue, re-reading the list after each model; a model whose versions another
 * process is running is come back to after a wait (that process may die, and its version must
 * still run).
 */
async function eachScript(
  context: Context,
  first: Queue,
  files: PipelineFiles | undefined,
  handle: (script: ModelScript) => Promise<'done' | 'blocked'>,
): Promise<void> {
  let queue = first;
  context.onEvent({
    type: 'queue',
    listFile: queue.listFile,
    scripts: queue.scripts.map((s) => s.name),
  });
  const done = new Set<string>();
  const blocked = new Set<string>();
  const waitMs = Math.min(5000, context.heartbeatIntervalSeconds * 1000);
  while (!context.signal.aborted) {
    const next = queue.scripts.find(
      (script) => !done.has(script.name) && !blocked.has(script.name),
    );
    if (next === undefined) {
      if (blocked.size === 0) return;
      context.onEvent({ type: 'waiting', running: [...blocked] });
      await sleep(waitMs, context.signal);
      blocked.clear();
    } else {
      const outcome = await handle(next);
      (outcome === 'done' ? done : blocked).add(next.name);
    }
    queue = await reread(context, queue, files);
  }
}

/** The list again; a list broken mid-run is reported and the last good one kept. */
async function reread(
  context: Context,
  queue: Queue,
  files: PipelineFiles | undefined,
): Promise<Queue> {
  try {
    const next = await readQueue(context.config, context.mode);
    const before = queue.scripts.map((script) => script.name);
    const after = next.scripts.map((script) => script.name);
    const added = after.filter((name) => !before.includes(name));
    const removed = before.filter((name) => !after.includes(name));
    if (added.length > 0 || removed.length > 0) {
      context.onEvent({ type: 'list-changed', added, removed });
      files?.log(
        `${next.listFile} changed: added ${added.join(', ') || 'none'}; removed ${removed.join(', ') || 'none'}`,
      );
    }
    return next;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.onEvent({ type: 'list-error', error: message });
    files?.log(`the list cannot be read, the last good one is kept: ${message}`);
    if (context.mode === 'test') throw error;
    return queue;
  }
}

/**
 * Claims a version: a new claim when none exists, a take-over when its lease expired or it was
 * given back, or when `--rerun` names it and it ended before this call began. Otherwise says
 * where it stands.
 */
async function takeVersion(
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
    heartbeatIntervalSeconds: 0,
    host: '',
    hyperparameters: {},
    summary: {},
    predictionIds: [],
    scalarsUri: '',
  };
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
  let logger: ExperimentLogger;
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
  });
  if (outcome.status === 'failed') {
    files.log(
      `failed: ${outcome.error ?? 'failed'}${outcome.detail ? `\n${outcome.detail}` : ''}`,
      name,
    );
  } else {
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

interface RunOneOutcome {
  status: 'finished' | 'failed';
  metrics: Record<string, number>;
  seconds: number;
  error?: string;
  detail?: string;
}

/** Runs one version in its process, reports its progress, and ends its run. */
async function runOne(
  context: Context & { files?: PipelineFiles },
  report: PipelineReport,
  described: DescribedScript,
  version: DescribedVersion,
  target: {
    logger: ExperimentLogger;
    storeUrl: string;
    modelDir: string;
    outputs: { kind: 'store'; modelDirName: string } | { kind: 'local'; folder: string };
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
    folder: context.config.folder,
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
  await target.logger.finish(
    outcome.status === 'finished'
      ? {}
      : { status: 'failed', error: outcome.error?.message ?? 'failed' },
  );
  const seconds = Math.round(elapsedMs()) / 1000;
  const entry: VersionReport = {
    script,
    version: version.name,
    status: outcome.status,
    metrics: outcome.metrics,
    seconds,
    ...(runId !== undefined && { runId }),
    ...(outcome.error !== undefined && { error: outcome.error.message }),
  };
  report.versions.push(entry);
  context.onEvent({
    type: 'version-ended',
    script,
    version: version.name,
    status: outcome.status,
    elapsedMs: elapsedMs(),
    metrics: outcome.metrics,
    ...(runId !== undefined && { runId }),
    ...(outcome.error !== undefined && { error: outcome.error.message }),
  });
  return {
    status: outcome.status,
    metrics: outcome.metrics,
    seconds,
    ...(outcome.error !== undefined && {
      error: outcome.error.message,
      detail: outcome.error.detail,
    }),
  };
}

function emptyReport(context: Context): PipelineReport {
  return {
    mode: context.mode,
    project: context.config.project,
    versions: [],
    scriptErrors: [],
    interrupted: false,
  };
}

/** Read through a call: a signal can be aborted while a version runs, which narrowing ignores. */
const interrupted = (signal: AbortSignal): boolean => signal.aborted;
