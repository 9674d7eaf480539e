/**
 * The `early_terminate` rules (pure): which reports of the optimisation metric are decision points,
 * and whether a trial continues, from values every trial recorded at the same point. The values
 * come from the store (see `sweep-progress.ts`), so any agent deciding from the same records
 * decides the same way.
 *
 * A trial's "step" here is how many values of the optimisation metric it has reported (W&B's
 * iterations), and its value at a step is its best so far (max or min by the goal): a noisy last
 * value must not stop a trial that did well a moment ago.
 */
import type { EarlyTerminateConfig } from './sweep-config.js';

/** Trials besides this one that must have reached a step before the median rule stops anyone. */
export const MEDIAN_MIN_OTHER_TRIALS = 3;

/** Whether a trial continues at a decision point, and if not, the sentence its record keeps. */
export type TerminateDecision = { stop: false } | { stop: true; reason: string };

/**
 * The hyperband bracket a trial belongs to (0 for the median rule and for a single bracket). With
 * `brackets` b > 1, bracket s (from 0) starts deciding at `min_iter × eta^s` reports, so the last
 * brackets stop their trials late or never: successive halving alone stops a slow learner at its
 * first rung, whatever it would have reached. Trials are dealt to brackets in proportion to
 * ⌈b · eta^(b-1-s) / (b - s)⌉, Hyperband's allocation (Li et al. 2018, as in Optuna's
 * HyperbandPruner), which gives each bracket about the same budget of steps; the deal is a smooth
 * weighted round robin over the trial number, so it is a pure function of (rule, trial): every
 * agent puts a trial in the same bracket, and any 24 consecutive trials are spread as evenly as the
 * weights allow (a hash would leave small sweeps lopsided).
 */
export function bracketOf(rule: EarlyTerminateConfig, trial: number): number {
  if (rule.type !== 'hyperband' || rule.brackets === undefined || rule.brackets <= 1) return 0;
  const { brackets, eta } = rule;
  const weights = Array.from({ length: brackets }, (_, bracket) => {
    const rate = brackets - 1 - bracket;
    return Math.ceil((brackets * eta ** rate) / (rate + 1));
  });
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  // nginx's smooth weighted round robin, replayed up to this trial's turn in the period (never
  // the whole period: with many brackets the weights are large, trial numbers small).
  const current = weights.map(() => 0);
  let chosen = 0;
  for (let turn = 0; turn <= trial % total; turn += 1) {
    chosen = 0;
    for (const [bracket, weight] of weights.entries()) {
      current[bracket]! += weight;
      if (current[bracket]! > current[chosen]!) chosen = bracket;
    }
    current[chosen]! -= total;
  }
  return chosen;
}

/**
 * The most brackets a hyperband rule can have: one per rung up to `max_iter` (Hyperband's
 * s_max + 1); a bracket whose first rung lies beyond `max_iter` would be one that never decides.
 */
export function mostBrackets(minIter: number, eta: number, maxIter: number): number {
  let count = 0;
  for (let at = minIter; at <= maxIter; at *= eta) count += 1;
  return count;
}

/**
 * The decision point a step is, if any: hyperband's rungs are at `min_iter × eta^k` reports (up to
 * `max_iter`), from k = the trial's bracket on; the median rule looks at every `min_iter`-th report,
 * so that a decision (one write and one read per other trial) happens a bounded number of times,
 * not at every report.
 * @param bracket the trial's hyperband bracket ({@link bracketOf}).
 * @returns the rung k (hyperband; the same number in every bracket for the same step) or the
 *   decision's index (median), from 0.
 */
export function decisionPoint(
  rule: EarlyTerminateConfig,
  step: number,
  bracket = 0,
): number | undefined {
  if (!Number.isSafeInteger(step) || step < rule.minIter) return undefined;
  if (rule.type === 'median')
    return step % rule.minIter === 0 ? step / rule.minIter - 1 : undefined;
  if (rule.maxIter !== undefined && step > rule.maxIter) return undefined;
  let rung = 0;
  for (let at = rule.minIter; at <= step; at *= rule.eta, rung += 1) {
    if (at === step) return rung >= bracket ? rung : undefined;
  }
  return undefined;
}

/**
 * Whether a trial continues at a decision point.
 *
 * - `hyperband` (asynchronous successive halving): among the n values recorded at this rung by
 *   every trial of its bracket so far, this one included, the trial continues if it is at least
 *   as good as the ⌊n / eta⌋-th best. The first eta - 1 trials to reach a rung continue: there is no top 1/eta
 *   of fewer values (Optuna keeps only the best of them; on the bench's learning curves that
 *   stopped good slow starters and widened the gap to the full sweep from 1.5 % to 1.9 %).
 * - `median`: the trial stops if its value is worse than the median of the other trials' values
 *   at this step, once {@link MEDIAN_MIN_OTHER_TRIALS} of them reached it.
 *
 * @param own this trial's best value so far at `step`.
 * @param others the other trials' best values at the same step (each trial once; for hyperband,
 *   only the trials of the same bracket: see `rungValues` in `sweep-progress.ts`).
 * @param bracket the trial's hyperband bracket ({@link bracketOf}).
 */
export function decideTermination(
  rule: EarlyTerminateConfig,
  goal: 'max' | 'min',
  metric: string,
  step: number,
  own: number,
  others: readonly number[],
  bracket = 0,
): TerminateDecision {
  const point = decisionPoint(rule, step, bracket);
  if (point === undefined) return { stop: false };
  const better = (a: number, b: number) => (goal === 'max' ? b - a : a - b);
  const shown = (value: number) => Number(value.toPrecision(4));
  if (rule.type === 'hyperband') {
    const ranked = [...others, own].sort(better);
    if (ranked.length < rule.eta) return { stop: false };
    const kept = Math.max(1, Math.floor(ranked.length / rule.eta));
    const threshold = ranked[kept - 1]!;
    if (better(own, threshold) <= 0) return { stop: false };
    return {
      stop: true,
      reason: `stopped by hyperband at step ${step} (rung ${point}${(rule.brackets ?? 1) > 1 ? `, bracket ${bracket}` : ''}): ${metric} ${shown(own)} is not in the top ${kept} of the ${ranked.length} trials ${(rule.brackets ?? 1) > 1 ? 'of its bracket ' : ''}at this rung (needed ${goal === 'max' ? '≥' : '≤'} ${shown(threshold)})`,
    };
  }
  if (others.length < MEDIAN_MIN_OTHER_TRIALS) return { stop: false };
  const sorted = [...others].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? sorted[Math.floor(middle)]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2;
  if (better(own, median) <= 0) return { stop: false };
  return {
    stop: true,
    reason: `stopped by median at step ${step}: best ${metric} ${shown(own)} is worse than the median ${shown(median)} of ${others.length} other trials at this step`,
  };
}

/** Which rule stopped a trial, read back from its run's `error` (see {@link decideTermination}). */
export interface StopExplanation {
  rule: 'hyperband' | 'median' | 'early_stopping';
  /** The report of the optimisation metric at which it was stopped. */
  step: number;
  /** The hyperband rung, from 0. */
  rung?: number;
  /** The hyperband bracket, from 0, when the rule has several. */
  bracket?: number;
  /** The whole sentence. */
  reason: string;
}

/**
 * The rule, step and rung of an `early_stopped` run's `error`, as the agent wrote it; `undefined`
 * for any other text (a run stopped before these sentences existed, or by the script itself).
 */
export function explainStop(error: string | undefined): StopExplanation | undefined {
  const match =
    /^stopped by (hyperband|median|early_stopping) at step (\d+)(?: \(rung (\d+)(?:, bracket (\d+))?\))?:/.exec(
      error ?? '',
    );
  if (match === null) return undefined;
  return {
    rule: match[1] as StopExplanation['rule'],
    step: Number(match[2]),
    ...(match[3] === undefined ? {} : { rung: Number(match[3]) }),
    ...(match[4] === undefined ? {} : { bracket: Number(match[4]) }),
    reason: error!,
  };
}
