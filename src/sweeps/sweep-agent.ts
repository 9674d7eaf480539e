/**
 * A sweep agent: takes trial numbers from the store and runs them until none is left. Any number
 * of agents, on any number of machines, can work on one sweep; the store is the only thing they
 * share (see `runs/sweep-records.ts` for how a trial number is taken exactly once).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import { sleep } from '../_sleep.js';
import { createTimeSortableId } from '../runs/ids.js';
import { markRunLost } from '../runs/mark-lost.js';
import { readRecord } from '../runs/read-runs.js';
import { effectiveStatus, LOST_AFTER_HEARTBEATS, type RunRecord } from '../runs/run-record.js';
import {
  agentName,
  claimTrial,
  listClaimedTrials,
  listClaims,
  readSweepDescription,
  type SweepDescription,
} from '../runs/sweep-records.js';
import { runPath } from '../layout/paths.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { parseSweepConfig, type SweepConfig } from './sweep-config.js';
import { runTrial, type SweepEvent } from './run-trial.js';

/** Options of {@link runSweepAgent}. */
export interface SweepAgentOptions {
  sweepId: string;
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Trials run at once by this agent. @default 1 */
  parallel?: number;
  /**
   * Where the trial script is: this folder if it holds the script, else the folder the sweep
   * was created from (on the same machine). @default process.cwd()
   */
  cwd?: string;
  /** Aborting stops the running trials (their runs fail) and resolves with `interrupted`. */
  signal?: AbortSignal;
  /**
   * Heartbeat of the trials' runs. A trial whose agent died is handed out again once its run
   * has missed 4 heartbeats. @default ML_TRACKING_HEARTBEAT_SECONDS, else 10
   */
  heartbeatIntervalSeconds?: number;
  /** Called with what the agent does (trial started or ended, output lines, warnings). */
  onEvent?: (event: SweepEvent) => void;
}

/** What one agent did. */
export interface SweepAgentReport {
  sweepId: string;
  /** The trials this agent ran, in the order they ended. */
  trials: { trial: number; runId: string; status: RunRecord['status'] }[];
  /** Whether it was stopped by its signal before the sweep was done. */
  interrupted: boolean;
}

/**
 * Runs trials of a sweep until every trial number is taken and no other agent's trial might
 * still be handed out again (a trial whose run was lost is).
 * @example await runSweepAgent({ sweepId, parallel: 2 });
 */
export async function runSweepAgent(options: SweepAgentOptions): Promise<SweepAgentReport> {
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new ValidationError(
      'parallel',
      `${parallel} is not a positive integer`,
      'Pass 1 or more.',
    );
  }
  const heartbeatIntervalSeconds =
    options.heartbeatIntervalSeconds ?? (Number(process.env.ML_TRACKING_HEARTBEAT_SECONDS) || 10);
  const signal = options.signal ?? new AbortController().signal;
  const onEvent = options.onEvent ?? (() => undefined);
  return withStore(options.store, async (store) => {
    const description = await readSweepDescription(store, options.sweepId);
    const config = parseSweepConfig(description.config, `sweep ${options.sweepId}`);
    const folder = trialFolder(config, description, options.cwd ?? process.cwd());
    const report: SweepAgentReport = {
      sweepId: description.sweepId,
      trials: [],
      interrupted: false,
    };
    const waitMs = Math.min(5000, heartbeatIntervalSeconds * 1000);

    const worker = async () => {
      while (!signal.aborted) {
        const next = await takeTrial(store, description, heartbeatIntervalSeconds);
        if (next === 'done') return;
        if (next === 'wait') {
          onEvent({ type: 'waiting', running: 0 });
          await sleep(waitMs, signal);
          continue;
        }
        const record = await runTrial({
          store,
          description,
          config,
          trial: next.trial,
          runId: next.runId,
          folder,
          heartbeatIntervalSeconds,
          signal,
          onEvent,
        });
        report.trials.push({ trial: next.trial, runId: record.id, status: record.status });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    report.interrupted = signal.aborted;
    return report;
  });
}

/**
 * The next trial for this agent: a number no agent has taken, else one whose run was lost;
 * `wait` while other agents' trials run (one may still be lost), `done` when all have ended.
 */
async function takeTrial(
  store: Store,
  description: SweepDescription,
  heartbeatIntervalSeconds: number,
): Promise<{ trial: number; runId: string } | 'wait' | 'done'> {
  const claim = (trial: number, attempt: number) => ({
    trial,
    runId: createTimeSortableId(),
    agent: agentName(),
    claimedAt: new Date().toISOString(),
    attempt,
  });
  // The listing says which numbers are taken; claims are read only once all are.
  const claimed = await listClaimedTrials(store, description.sweepId);
  for (let trial = 0; trial < description.trialCount; trial += 1) {
    if (claimed.has(trial)) continue;
    const mine = claim(trial, 1);
    if (await claimTrial(store, description.sweepId, mine)) return mine;
  }
  const claims = [...(await listClaims(store, description.sweepId)).values()];
  const records = await mapConcurrently(claims, 16, (stored) =>
    readRecord(store, runPath(stored.claim.runId)),
  );
  let running = false;
  const now = new Date();
  for (const [index, stored] of claims.entries()) {
    const record = records[index];
    const silentMs = now.getTime() - stored.updated.getTime();
    // A claim without a run: its agent died between the two writes, or is between them now.
    const lost =
      record === undefined
        ? silentMs > LOST_AFTER_HEARTBEATS * heartbeatIntervalSeconds * 1000
        : effectiveStatus(record, now) === 'lost';
    if (!lost) {
      // Only another agent's trial can still be lost and handed out again: this agent's own
      // running trials end here, so a worker with nothing to take need not wait for them.
      const elsewhere = stored.claim.agent !== agentName();
      if (elsewhere && (record === undefined || record.status === 'running')) running = true;
      continue;
    }
    const mine = claim(stored.claim.trial, stored.claim.attempt + 1);
    if (await claimTrial(store, description.sweepId, mine, stored)) {
      if (record !== undefined) await markRunLost(store, record.id, now);
      return mine;
    }
    running = true;
  }
  return running ? 'wait' : 'done';
}

function trialFolder(config: SweepConfig, description: SweepDescription, cwd: string): string {
  if (existsSync(join(cwd, config.mainScriptName))) return cwd;
  if (existsSync(join(description.configFolder, config.mainScriptName))) {
    return description.configFolder;
  }
  if (config.command !== undefined) return cwd;
  throw new ValidationError(
    'cwd',
    `${config.mainScriptName} is neither in ${cwd} nor in ${description.configFolder}`,
    'Start the agent in the folder that holds the trial script (a checkout of the same code).',
  );
}
