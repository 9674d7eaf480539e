/**
 * One trial of a sweep: its run, its subprocess, and the early-stopping rule applied to what the
 * subprocess reports.
 */
import { ValidationError } from '../errors.js';
import type { Run } from '../runs/experiment-logger.js';
import { endingOf, runCommand, type RunningCommand } from '../runs/run-command.js';
import type { RunRecord } from '../runs/run-record.js';
import { RUN_ENVIRONMENT, startRun } from '../runs/start-run.js';
import type { SweepDescription, TrialClaim } from '../records/sweep-records.js';
import type { HeldClaim } from '../records/claims.js';
import { holdLease } from '../records/lease.js';
import type { Store } from '../store/types.js';
import { EarlyStopping } from './early-stopping.js';
import { sampleTrial, type HyperparameterValue } from './sampling.js';
import type { SweepConfig } from './sweep-config.js';
import { trialArgv } from './trial-command.js';

/** Something an agent reports while it works (the CLI prints these). */
export type SweepEvent =
  | {
      type: 'trial-started';
      trial: number;
      runId: string;
      values: Record<string, HyperparameterValue>;
    }
  | {
      type: 'trial-ended';
      trial: number;
      runId: string;
      status: RunRecord['status'];
      best?: number;
      /** Why a failed trial failed, as its record says. */
      error?: string;
    }
  | { type: 'output'; trial: number; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'warning'; trial: number; message: string }
  | { type: 'waiting'; running: number };

/** What {@link runTrial} needs. */
export interface TrialOptions {
  store: Store;
  description: SweepDescription;
  config: SweepConfig;
  trial: number;
  /** The claim this agent holds on the trial: renewed while it runs, ended with it. */
  held: HeldClaim<TrialClaim>;
  /** Folder the trial runs in (where its script is). */
  folder: string;
  heartbeatIntervalSeconds: number;
  /**
   * Aborting stops the trial (SIGTERM, then SIGKILL after the grace period); its run fails and its
   * trial goes back to the queue (a new attempt).
   */
  signal: AbortSignal;
  onEvent: (event: SweepEvent) => void;
}

/**
 * Runs one trial to its end and resolves its final record, or `undefined` when the trial was
 * taken over before its run could start (this agent had been given up on).
 */
export async function runTrial(options: TrialOptions): Promise<RunRecord | undefined> {
  const { config, description, trial, store } = options;
  const ended = (record: RunRecord): RunRecord => {
    const metric = config.optimizationMetric && record.summary[config.optimizationMetric];
    options.onEvent({
      type: 'trial-ended',
      trial,
      runId: record.id,
      status: record.status,
      ...(metric && { best: config.optimizationGoal === 'min' ? metric.min : metric.max }),
      ...(record.error !== undefined && { error: record.error }),
    });
    return record;
  };
  const lease = holdLease(store, options.held, options.heartbeatIntervalSeconds);
  const values = sampleTrial(config, description.seed, trial);
  const command = trialArgv({
    command: config.command,
    mainScriptName: config.mainScriptName,
    folder: options.folder,
    values,
    storeUrl: store.url,
  });
  let logger: Run;
  try {
    logger = await startRun({
      store,
      project: description.project,
      name: `trial-${trial}`,
      hyperparameters: values,
      origin: 'sweep',
      runId: options.held.claim.runId,
      sweepId: description.sweepId,
      trial,
      command,
      // The trial runs in the configuration's folder: its git state, and where to run it again.
      cwd: options.folder,
      captureLog: true,
      closeOnExit: false,
      heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
    });
  } catch (error) {
    // The run exists already: another agent took the trial over and fenced this attempt.
    if (error instanceof ValidationError && error.parameter === 'runId') {
      await lease.end('done');
      options.onEvent({
        type: 'warning',
        trial,
        message: `trial ${trial} was taken over by another agent before it started here`,
      });
      return undefined;
    }
    await lease.end('released').catch(() => false);
    throw error;
  }
  options.onEvent({ type: 'trial-started', trial, runId: logger.id, values });
  const graceMs = config.earlyStoppingGraceSeconds * 1000;
  const rule =
    config.earlyStopping && config.optimizationGoal && config.earlyStoppingPatience
      ? new EarlyStopping(config.optimizationGoal, config.earlyStoppingPatience)
      : undefined;
  let stoppedEarly = false as boolean;
  let running: RunningCommand;
  try {
    running = runCommand({
      command,
      logger,
      storeUrl: store.url,
      cwd: options.folder,
      env: {
        [RUN_ENVIRONMENT.sweepId]: description.sweepId,
        [RUN_ENVIRONMENT.trial]: String(trial),
      },
      // Its own process group: stopping a trial stops whatever the script started too, and
      // a Ctrl-C in the terminal reaches the agent, which stops the trials itself.
      ownProcessGroup: true,
      stdin: 'ignore',
      onOutput: (line, stream) => {
        options.onEvent({ type: 'output', trial, line, stream });
      },
      onScalar: (tag, value) => {
        if (stoppedEarly || rule === undefined || tag !== config.optimizationMetric) return;
        if (rule.observe(value)) {
          stoppedEarly = true;
          logger.appendLog(
            `[ml-tracking] early stopping: ${tag} has not improved for ${config.earlyStoppingPatience} values\n`,
          );
          void running.terminate(graceMs);
        }
      },
    });
  } catch (error) {
    await lease.end('done');
    return ended(await logger.finish({ error }));
  }
  const stop = () => void running.terminate(graceMs);
  // Losing the lease means another agent runs this trial now: stop at once, so that it runs once.
  const stopLost = () => {
    logger.appendLog(`[ml-tracking] stopped: ${(lease.lost.reason as Error).message}\n`);
    void running.terminate(0);
  };
  options.signal.addEventListener('abort', stop, { once: true });
  lease.lost.addEventListener('abort', stopLost, { once: true });
  // An abort that came while the run was being started has fired already: stop the trial now.
  if (options.signal.aborted) stop();
  try {
    const outcome = await running.done;
    for (const message of outcome.warnings) {
      logger.appendLog(`[ml-tracking] warning: ${message}\n`);
      options.onEvent({ type: 'warning', trial, message });
    }
    const interrupted = options.signal.aborted && !stoppedEarly;
    const record = await logger.finish(
      lease.lost.aborted
        ? { status: 'lost', error: (lease.lost.reason as Error).message }
        : stoppedEarly
          ? { status: 'early_stopped' }
          : interrupted
            ? {
                status: 'failed',
                error: 'the sweep was interrupted; the trial goes back to the queue',
              }
            : endingOf(outcome),
    );
    // Only now is the trial done (or given back): an agent that dies before this line leaves a
    // claim that expires, and the trial is looked at again.
    await lease.end(interrupted ? 'released' : 'done');
    return ended(record);
  } catch (error) {
    // The program could not be started (or its output not read): the trial ended all the same.
    await lease.end('done').catch(() => false);
    return ended(await logger.finish({ error }));
  } finally {
    options.signal.removeEventListener('abort', stop);
    lease.lost.removeEventListener('abort', stopLost);
  }
}
