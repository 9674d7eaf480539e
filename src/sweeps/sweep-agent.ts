/**
 * A sweep agent: takes trial numbers from the store and runs them until none is left. Any number
 * of agents, on any number of machines, can work on one sweep; the store is the only thing they
 * share (see `records/sweep-records.ts` for how a trial number is taken exactly once).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import { sleep } from '../_sleep.js';
import {
  claimStanding,
  createClaim,
  heldByThisProcess,
  replaceClaim,
  type HeldClaim,
} from '../records/claims.js';
import { fenceRun } from '../records/fence-run.js';
import { checkHeartbeatSeconds } from '../records/liveness.js';
import { processLabel, thisProcess } from '../records/process-identity.js';
import { createStoreClock, type StoreClock } from '../records/store-clock.js';
import { createTimeSortableId } from '../runs/ids.js';
import type { RunRecord } from '../runs/run-record.js';
import {
  listClaimedTrials,
  listTrialClaims,
  trialOfClaimPath,
  type SweepDescription,
  type TrialClaim,
} from '../records/sweep-records.js';
import { trialClaimPath } from '../layout/paths.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { readCheckedSweepDescription } from './list-sweeps.js';
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
  const heartbeatIntervalSeconds = checkHeartbeatSeconds(options.heartbeatIntervalSeconds);
  const signal = options.signal ?? new AbortController().signal;
  const onEvent = options.onEvent ?? (() => undefined);
  return withStore(options.store, async (store) => {
    // A description that is not one stops the agent with a CorruptFileError naming the file.
    const description = await readCheckedSweepDescription(store, options.sweepId);
    const config = parseSweepConfig(description.config, `sweep ${options.sweepId}`);
    const folder = trialFolder(config, description, options.cwd ?? process.cwd());
    const report: SweepAgentReport = {
      sweepId: description.sweepId,
      trials: [],
      interrupted: false,
    };
    const waitMs = Math.min(5000, heartbeatIntervalSeconds * 1000);
    const context: TakeContext = {
      description,
      clock: createStoreClock(store),
      heartbeatIntervalSeconds,
      onEvent,
      reported: new Set(),
    };

    const worker = async () => {
      while (!signal.aborted) {
        const next = await takeTrial(store, context);
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
          held: next.held,
          folder,
          heartbeatIntervalSeconds,
          signal,
          onEvent,
        });
        if (record !== undefined) {
          report.trials.push({ trial: next.trial, runId: record.id, status: record.status });
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    report.interrupted = signal.aborted;
    return report;
  });
}

/** A trial this agent took, and the claim it now holds for it. */
export interface TakenTrial {
  trial: number;
  held: HeldClaim<TrialClaim>;
}

/** What {@link takeTrial} needs besides the store. */
interface TakeContext {
  description: SweepDescription;
  clock: StoreClock;
  heartbeatIntervalSeconds: number;
  onEvent: (event: SweepEvent) => void;
  /** Claims already reported as unreadable, so each is reported once. */
  reported: Set<string>;
}

/**
 * The next trial for this agent: a number no agent has taken, else one whose claim expired (its
 * agent silent past its lease by the store's clock, or certainly gone) or was given back; `wait`
 * while other agents hold live claims (one may still expire), `done` when every trial's work ended.
 */
async function takeTrial(
  store: Store,
  context: TakeContext,
): Promise<TakenTrial | 'wait' | 'done'> {
  const { description } = context;
  const claim = (
    trial: number,
    attempt: number,
    values?: TrialClaim['values'],
    runId = createTimeSortableId(),
  ): TrialClaim => ({
    trial,
    ...(values === undefined ? {} : { values }),
    runId,
    agent: processLabel(),
    process: thisProcess(),
    claimedAt: new Date().toISOString(),
    attempt,
    heartbeatIntervalSeconds: context.heartbeatIntervalSeconds,
    state: 'held',
  });
  // The listing says which numbers are taken; claims are read only once all are.
  const claimed = await listClaimedTrials(store, description.sweepId);
  for (let trial = 0; trial < description.trialCount; trial += 1) {
    if (claimed.has(trial)) continue;
    const held = await createClaim(
      store,
      trialClaimPath(description.sweepId, trial),
      claim(trial, 1),
    );
    if (held !== undefined) return { trial, held };
  }
  const storeNow = await context.clock.now();
  let waiting = false;
  for (const stored of await listTrialClaims(store, description.sweepId)) {
    const trial = trialOfClaimPath(stored.path);
    if (trial === undefined || trial >= description.trialCount) continue;
    if (stored.claim === undefined && !context.reported.has(stored.path)) {
      context.reported.add(stored.path);
      context.onEvent({
        type: 'warning',
        trial,
        message: `${stored.path} in ${store.url} is not a trial claim (${stored.problem ?? 'unreadable'}): the trial is taken over once it has been left alone for a lease`,
      });
    }
    const standing = claimStanding(stored, storeNow, context.heartbeatIntervalSeconds);
    if (standing === 'done') continue;
    if (standing === 'live') {
      // Only another agent's trial can still expire and be handed out again: this agent's own
      // running trials end here, so a worker with nothing to take need not wait for them.
      if (stored.claim === undefined || !heldByThisProcess(stored.claim)) waiting = true;
      continue;
    }
    const previous = stored.claim;
    const attempt = (previous?.attempt ?? 0) + 1;
    // A suggestion already made for the trial stays its values (see TrialClaim.values).
    const held = await replaceClaim(store, stored, claim(trial, attempt, previous?.values));
    if (held === undefined) {
      waiting = true;
      continue;
    }
    // A claim given back (or garbage) has no attempt that could still be running.
    if (previous === undefined || standing === 'released') return { trial, held };
    // The previous attempt may have ended just before its agent died: then the trial is done.
    const fenced = await fenceRun(
      store,
      previous.runId,
      `its agent ${previous.agent} was lost (trial ${trial} handed to ${processLabel()}, attempt ${attempt})`,
      trialRunTemplate(description, trial),
    );
    if (fenced.outcome === 'fenced') return { trial, held };
    await replaceClaim(store, held, { ...previous, state: 'done' });
  }
  return waiting ? 'wait' : 'done';
}

/** What a trial's run record holds before its run starts (a tombstone is built from it). */
function trialRunTemplate(description: SweepDescription, trial: number) {
  return {
    project: description.project,
    name: `trial-${trial}`,
    origin: 'sweep' as const,
    sweepId: description.sweepId,
    trial,
  };
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
