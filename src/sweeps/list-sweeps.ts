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
import { decisionPoint, explainStop, type StopExplanation } from './early-terminate.js';
import { readTrialProgress } from './read-trial-progress.js';
import { replacedAttempts } from './_trial-attempts.js';
import { parseSweepConfig, type EarlyTerminateConfig } from './sweep-config.js';
import type { TrialProgress } from './sweep-progress.js';

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
  /**
   * In a sweep with `early_terminate`, the last decision point this trial reached (from its
   * progress record), whatever its status: a trial still running, one that passed every rung, one
   * whose agent died. Only {@link getSweep} reads the progress records; `listSweeps` leaves it out.
   */
  reached?: DecisionPointReached;
  /**
   * Another attempt of the same trial replaced this run: its agent was lost or stopped and the
   * trial ran again. Listed after the trials, and neither counted nor ranked.
   */
  replaced?: true;
}

/** The last decision point of `early_terminate` a trial reached. */
export interface DecisionPointReached {
  /** The report of the optimisation metric it was at. */
  step: number;
  /** hyperband's rung there, from 0 (the median rule has none). */
  rung?: number;
  /** The trial's best value of the metric so far at that step, as recorded for the decision. */
  value: number;
}

/** A sweep and how far it got. */
export interface SweepSummary {
  description: SweepDescription;
  /**
   * One entry per run of the sweep, best first: a trial run again after its agent was lost or
   * stopped has one per attempt, the replaced ones last.
   */
  trials: SweepTrial[];
  /** Trials by the status of their latest attempt (replaced attempts are not counted). */
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

/** Options of {@link getSweep}. */
export interface GetSweepOptions extends SkippedFilesOptions {
  store?: string | Store;
  /** When trials' status is judged (a running trial silent for 4 heartbeats is `lost`). @default now */
  now?: Date;
}

/**
 * One sweep and its trials, best first. In a sweep with `early_terminate`, each trial says the
 * last rung (hyperband) or step (median) it reached: one more listing and one read per trial's
 * progress record; a record that cannot be read is left out and named to `onSkipped`.
 * @throws NotFoundError when the store has no such sweep.
 * @throws CorruptFileError when its description cannot be read.
 * @example const { trials } = await getSweep(sweepId); console.log(trials[0]?.reached?.rung);
 */
export async function getSweep(
  sweepId: string,
  options: GetSweepOptions = {},
): Promise<SweepSummary> {
  const { onSkipped } = options;
  return withStore(options.store, async (store) => {
    const description = await readCheckedSweepDescription(store, sweepId);
    const [runs, progress] = await Promise.all([
      listRuns({
        store,
        sweep: sweepId,
        ...(options.now !== undefined && { now: options.now }),
        ...(onSkipped !== undefined && { onSkipped }),
      }),
      earlyTerminateRule(description) === undefined
        ? undefined
        : readTrialProgress(store, sweepId, onSkipped),
    ]);
    return summariseSweep(description, runs, progress);
  });
}

/**
 * The sweep's `early_terminate` rule, when it has one: only then do its trials reach decision
 * points worth reading (a `tpe` sweep without it keeps progress records too, for its history).
 */
export function earlyTerminateRule(
  description: SweepDescription,
): 'hyperband' | 'median' | undefined {
  const rule = description.config.early_terminate as { type?: unknown } | null | undefined;
  const type = typeof rule === 'object' && rule !== null ? rule.type : undefined;
  return type === 'hyperband' || type === 'median' ? type : undefined;
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
 * @param progress the trials' progress records, for {@link SweepTrial.reached}.
 */
export function summariseSweep(
  description: SweepDescription,
  runs: RunRecord[],
  progress: readonly TrialProgress[] = [],
): SweepSummary {
  const metric = description.config.optimization_metric as string | undefined;
  const goal = (description.config.optimization_goal as 'max' | 'min' | undefined) ?? 'max';
  const rule = earlyTerminateRule(description);
  const parsedRule = rule === undefined ? undefined : readEarlyTerminate(description);
  // By run, not by trial number: a trial taken over after its agent died has a second run, and
  // its record then belongs to the new run alone (the new agent rewrote it).
  const progressByRun = new Map(progress.map((record) => [record.runId, record]));
  const replaced = replacedAttempts(runs);
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
    // The status stays the run's own: a dead agent's record still says `running`.
    const record = progressByRun.get(run.id);
    const reached =
      rule === undefined || record === undefined
        ? undefined
        : lastReached(record, rule, parsedRule);
    if (reached !== undefined) trial.reached = reached;
    if (replaced.has(run.id)) trial.replaced = true;
    return trial;
  });
  // Best first; trials that failed or were lost, then trials without a value, after, by trial
  // number: a failed trial's metric is not a result to pick.
  const ranked = (trial: SweepTrial) => trial.status !== 'failed' && trial.status !== 'lost';
  trials.sort((a, b) => {
    if ((a.replaced ?? false) !== (b.replaced ?? false)) return a.replaced ? 1 : -1;
    if (ranked(a) !== ranked(b)) return ranked(a) ? -1 : 1;
    if (a.best !== undefined && b.best !== undefined && a.best !== b.best) {
      return goal === 'min' ? a.best - b.best : b.best - a.best;
    }
    if ((a.best === undefined) !== (b.best === undefined)) return a.best === undefined ? 1 : -1;
    return a.trial - b.trial;
  });
  const counts = { running: 0, finished: 0, failed: 0, early_stopped: 0, lost: 0 };
  for (const trial of trials) if (trial.replaced === undefined) counts[trial.status] += 1;
  const summary: SweepSummary = { description, trials, counts };
  const best = trials[0];
  if (best?.best !== undefined && ranked(best)) summary.best = best;
  return summary;
}

/**
 * The last decision point in a trial's progress record (it keeps a value at every decision point
 * the trial reached). hyperband's rung there is the agents' own numbering (`decisionPoint`, the
 * number their stop sentences print), so that it follows any change to their ladder; for a
 * configuration that no longer parses, the count of points reached less one.
 */
function lastReached(
  record: TrialProgress,
  rule: 'hyperband' | 'median',
  parsedRule: EarlyTerminateConfig | undefined,
): DecisionPointReached | undefined {
  const reached = Object.entries(record.steps)
    .map(([step, value]) => ({ step: Number(step), value }))
    .filter(({ step }) => Number.isSafeInteger(step) && step > 0)
    .sort((a, b) => a.step - b.step);
  const last = reached.at(-1);
  if (last === undefined) return undefined;
  const { step, value } = last;
  if (rule === 'median') return { step, value };
  const rung = parsedRule === undefined ? undefined : decisionPoint(parsedRule, step);
  return { step, rung: rung ?? reached.length - 1, value };
}

/** The sweep's `early_terminate` as the agents read it, `undefined` when its configuration does not parse. */
function readEarlyTerminate(description: SweepDescription): EarlyTerminateConfig | undefined {
  try {
    return parseSweepConfig(description.config).earlyTerminate;
  } catch {
    return undefined;
  }
}
