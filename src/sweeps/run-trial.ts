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
import { replaceClaim, type HeldClaim } from '../records/claims.js';
import { holdLease } from '../records/lease.js';
import type { Store } from '../store/types.js';
import { EarlyStopping } from './early-stopping.js';
import { bracketOf, decideTermination, decisionPoint } from './early-terminate.js';
import {
  historyOf,
  readSweepProgress,
  rungValues,
  writeTrialProgress,
  type TrialProgress,
} from './sweep-progress.js';
import { suggestTrial, TPE_STARTUP_TRIALS } from './tpe.js';
import { sampleTrial, type HyperparameterValue } from './sampling.js';
import type { SweepConfig } from './sweep-config.js';
import { trialArgv } from './trial-command.js';
import { RELEASED_TRIAL_ERROR } from './_trial-attempts.js';

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
  const chosen = await chooseValues(options);
  if (chosen === undefined) {
    options.onEvent({
      type: 'warning',
      trial,
      message: `trial ${trial} was taken over by another agent before it started here`,
    });
    return undefined;
  }
  const { values, held } = chosen;
  const lease = holdLease(store, held, options.heartbeatIntervalSeconds);
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
      runId: held.claim.runId,
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
  const goal = config.optimizationGoal ?? 'max';
  const rule =
    config.earlyStopping && config.optimizationGoal && config.earlyStoppingPatience
      ? new EarlyStopping(config.optimizationGoal, config.earlyStoppingPatience)
      : undefined;
  const terminate = config.earlyTerminate;
  const bracket = terminate === undefined ? 0 : bracketOf(terminate, trial);
  // Other agents read this trial's values and best-so-far from here (TPE history, rung decisions).
  const progress: TrialProgress | undefined =
    config.method === 'tpe' || terminate !== undefined
      ? {
          trial,
          runId: logger.id,
          values,
          steps: {},
          state: 'running',
          ...(bracket === 0 ? {} : { bracket }),
        }
      : undefined;
  const shareProgress = async () => {
    if (progress !== undefined) await writeTrialProgress(store, description.sweepId, progress);
  };
  let decisions: Promise<void> = shareProgress().catch((error: unknown) => {
    options.onEvent({ type: 'warning', trial, message: progressWarning(error) });
  });
  let reports = 0;
  let best: number | undefined;
  let stopReason: string | undefined;
  let stoppedEarly = false as boolean;
  const stopEarly = (reason: string) => {
    if (stoppedEarly) return;
    stoppedEarly = true;
    stopReason = reason;
    logger.appendLog(`[ml-tracking] early stopping: ${reason}\n`);
    void running.terminate(graceMs);
  };
  /** Records this trial's value at a decision point, then decides from every trial's record. */
  const decideAt = async (step: number, value: number) => {
    if (stoppedEarly || terminate === undefined || progress === undefined) return;
    progress.steps[String(step)] = value;
    await shareProgress();
    const records = await readSweepProgress(store, description.sweepId);
    const others = rungValues(records, terminate, trial, step);
    const metric = config.optimizationMetric ?? 'metric';
    const decision = decideTermination(terminate, goal, metric, step, value, others, bracket);
    if (decision.stop) stopEarly(decision.reason);
  };
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
        if (stoppedEarly || tag !== config.optimizationMetric || !Number.isFinite(value)) return;
        reports += 1;
        best =
          best === undefined
            ? value
            : goal === 'max'
              ? Math.max(best, value)
              : Math.min(best, value);
        if (rule?.observe(value)) {
          stopEarly(
            `stopped by early_stopping at step ${reports}: ${tag} has not improved for ${config.earlyStoppingPatience} values`,
          );
          return;
        }
        if (terminate !== undefined && decisionPoint(terminate, reports, bracket) !== undefined) {
          const step = reports;
          const value = best;
          // One decision at a time, in step order; a failed read leaves the trial running.
          decisions = decisions
            .then(() => decideAt(step, value))
            .catch((error: unknown) => {
              options.onEvent({ type: 'warning', trial, message: progressWarning(error) });
            });
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
    await decisions;
    for (const message of outcome.warnings) {
      logger.appendLog(`[ml-tracking] warning: ${message}\n`);
      options.onEvent({ type: 'warning', trial, message });
    }
    const interrupted = options.signal.aborted && !stoppedEarly;
    const record = await logger.finish(
      lease.lost.aborted
        ? { status: 'lost', error: (lease.lost.reason as Error).message }
        : stoppedEarly
          ? { status: 'early_stopped', ...(stopReason === undefined ? {} : { error: stopReason }) }
          : interrupted
            ? {
                status: 'failed',
                error: RELEASED_TRIAL_ERROR,
              }
            : endingOf(outcome),
    );
    if (progress !== undefined && !interrupted && !lease.lost.aborted) {
      progress.state = 'ended';
      if (best !== undefined) progress.best = best;
      await shareProgress().catch((error: unknown) => {
        options.onEvent({ type: 'warning', trial, message: progressWarning(error) });
      });
    }
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

function progressWarning(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `the trial's progress could not be shared with the other agents (${detail}); it runs on without an early_terminate decision at this step`;
}

/**
 * The trial's hyperparameters, and the claim as now held. A tpe trial past the start-up ones is
 * suggested from the sweep's history and the suggestion written into its claim before its run
 * starts, so a take-over runs the same values; `undefined` when the claim was lost meanwhile.
 */
async function chooseValues(
  options: TrialOptions,
): Promise<
  { values: Record<string, HyperparameterValue>; held: HeldClaim<TrialClaim> } | undefined
> {
  const { config, description, trial, store, held } = options;
  if (held.claim.values !== undefined) return { values: held.claim.values, held };
  if (config.method !== 'tpe' || trial < TPE_STARTUP_TRIALS) {
    return { values: sampleTrial(config, description.seed, trial), held };
  }
  const history = historyOf(await readSweepProgress(store, description.sweepId));
  const values = suggestTrial(config, description.seed, trial, history);
  const recorded = await replaceClaim(store, held, { ...held.claim, values });
  return recorded === undefined ? undefined : { values, held: recorded };
}
