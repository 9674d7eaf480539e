/**
 * A sweep with `early_terminate` recorded the way one agent records it, trial after trial, for
 * the tests of what readers show of it (`getSweep`, `/api/sweeps/:id`, the sweep page): the
 * sweep's records (`createSweepRecords`), each trial's run (`startRun`), its progress record
 * (`writeTrialProgress`) rewritten at each decision point, and the decision taken from every
 * trial's recorded values (`decideTermination`), whose sentence an early-stopped run keeps. No
 * format is written by hand here. A trial can also lose its agent: its run stops being written
 * (as after a SIGKILL) and its progress record keeps saying `running`.
 */
import { startRun, type Run, type Store } from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import { createTimeSortableId } from '../../src/runs/ids.js';
import { decideTermination, decisionPoint } from '../../src/sweeps/early-terminate.js';
import { parseSweepConfig, sweepConfigToJson } from '../../src/sweeps/sweep-config.js';
import {
  readSweepProgress,
  writeTrialProgress,
  type TrialProgress,
} from '../../src/sweeps/sweep-progress.js';

/** One trial: the values of the metric it reports, and how it ends if no rule stops it. */
export interface PlannedTrial {
  lr: number;
  reports: number[];
  /** `dies`: its agent is killed after the last report; its run goes silent. @default 'finished' */
  end?: 'finished' | 'dies';
}

/** What was recorded. */
export interface RecordedSweep {
  sweepId: string;
  project: string;
  /** By trial number. */
  runIds: string[];
  /** The sentence each trial's run keeps when a rule stopped it, by trial number. */
  stops: (string | undefined)[];
  /** Runs whose agent died, to be closed by {@link RecordedSweep.close} after the test. */
  close(): Promise<void>;
}

/** Agents of the dying trials heartbeat every half second: their runs read `lost` 2 s after. */
const HEARTBEAT_SECONDS = 0.5;

/**
 * Records a sweep of `trials` (hyperparameter `lr`, metric `accuracy`, goal `max`) under
 * `earlyTerminate` (the configuration file's `early_terminate` object; none: no decisions, and
 * progress records only for `tpe`, as agents keep them) into `store`.
 */
export async function recordSmartSweep(
  store: Store,
  earlyTerminate: Record<string, unknown> | undefined,
  trials: PlannedTrial[],
  options: { method?: 'random' | 'tpe' } = {},
): Promise<RecordedSweep> {
  const project = 'soil';
  // An id as createSweep makes one, which commands such as `sweep show` check.
  const sweepId = createTimeSortableId();
  const config = parseSweepConfig({
    main_script_name: 'train.py',
    hyperparameters: { lr: { type: 'uniform', min: 0.001, max: 0.3 } },
    max_runs: trials.length,
    method: options.method ?? 'random',
    ...(earlyTerminate !== undefined && { early_terminate: earlyTerminate }),
    early_stopping: false,
    optimization_metric: 'accuracy',
    optimization_goal: 'max',
  });
  await createSweepRecords(store, {
    sweepId,
    project,
    createdAt: new Date().toISOString(),
    seed: 7,
    trialCount: trials.length,
    configFolder: '/tmp',
    config: sweepConfigToJson({ ...config, seed: 7, project }),
  });
  const rule = config.earlyTerminate;
  const keepsProgress = rule !== undefined || config.method === 'tpe';
  const runIds: string[] = [];
  const stops: (string | undefined)[] = [];
  const dead: Run[] = [];
  for (const [trial, plan] of trials.entries()) {
    const agentStore = mortal(store);
    const run = await startRun({
      store: agentStore,
      project,
      name: `trial-${trial}`,
      origin: 'sweep',
      sweepId,
      trial,
      hyperparameters: { lr: plan.lr },
      closeOnExit: false,
      heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    });
    runIds.push(run.id);
    const progress: TrialProgress = {
      trial,
      runId: run.id,
      values: { lr: plan.lr },
      steps: {},
      state: 'running',
    };
    if (keepsProgress) await writeTrialProgress(store, sweepId, progress);
    let best = Number.NEGATIVE_INFINITY;
    let stop: string | undefined;
    for (const [index, value] of plan.reports.entries()) {
      const step = index + 1;
      run.addScalar('accuracy', value, index);
      best = Math.max(best, value);
      if (rule === undefined || decisionPoint(rule, step) === undefined) continue;
      progress.steps[String(step)] = best;
      await writeTrialProgress(store, sweepId, progress);
      const others = (await readSweepProgress(store, sweepId))
        .filter((record) => record.trial !== trial)
        .map((record) => record.steps[String(step)])
        .filter((each): each is number => typeof each === 'number');
      const decision = decideTermination(rule, 'max', 'accuracy', step, best, others);
      if (decision.stop) {
        stop = decision.reason;
        break;
      }
    }
    stops.push(stop);
    if (plan.end === 'dies' && stop === undefined) {
      await run.flush();
      agentStore.die();
      dead.push(run);
      continue;
    }
    await run.finish(stop === undefined ? {} : { status: 'early_stopped', error: stop });
    if (keepsProgress) {
      await writeTrialProgress(store, sweepId, { ...progress, best, state: 'ended' });
    }
  }
  return {
    sweepId,
    project,
    runIds,
    stops,
    close: async () => {
      // Their writes fail, as they would: finish() only stops their timers.
      await Promise.allSettled(dead.map((run) => run.finish()));
    },
  };
}

/** `store` as one agent process writes to it: once it `die()`s, nothing it writes lands. */
function mortal(store: Store): Store & { die(): void } {
  let alive = true;
  const mortalStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'die') {
        return () => {
          alive = false;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!alive && (property === 'write' || property === 'append')) {
        return () => Promise.reject(new Error('the agent process is dead'));
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return mortalStore as Store & { die(): void };
}
