/**
 * `runPipeline()`: runs the versions of the model scripts the list lets run, in test mode (a
 * rehearsal: nothing recorded, the first error stops it) or execution mode (a run per version,
 * per-host log and output files; an error is logged and the pipeline goes on). In execution mode
 * any number of processes, on any number of machines, share one pipeline through the store: each
 * version is claimed before it runs (see `records/pipeline-records.ts`), a finished one is not run
 * again, and one whose process died is.
 *
 * This file checks the options and picks the mode; the modes are `_test-mode.ts` and
 * `_execution-mode.ts` (which takes versions through `_take-version.ts`), sharing the walk
 * through the queue (`_walk-queue.ts`) and the running of one version (`_run-version.ts`).
 */
import { hostname } from 'node:os';
import { ValidationError } from '../errors.js';
import { checkHeartbeatSeconds } from '../records/liveness.js';
import { processLabel } from '../records/process-identity.js';
import { createStoreClock } from '../records/store-clock.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { runExecutionMode } from './_execution-mode.js';
import { PipelineFiles } from './_pipeline-files.js';
import { readQueue } from './_queue.js';
import { runTestMode } from './_test-mode.js';
import { readPipelineConfig } from './pipeline-config.js';
import type { PipelineMode } from './pipeline-model.js';
import type { PipelineEvent, PipelineReport } from './pipeline-report.js';
import { parseRerun } from './rerun.js';

export type { PipelineEvent, PipelineReport, VersionReport } from './pipeline-report.js';

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

/** The host as it names the per-host files: characters a store path takes. */
const hostLabel = (): string => hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'host';
