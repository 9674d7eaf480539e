/**
 * Reading sweeps back: `listSweeps()` (one line each) and `getSweep()` (its trials, best first).
 * Trials are runs like any other; a sweep's are those whose record names it.
 */
import { NotFoundError } from '../errors.js';
import { sweepDescriptionPath } from '../layout/paths.js';
import { listRuns } from '../runs/read-runs.js';
import type { RunRecord } from '../runs/run-record.js';
import {
  listSweepIds,
  readSweepDescription,
  type SweepDescription,
} from '../records/sweep-records.js';
import {
  CorruptFileError,
  problemOf,
  skipIfCorrupt,
  type SkippedFilesOptions,
} from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { slugifyProject } from '../tracking/project-name.js';
import { explainStop, type StopExplanation } from './early-terminate.js';

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
  /** For an `early_stopped` trial, the rule that stopped it and where (`early_terminate` or patience). */
  stoppedBy?: StopExplanation;
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
export interface ListSweepsOptions extends SkippedFilesOptions {
  store?: string | Store;
  /** Only this project. */
  project?: string;
}

/**
 * The store's sweeps with their trials, newest first. A sweep whose description cannot be read
 * (or is gone) is left out and its description named to `onSkipped`, as are unreadable runs.
 * @example for (const sweep of await listSweeps()) console.log(sweep.description.sweepId, sweep.best);
 */
export async function listSweeps(options: ListSweepsOptions = {}): Promise<SweepSummary[]> {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  const { onSkipped } = options;
  return withStore(options.store, async (store) => {
    const ids = (await listSweepIds(store)).reverse();
    const descriptions = await mapConcurrently(ids, 16, (id) =>
      skipIfCorrupt(
        () => readCheckedSweepDescription(store, id, { missing: 'corrupt' }),
        onSkipped,
      ),
    );
    const chosen = descriptions.filter(
      (d): d is SweepDescription =>
        d !== undefined && (project === undefined || d.project === project),
    );
    if (chosen.length === 0) return [];
    const runs = await listRuns({
      store,
      ...(project !== undefined && { project }),
      ...(onSkipped !== undefined && { onSkipped }),
    });
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
 * @throws CorruptFileError when its description cannot be read.
 */
export async function getSweep(
  sweepId: string,
  options: { store?: string | Store } & SkippedFilesOptions = {},
): Promise<SweepSummary> {
  return withStore(options.store, async (store) => {
    const description = await readCheckedSweepDescription(store, sweepId);
    const runs = await listRuns({
      store,
      sweep: sweepId,
      ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
    });
    return summariseSweep(description, runs);
  });
}

/**
 * A sweep's description, checked to be one: an object with its id, project, trial count and
 * configuration (what every reader of it relies on).
 * @param options.missing `corrupt` for a sweep listed in `sweeps/` whose description is gone:
 * for a listing that is a damaged sweep, not an absent one.
 * @throws NotFoundError when the store has no such sweep.
 * @throws CorruptFileError when `experiment_description.json` is not JSON or not a description.
 */
export async function readCheckedSweepDescription(
  store: Store,
  sweepId: string,
  options: { missing?: 'not-found' | 'corrupt' } = {},
): Promise<SweepDescription> {
  const path = sweepDescriptionPath(sweepId);
  const corrupt = (problem: string, cause?: unknown) =>
    new CorruptFileError({ store: store.url, path, problem, cause });
  let description: unknown;
  try {
    description = await readSweepDescription(store, sweepId);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw corrupt(`it is not valid JSON (${problemOf(error)})`, error);
    if (error instanceof NotFoundError && options.missing === 'corrupt') {
      throw corrupt('the sweep is listed in sweeps/ but this file is missing', error);
    }
    throw error;
  }
  const fields = description as Partial<Record<keyof SweepDescription, unknown>> | null;
  if (
    typeof fields !== 'object' ||
    fields === null ||
    Array.isArray(fields) ||
    typeof fields.sweepId !== 'string' ||
    typeof fields.project !== 'string' ||
    typeof fields.trialCount !== 'number' ||
    typeof fields.config !== 'object' ||
    fields.config === null
  ) {
    throw corrupt('it is JSON but not a sweep description (sweepId, project, trialCount, config)');
  }
  return description as SweepDescription;
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
    const stoppedBy = run.status === 'early_stopped' ? explainStop(run.error) : undefined;
    if (stoppedBy !== undefined) trial.stoppedBy = stoppedBy;
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
