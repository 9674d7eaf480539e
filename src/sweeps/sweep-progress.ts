/**
 * What the smarter sweeps (issue 24) share between agents through the store: one small object per
 * trial, `sweep-files/<sweep>/progress/<trial>.json`, holding the trial's hyperparameters, its best
 * value of the optimisation metric at each decision point of `early_terminate`, and its best value
 * overall once it ended. Only the agent running the trial writes it.
 *
 * Reading a sweep's progress is one listing and one read per trial, whatever the trials' lengths:
 * the TPE history and every early-termination decision cost reads that grow with the number of
 * trials, not with their steps (reading the runs' scalar files would grow with both).
 */
import { progressFolder, trialProgressPath } from '../layout/paths.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { readIfExists } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { bracketOf } from './early-terminate.js';
import type { HyperparameterValue } from './sampling.js';
import type { EarlyTerminateConfig } from './sweep-config.js';
import type { TrialHistoryEntry } from './tpe.js';

/** One trial's progress record. */
export interface TrialProgress {
  trial: number;
  runId: string;
  values: Record<string, HyperparameterValue>;
  /** Best value so far at each decision point reached, by step (reports of the metric). */
  steps: Record<string, number>;
  /** Best value of the whole trial, once it ended with one. */
  best?: number;
  state: 'running' | 'ended';
  /**
   * Its hyperband bracket, when the rule has several (records written before brackets existed
   * have none: they ran in bracket 0). Written for readers such as the dashboard; deciders
   * recompute it from the trial number, which gives the same bracket.
   */
  bracket?: number;
}

/** Writes (or overwrites) a trial's progress record: one store write. */
export async function writeTrialProgress(
  store: Store,
  sweepId: string,
  progress: TrialProgress,
): Promise<void> {
  await store.write(trialProgressPath(sweepId, progress.trial), `${JSON.stringify(progress)}\n`, {
    contentType: 'application/json',
  });
}

/**
 * Every trial's progress record: one listing, then one read per trial (16 at a time). A record
 * that vanished or does not parse is left out: it belongs to a trial that is being rewritten or
 * was damaged, and a decision without it is still one every agent could have taken.
 */
export async function readSweepProgress(store: Store, sweepId: string): Promise<TrialProgress[]> {
  const paths: string[] = [];
  for await (const object of store.listAll(progressFolder(sweepId))) {
    if (object.path.endsWith('.json')) paths.push(object.path);
  }
  const records = await mapConcurrently(paths, 16, async (path) => {
    const bytes = await readIfExists(store, path);
    if (bytes === undefined) return undefined;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as TrialProgress;
      return typeof parsed.trial === 'number' && typeof parsed.values === 'object'
        ? parsed
        : undefined;
    } catch {
      return undefined;
    }
  });
  return records.filter((record): record is TrialProgress => record !== undefined);
}

/** The TPE history the progress records describe: ended trials with their best, running as pending. */
export function historyOf(records: readonly TrialProgress[]): TrialHistoryEntry[] {
  return records.map((record) => ({
    trial: record.trial,
    values: record.values,
    ...(record.best === undefined ? {} : { value: record.best }),
    ...(record.state === 'running' ? { pending: true } : {}),
  }));
}

/**
 * The values the other trials recorded at `step` that a decision of `trial` compares with: every
 * other trial's for the median rule, only those of its own hyperband bracket for hyperband
 * (Hyperband's brackets are separate successive-halving runs).
 */
export function rungValues(
  records: readonly TrialProgress[],
  rule: EarlyTerminateConfig,
  trial: number,
  step: number,
): number[] {
  const bracket = bracketOf(rule, trial);
  return records
    .filter((record) => record.trial !== trial && bracketOf(rule, record.trial) === bracket)
    .map((record) => record.steps[String(step)])
    .filter((each): each is number => typeof each === 'number');
}
