/**
 * Reading sweeps back: `listSweeps()` (one line each) and `getSweep()` (its trials, best first).
 * Trials are runs like any other; a sweep's are those whose record names it.
 */
import { listRuns } from '../runs/read-runs.js';
import type { RunRecord } from '../runs/run-record.js';
import {
  listSweepIds,
  readSweepDescription,
  type SweepDescription,
} from '../runs/sweep-records.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { slugifyProject } from '../tracking/project-name.js';

/** One trial of a sweep, as `ml-tracking sweep show` prints it. */
export interface SweepTrial {
  trial: number;
  runId: string;
  status: RunRecord['status'];
  hyperparameters: RunRecord['hyperparameters'];
  /** Best value of the optimisation metric (max or min by the goal), when it reported one. */
  best?: number;
  startedAt: Date;
  endedAt?: Date;
}

/** A sweep and how far it got. */
export interface SweepSummary {
  description: SweepDescription;
  /** One entry per run of the sweep (a trial run again after a loss has two), best first. */
  trials: SweepTrial[];
  counts: Record<RunRecord['status'], number>;
  best?: SweepTrial;
}

/** Options of {@link listSweeps} and {@link getSweep}. */
export interface ListSweepsOptions {
  store?: string | Store;
  /** Only this project. */
  project?: string;
}

/**
 * The store's sweeps with their trials, newest first.
 * @example for (const sweep of await listSweeps()) console.log(sweep.description.sweepId, sweep.best);
 */
export async function listSweeps(options: ListSweepsOptions = {}): Promise<SweepSummary[]> {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  return withStore(options.store, async (store) => {
    const ids = (await listSweepIds(store)).reverse();
    const descriptions = await Promise.all(ids.map((id) => readSweepDescription(store, id)));
    const chosen = descriptions.filter((d) => project === undefined || d.project === project);
    if (chosen.length === 0) return [];
    const runs = await listRuns({ store, ...(project !== undefined && { project }) });
    return chosen.map((description) =>
      summariseSweep(
        description,
        runs.filter((run) => run.sweepId === description.sweepId),
      ),
    );
  });
}

/**
 * One sweep and its trials, best first.
 * @throws NotFoundError when the store has no such sweep.
 */
export async function getSweep(
  sweepId: string,
  options: { store?: string | Store } = {},
): Promise<SweepSummary> {
  return withStore(options.store, async (store) => {
    const description = await readSweepDescription(store, sweepId);
    return summariseSweep(description, await listRuns({ store, sweep: sweepId }));
  });
}

/**
 * A sweep's summary from its description and its trials' runs (as readers judge their status):
 * trials best first, counts by status, the best trial. Used by `listSweeps`, `getSweep` and the
 * dashboard, which has the runs in its index already.
 */
export function summariseSweep(description: SweepDescription, runs: RunRecord[]): SweepSummary {
  const metric = description.config.optimization_metric as string | undefined;
  const goal = (description.config.optimization_goal as 'max' | 'min' | undefined) ?? 'max';
  const trials = runs.map((run): SweepTrial => {
    const summary = metric === undefined ? undefined : run.summary[metric];
    const trial: SweepTrial = {
      trial: run.trial ?? -1,
      runId: run.id,
      status: run.status,
      hyperparameters: run.hyperparameters,
      startedAt: run.startedAt,
    };
    if (summary !== undefined) trial.best = goal === 'min' ? summary.min : summary.max;
    if (run.endedAt !== undefined) trial.endedAt = run.endedAt;
    return trial;
  });
  // Best first; trials that failed or were lost, then trials without a value, after, by trial
  // number: a failed trial's metric is not a result to pick.
  const ranked = (trial: SweepTrial) => trial.status !== 'failed' && trial.status !== 'lost';
  trials.sort((a, b) => {
    if (ranked(a) !== ranked(b)) return ranked(a) ? -1 : 1;
    if (a.best !== undefined && b.best !== undefined && a.best !== b.best) {
      return goal === 'min' ? a.best - b.best : b.best - a.best;
    }
    if ((a.best === undefined) !== (b.best === undefined)) return a.best === undefined ? 1 : -1;
    return a.trial - b.trial;
  });
  const counts = { running: 0, finished: 0, failed: 0, early_stopped: 0, lost: 0 };
  for (const trial of trials) counts[trial.status] += 1;
  const summary: SweepSummary = { description, trials, counts };
  const best = trials[0];
  if (best?.best !== undefined && ranked(best)) summary.best = best;
  return summary;
}
