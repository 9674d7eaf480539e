/**
 * Model-based search for `method: "tpe"` (a Tree-structured Parzen Estimator, as Optuna's and
 * hyperopt's): a pure function of (config, seed, trial number, history), so that every agent that
 * computes trial n's suggestion from the same recorded history gets the same values.
 *
 * - The first {@link TPE_STARTUP_TRIALS} trials, and any trial suggested while fewer trials than
 *   that have finished with a value, are drawn at random by `sampleTrial`: trial n then stays a
 *   pure function of (seed, n), as in a random sweep.
 * - After that, the finished trials are split at the {@link TPE_GAMMA} quantile into good and bad;
 *   one Parzen estimator per hyperparameter is fitted to each group (truncated Gaussians in the
 *   range's own space: log for `log_uniform`, a ±0.5 widened range for `int_uniform`; smoothed
 *   frequencies for `choice`), {@link TPE_CANDIDATES} candidates are drawn from the good ones with
 *   a generator seeded by (seed, n), and the candidate with the highest l(x)/g(x) is the suggestion.
 * - Trials still running are "pending": they join the bad group (the "constant liar" Optuna offers
 *   for parallel workers), so that agents starting trials together spread out instead of all
 *   suggesting the point the history currently favours.
 */
import { createSeededRandom, type SeededRandom } from './_seeded-random.js';
import { sampleTrial, type HyperparameterValue } from './sampling.js';
import type { HyperparameterSpec, SweepConfig } from './sweep-config.js';

/** Trials drawn at random before the model is used (Optuna's default `n_startup_trials`). */
export const TPE_STARTUP_TRIALS = 10;
/** The share of finished trials that counts as good (at least one, at most 25, as Optuna caps it). */
export const TPE_GAMMA = 0.25;
/** Candidates drawn from the good estimator per suggestion (Optuna's `n_ei_candidates`). */
export const TPE_CANDIDATES = 24;

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
  const others = [...history]
    .filter((entry) => entry.trial !== trial)
    .sort((a, b) => a.trial - b.trial);
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
  const ranked = [...finished].sort((a, b) => sign * (a.value! - b.value!) || a.trial - b.trial);
  const goodCount = Math.min(25, Math.max(1, Math.ceil(TPE_GAMMA * ranked.length)));
  const good = ranked.slice(0, goodCount).map((entry) => entry.values);
  const bad = [...ranked.slice(goodCount), ...others.filter((entry) => entry.pending)].map(
    (entry) => entry.values,
  );
  const random = createSeededRandom(`${seed}:${trial}:tpe`);
  const params = Object.entries(config.hyperparameters).map(([name, spec]) => ({
    name,
    good: createEstimator(
      spec,
      good.map((values) => values[name]),
    ),
    bad: createEstimator(
      spec,
      bad.map((values) => values[name]),
    ),
  }));
  let best: { values: Record<string, HyperparameterValue>; score: number } | undefined;
  for (let candidate = 0; candidate < TPE_CANDIDATES; candidate += 1) {
    const values: Record<string, HyperparameterValue> = {};
    let score = 0;
    for (const param of params) {
      const point = param.good.sample(random);
      score += param.good.logDensity(point) - param.bad.logDensity(point);
      values[param.name] = param.good.value(point);
    }
    if (best === undefined || score > best.score) best = { values, score };
  }
  return best!.values;
}

/** A one-dimensional Parzen estimator over a hyperparameter's range, in its own space. */
interface Estimator {
  sample(random: SeededRandom): number;
  logDensity(point: number): number;
  /** The hyperparameter's value at a point of the estimator's space. */
  value(point: number): HyperparameterValue;
}

function createEstimator(spec: HyperparameterSpec, observed: unknown[]): Estimator {
  if (spec.type === 'choice') return createCategorical(spec.candidates, observed);
  const toSpace = spec.type === 'log_uniform' ? Math.log : (x: number) => x;
  const widen = spec.type === 'int_uniform' ? 0.5 : 0;
  const low = toSpace(spec.min) - widen;
  const high = toSpace(spec.max) + widen;
  const points = observed
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    .filter((x) => spec.type !== 'log_uniform' || x > 0)
    .map((x) => Math.min(high, Math.max(low, toSpace(x))));
  const mixture = createTruncatedMixture(points, low, high);
  const fromSpace = (point: number): number => {
    if (spec.type === 'int_uniform') return Math.round(point);
    return spec.type === 'log_uniform' ? Math.exp(point) : point;
  };
  return {
    sample: mixture.sample,
    // An integer's density is read at the integer it rounds to, so both estimators agree on it.
    logDensity: (point) =>
      mixture.logDensity(spec.type === 'int_uniform' ? Math.round(point) : point),
    value: (point) => Math.min(spec.max, Math.max(spec.min, fromSpace(point))),
  };
}

/**
 * A mixture of truncated Gaussians, one per observed point plus a wide prior one at the range's
 * middle. Each point's width is the larger gap to its neighbours (Optuna's rule), kept between
 * range / min(100, n + 2) and the range itself: narrow where points crowd, never a spike.
 */
function createTruncatedMixture(points: number[], low: number, high: number) {
  const range = high - low;
  const centres = [...points].sort((a, b) => a - b);
  const narrowest = range / Math.min(100, 2 + centres.length);
  const component = (mu: number, sigma: number) => {
    const mass = normalCdf((high - mu) / sigma) - normalCdf((low - mu) / sigma);
    return { mu, sigma, logNormaliser: Math.log(Math.max(mass, 1e-300)) };
  };
  const components = centres.map((mu, index) => {
    const left = mu - (centres[index - 1] ?? low);
    const right = (centres[index + 1] ?? high) - mu;
    return component(mu, Math.min(range, Math.max(narrowest, left, right)));
  });
  components.push(component((low + high) / 2, range));
  const logWeight = -Math.log(components.length);
  return {
    sample: (random: SeededRandom): number => {
      const chosen = components[Math.floor(random.uniform() * components.length)]!;
      // Rejection keeps the draw truncated; a component almost outside the range falls back to
      // the nearest bound after a bounded number of tries.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const x = chosen.mu + chosen.sigma * random.normal();
        if (x >= low && x <= high) return x;
      }
      return Math.min(high, Math.max(low, chosen.mu));
    },
    logDensity: (point: number): number => {
      const terms = components.map(({ mu, sigma, logNormaliser }) => {
        const z = (point - mu) / sigma;
        return logWeight - 0.5 * z * z - Math.log(sigma * Math.sqrt(2 * Math.PI)) - logNormaliser;
      });
      return logSumExp(terms);
    },
  };
}

/** Frequencies of the candidates, smoothed by a prior of weight 1 spread evenly over them. */
function createCategorical(
  candidates: readonly HyperparameterValue[],
  observed: unknown[],
): Estimator {
  const weights = candidates.map(() => 1 / candidates.length);
  for (const value of observed) {
    const index = candidates.findIndex((each) => each === value);
    if (index >= 0) weights[index]! += 1;
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return {
    sample(random) {
      let left = random.uniform() * total;
      for (const [index, weight] of weights.entries()) {
        left -= weight;
        if (left < 0) return index;
      }
      return weights.length - 1;
    },
    logDensity: (index) => Math.log(weights[index]! / total),
    value: (index) => candidates[index]!,
  };
}

function logSumExp(terms: number[]): number {
  const top = Math.max(...terms);
  if (!Number.isFinite(top)) return top;
  return top + Math.log(terms.reduce((sum, term) => sum + Math.exp(term - top), 0));
}

/** Φ(z) from erfc (W. J. Cody's rational fit as in Numerical Recipes' erfcc, |error| < 1.2e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
