/**
 * Model-based search for `method: "tpe"` (a Tree-structured Parzen Estimator, with Optuna's
 * defaults): a pure function of (config, seed, trial number, history), so that every agent that
 * computes trial n's suggestion from the same recorded history gets the same values.
 *
 * - The first {@link TPE_STARTUP_TRIALS} trials, and any trial suggested while fewer trials than
 *   that have finished with a value, are drawn at random by `sampleTrial`: trial n then stays a
 *   pure function of (seed, n), as in a random sweep.
 * - After that, the best {@link goodTrialCount} of the finished trials (10 %, at least 1, at most
 *   25) are "good" and the rest "bad"; one joint Parzen estimator over all the hyperparameters is
 *   fitted to each group (`_parzen-estimator.ts`), {@link TPE_CANDIDATES} candidates are drawn from
 *   the good one with a generator seeded by (seed, n), and the candidate with the highest
 *   l(x)/g(x) is the suggestion.
 * - Trials still running are "pending": they join the bad group (the "constant liar" Optuna uses
 *   for parallel workers by default), so that agents starting trials together spread out instead
 *   of all suggesting the point the history currently favours.
 */
import { createParzenEstimator, valueAt } from './_parzen-estimator.js';
import { createSeededRandom } from './_seeded-random.js';
import { sampleTrial, type HyperparameterValue } from './sampling.js';
import type { SweepConfig } from './sweep-config.js';

/** Trials drawn at random before the model is used (Optuna's default `n_startup_trials`). */
export const TPE_STARTUP_TRIALS = 10;
/** Candidates drawn from the good estimator per suggestion (Optuna's `n_ei_candidates`). */
export const TPE_CANDIDATES = 24;

/**
 * How many of `finished` trials count as good: 10 %, rounded up, at least 1 and at most 25
 * (Optuna's `default_gamma`). A small good group keeps l(x) on the few best trials; a quarter of
 * them (hyperopt's older share) let middling trials pull the search towards them.
 */
export function goodTrialCount(finished: number): number {
  return Math.min(25, Math.max(1, Math.ceil(0.1 * finished)));
}

/** One trial of the sweep's history, as an agent reads it from the store. */
export interface TrialHistoryEntry {
  trial: number;
  /** The hyperparameters the trial ran (or runs) with. */
  values: Record<string, HyperparameterValue>;
  /** Its best value of the optimisation metric; absent while it runs or if it never reported one. */
  value?: number;
  /** Whether it is still running: a pending trial counts as a bad one (see the file's comment). */
  pending?: boolean;
}

/**
 * The hyperparameters of trial `trial` of a `tpe` sweep, from the sweep's history. Same config,
 * seed, trial and history (in any order) ⇒ same values.
 * @example suggestTrial(config, description.seed, 12, history) // { lr: 0.0031…, layers: 2 }
 */
export function suggestTrial(
  config: SweepConfig,
  seed: number,
  trial: number,
  history: readonly TrialHistoryEntry[],
): Record<string, HyperparameterValue> {
  // The order agents list runs in must not matter.
  const byTrial = (a: TrialHistoryEntry, b: TrialHistoryEntry) => a.trial - b.trial;
  const others = history.filter((entry) => entry.trial !== trial).sort(byTrial);
  const finished = others.filter(
    (entry) => !entry.pending && entry.value !== undefined && Number.isFinite(entry.value),
  );
  if (
    config.method !== 'tpe' ||
    trial < TPE_STARTUP_TRIALS ||
    finished.length < TPE_STARTUP_TRIALS
  ) {
    return sampleTrial(config, seed, trial);
  }
  const sign = config.optimizationGoal === 'min' ? 1 : -1;
  // Best first; equal values in trial order, so the split does not depend on a sort's stability.
  const ranked = [...finished].sort((a, b) => sign * (a.value! - b.value!) || byTrial(a, b));
  const goodCount = goodTrialCount(ranked.length);
  // Each group in trial order: the estimator lets older trials fade once there are many.
  const good = ranked.slice(0, goodCount).sort(byTrial);
  const bad = [...ranked.slice(goodCount), ...others.filter((entry) => entry.pending)].sort(
    byTrial,
  );
  const names = Object.keys(config.hyperparameters);
  const specs = names.map((name) => config.hyperparameters[name]!);
  const fit = (group: TrialHistoryEntry[]) =>
    createParzenEstimator(
      specs,
      group.map((entry) => names.map((name) => entry.values[name])),
    );
  const goodDensity = fit(good);
  const badDensity = fit(bad);
  const random = createSeededRandom(`${seed}:${trial}:tpe`);
  let best: { point: number[]; score: number } | undefined;
  for (let candidate = 0; candidate < TPE_CANDIDATES; candidate += 1) {
    const point = goodDensity.sample(random);
    const score = goodDensity.logDensity(point) - badDensity.logDensity(point);
    if (best === undefined || score > best.score) best = { point, score };
  }
  const chosen = best!.point;
  return Object.fromEntries(
    names.map((name, index) => [name, valueAt(specs[index]!, chosen[index]!)]),
  );
}
