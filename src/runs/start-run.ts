/**
 * `startRun()`: opens a run in the store and returns its logger. Inside a program that
 * `ml-tracking exec` or a sweep started, it joins the run its parent opened instead, and reports
 * through the line protocol on standard output (the parent writes the store).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debug } from '../_debug.js';
import { ValidationError } from '../errors.js';
import { checkHeartbeatSeconds, HEARTBEAT_VARIABLE } from '../records/liveness.js';
import { runLogPath, scalarsPath, storeObjectUri } from '../layout/paths.js';
import type { RunOrigin } from '../layout/tables.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readRunContext } from '../tracking/run-context.js';
import { checkHyperparameters } from './_check-hyperparameters.js';
import { closeOnExit, forget } from './_exit-hooks.js';
import { Run } from './experiment-logger.js';
import { createTimeSortableId, generateRunName, isTimeSortableId } from './ids.js';
import { DiscardRunWriter, ProtocolRunWriter, StoreRunWriter } from './_run-writer.js';
import type { JsonValue, RunProvenance, RunRecord } from './run-record.js';
import { uploadJournal } from './upload-journal.js';

/** Environment variables through which a parent process hands its run to a child. */
export const RUN_ENVIRONMENT = {
  runId: 'ML_TRACKING_RUN_ID',
  /** `stdout`: report through the line protocol on standard output. */
  protocol: 'ML_TRACKING_PROTOCOL',
  project: 'ML_TRACKING_PROJECT',
  sweepId: 'ML_TRACKING_SWEEP_ID',
  trial: 'ML_TRACKING_TRIAL',
  store: 'ML_TRACKING_STORE',
  heartbeatSeconds: HEARTBEAT_VARIABLE,
} as const;

/**
 * Options of {@link startRun}. The provenance fields (sweep, trial, experiment, pipeline,
 * `command`) are for tools that start runs; `command` defaults to `process.argv` for a logger.
 */
export interface StartRunOptions extends RunProvenance {
  /** Project name; slugified like `logExperiment`'s. */
  project: string;
  /** A name for people. @default a generated one such as `brave-otter-42` */
  name?: string;
  /** Hyperparameters: a JSON-able object. @default {} */
  hyperparameters?: Record<string, JsonValue>;
  /**
   * Where to record: a store URL or an opened store.
   * @default process.env.ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /** Working directory for the git commit and a relative store path. @default process.cwd() */
  cwd?: string;
  /**
   * How often buffered scalars are written; never less than the store's `updateIntervalMs` (a
   * second on GCS). @default 1200 on GCS (a margin over its limit), 500 otherwise
   */
  flushIntervalMs?: number;
  /**
   * How often, at least, the record is rewritten as a sign of life; a running run silent for
   * 4 intervals reads as `lost`. @default ML_TRACKING_HEARTBEAT_SECONDS, else 10
   */
  heartbeatIntervalSeconds?: number;
  /**
   * Close the run on a normal exit (finished), SIGINT or SIGTERM (failed) when `finish()` was
   * not called. @default true
   */
  closeOnExit?: boolean;
  /** For tools that start runs (sweeps, exec, experiments, pipelines): what started it. @default 'logger' */
  origin?: RunOrigin;
  /** A run id made beforehand with the same shape. @default a new one */
  runId?: string;
  /** Keep the process output given to the logger as the run's log. @default false */
  captureLog?: boolean;
}

/**
 * Starts a run and returns its logger.
 * @example
 * const run = await startRun({ project: 'soil texture', hyperparameters: { lr: 1e-3 } });
 * for (let step = 0; step < 100; step++) run.addScalar('loss', loss(step), step);
 * await run.finish();
 */
export async function startRun(options: StartRunOptions): Promise<Run> {
  const project = slugifyProject(options.project);
  const name = checkName(options.name);
  const hyperparameters = checkHyperparameters(options.hyperparameters);
  const heartbeatSeconds = checkHeartbeatSeconds(options.heartbeatIntervalSeconds);
  const now = new Date();
  const joined = process.env[RUN_ENVIRONMENT.runId];
  if (process.env[RUN_ENVIRONMENT.protocol] === 'stdout' && joined && isTimeSortableId(joined)) {
    return joinParentRun(joined, project, name, hyperparameters, heartbeatSeconds, now);
  }
  const store =
    typeof options.store === 'object'
      ? options.store
      : await openStore(options.store, options.cwd === undefined ? {} : { cwd: options.cwd });
  const context = await readRunContext(options.cwd ?? process.cwd(), {
    exclude: store.kind === 'local' ? [fileURLToPath(store.url)] : [],
  });
  const id = options.runId ?? createTimeSortableId(now);
  const writer = new StoreRunWriter(store, id);
  // The record is rewritten on flush ticks: ticks come at least once a heartbeat, and a heartbeat
  // shorter than the store allows (GCS: a second) is stretched, so that readers never see a
  // live run as lost.
  const flushIntervalMs = Math.max(
    options.flushIntervalMs ??
      Math.min(Math.max(500, store.updateIntervalMs * 1.2), heartbeatSeconds * 1000),
    writer.minIntervalMs,
  );
  const heartbeatIntervalSeconds = Math.max(heartbeatSeconds, flushIntervalMs / 1000);
  const record: RunRecord = {
    id,
    project,
    name: name ?? generateRunName(),
    status: 'running',
    origin: options.origin ?? 'logger',
    startedAt: now,
    heartbeatAt: now,
    heartbeatIntervalSeconds,
    host: context.host,
    hyperparameters,
    summary: {},
    predictionIds: [],
    scalarsUri: storeObjectUri(store.url, scalarsPath(id)),
    command: options.command ?? (options.origin === undefined ? [...process.argv] : []),
  };
  // A command's relative paths (`python train.py`) mean something only in its folder.
  if (record.command !== undefined && record.command.length > 0) {
    record.workingDirectory = resolve(options.workingDirectory ?? options.cwd ?? process.cwd());
  }
  if (context.gitCommit !== undefined) record.gitCommit = context.gitCommit;
  if (context.gitDirty !== undefined) record.gitDirty = context.gitDirty;
  if (options.sweepId !== undefined) record.sweepId = options.sweepId;
  if (options.trial !== undefined) record.trial = options.trial;
  if (options.experiment !== undefined) record.experiment = options.experiment;
  if (options.pipelineScript !== undefined) record.pipelineScript = options.pipelineScript;
  if (options.pipelineVersion !== undefined) record.pipelineVersion = options.pipelineVersion;
  if (options.captureLog) record.logUri = storeObjectUri(store.url, runLogPath(id));
  if (record.command?.length === 0) delete record.command;

  if (!(await writer.create(record, options.captureLog ?? false))) {
    throw new ValidationError(
      'runId',
      `run ${id} already exists in ${store.url}`,
      'Leave runId out to get a new id.',
    );
  }
  const ownsStore = typeof options.store !== 'object';
  const uploading = uploadJournalInBackground(store);
  const logger = new Run(
    record,
    writer,
    { flushIntervalMs, heartbeatIntervalMs: heartbeatIntervalSeconds * 1000 },
    (ended) => {
      forget(ended);
      if (ownsStore) void uploading.then(() => store.close());
    },
  );
  if (options.closeOnExit ?? true) closeOnExit(logger);
  return logger;
}

/**
 * Uploads, without holding up the run, what earlier processes left in the local journal for this
 * store (their process ended before their last points reached it). Never rejects: what fails
 * stays in the journal for the next time or `ml-tracking sync`.
 */
function uploadJournalInBackground(store: Store): Promise<void> {
  if (store.kind === 'memory') return Promise.resolve();
  return uploadJournal({ store }).then(
    (report) => {
      for (const failed of report.failed) {
        debug(`journal entry of run ${failed.runId} not uploaded yet: ${failed.error}`);
      }
    },
    (error: unknown) => {
      debug(`cannot upload the journal of ${store.url}: ${String(error)}`);
    },
  );
}

function joinParentRun(
  id: string,
  project: string,
  name: string | undefined,
  hyperparameters: Record<string, JsonValue>,
  heartbeatSeconds: number,
  now: Date,
): Run {
  const record: RunRecord = {
    id,
    project: nonEmpty(process.env[RUN_ENVIRONMENT.project]) ?? project,
    name: name ?? '',
    status: 'running',
    origin: 'logger',
    startedAt: now,
    heartbeatAt: now,
    heartbeatIntervalSeconds: heartbeatSeconds,
    host: hostname(),
    hyperparameters: {},
    summary: {},
    predictionIds: [],
    scalarsUri: '',
  };
  const logger = new Run(
    record,
    new ProtocolRunWriter(),
    // Lines go to the parent often (it decides early stopping on them); it batches the writes.
    { flushIntervalMs: 100, heartbeatIntervalMs: heartbeatSeconds * 1000 },
    forget,
  );
  // The parent already has the sampled values; these are what the program itself reports.
  if (Object.keys(hyperparameters).length > 0) logger.setHyperparameters(hyperparameters);
  closeOnExit(logger);
  return logger;
}

function checkName(name: unknown): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200 || /[\n\r]/.test(name)) {
    throw new ValidationError(
      'name',
      `${JSON.stringify(name)} is not a run name`,
      'Pass a non-empty name of at most 200 characters on one line, or leave it out.',
    );
  }
  return name.trim();
}

const nonEmpty = (text: string | undefined): string | undefined => (text === '' ? undefined : text);

/**
 * A run that records nothing anywhere: it checks what is logged to it as a real run does, keeps
 * its summary in memory, and writes nothing (a pipeline's test mode, which must leave the store
 * as it was).
 */
export function startDryRun(options: {
  project: string;
  name: string;
  hyperparameters?: Record<string, JsonValue>;
}): Run {
  const now = new Date();
  const record: RunRecord = {
    id: createTimeSortableId(now),
    project: slugifyProject(options.project),
    name: options.name,
    status: 'running',
    origin: 'pipeline',
    startedAt: now,
    heartbeatAt: now,
    heartbeatIntervalSeconds: 3600,
    host: hostname(),
    hyperparameters: checkHyperparameters(options.hyperparameters),
    summary: {},
    predictionIds: [],
    scalarsUri: '',
  };
  return new Run(record, new DiscardRunWriter(), {
    flushIntervalMs: 1000,
    heartbeatIntervalMs: 3_600_000,
  });
}
