/**
 * The Parzen estimator behind `tpe.ts`: a mixture with one component per observed trial plus one
 * wide "prior" component, each component a product of one kernel per hyperparameter (Optuna's
 * multivariate TPE, its default for single-objective studies since v4; Falkner et al.'s BOHB
 * fits a joint density too). Drawing picks a component, then every hyperparameter from that same
 * component, so a candidate stays near one good trial in all of its dimensions at once; an
 * independent estimator per hyperparameter mixes dimensions of unrelated trials.
 *
 * Points live in each hyperparameter's own space: the logarithm for `log_uniform`, the whole
 * number for `int_uniform`, the candidate's index for `choice`.
 */
import type { SeededRandom } from './_seeded-random.js';
import type { HyperparameterValue } from './sampling.js';
import type { HyperparameterSpec } from './sweep-config.js';

/** A density over the hyperparameters' joint space that can also be drawn from. */
export interface ParzenEstimator {
  sample(random: SeededRandom): number[];
  logDensity(point: readonly number[]): number;
}

/** One hyperparameter's kernels, one per component (the observations', then the prior's). */
interface Dimension {
  sample(component: number, random: SeededRandom): number;
  logDensity(component: number, point: number): number;
}

/** The prior component's weight, relative to an observation's (Optuna's `prior_weight`). */
const PRIOR_WEIGHT = 1;
/** The most recent observations that keep a full weight; older ones fade (Optuna's weights). */
const FULL_WEIGHT_OBSERVATIONS = 25;

/**
 * The estimator of a group of trials, given in trial order (older trials weigh less once there are
 * more than {@link FULL_WEIGHT_OBSERVATIONS}).
 * @param observed each trial's values, in the order of `specs`.
 */
export function createParzenEstimator(
  specs: readonly HyperparameterSpec[],
  observed: readonly (readonly unknown[])[],
): ParzenEstimator {
  const dimensions = specs.map((spec, index) =>
    createDimension(
      spec,
      observed.map((values) => values[index]),
    ),
  );
  const weights = [...observationWeights(observed.length), PRIOR_WEIGHT];
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const logWeights = weights.map((weight) => Math.log(weight / total));
  return {
    sample(random) {
      let left = random.uniform() * total;
      let component = weights.length - 1;
      for (const [index, weight] of weights.entries()) {
        left -= weight;
        if (left < 0) {
          component = index;
          break;
        }
      }
      return dimensions.map((dimension) => dimension.sample(component, random));
    },
    logDensity(point) {
      return logSumExp(
        logWeights.map((logWeight, component) =>
          dimensions.reduce(
            (sum, dimension, index) => sum + dimension.logDensity(component, point[index]!),
            logWeight,
          ),
        ),
      );
    },
  };
}

/** The hyperparameter's value at a point of its space. */
export function valueAt(spec: HyperparameterSpec, point: number): HyperparameterValue {
  if (spec.type === 'choice') return spec.candidates[point]!;
  const value =
    spec.type === 'log_uniform'
      ? Math.exp(point)
      : spec.type === 'int_uniform'
        ? Math.round(point)
        : point;
  return Math.min(spec.max, Math.max(spec.min, value));
}

/** Equal weights, but below the newest 25 a ramp from 1/n up to 1 (Optuna's `default_weights`). */
function observationWeights(count: number): number[] {
  if (count <= FULL_WEIGHT_OBSERVATIONS) return Array.from({ length: count }, () => 1);
  const ramp = count - FULL_WEIGHT_OBSERVATIONS;
  return Array.from({ length: count }, (_, index) =>
    index >= ramp ? 1 : ramp === 1 ? 1 / count : 1 / count + ((1 - 1 / count) * index) / (ramp - 1),
  );
}

function createDimension(spec: HyperparameterSpec, observed: readonly unknown[]): Dimension {
  if (spec.type === 'choice') return createCategorical(spec.candidates, observed);
  return createNumerical(spec, observed);
}

/**
 * Truncated Gaussians in the range's own space. Each observation's width is the larger gap to its
 * neighbours, the outermost ones measured inward only (Optuna's `consider_endpoints=False`: a
 * trial near a bound does not get a wide kernel just because the bound is far), kept between
 * range / min(100, n + 2) and the range (Optuna's "magic clip"); the prior is centred, as wide as
 * the range. An integer is a bin [k - ½, k + ½]: its density is the kernel's mass over the bin, so
 * every integer, the bounds included, gets its fair share.
 */
function createNumerical(
  spec: Exclude<HyperparameterSpec, { type: 'choice' }>,
  observed: readonly unknown[],
): Dimension {
  const log = spec.type === 'log_uniform';
  const whole = spec.type === 'int_uniform';
  const toSpace = log ? Math.log : (x: number) => x;
  const low = toSpace(spec.min) - (whole ? 0.5 : 0);
  const high = toSpace(spec.max) + (whole ? 0.5 : 0);
  const range = high - low;
  // Out of range values sit on the nearest bound; one that is no number at all (a record edited
  // by hand), in the middle.
  const mus = observed.map((x) =>
    typeof x === 'number' && Number.isFinite(x) && (!log || x > 0)
      ? Math.min(high, Math.max(low, toSpace(x)))
      : (low + high) / 2,
  );
  const order = mus.map((_, index) => index).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const narrowest = range / Math.min(100, mus.length + 2);
  const sigmas = new Array<number>(mus.length);
  order.forEach((index, rank) => {
    const mu = mus[index]!;
    const below = order[rank - 1];
    const above = order[rank + 1];
    const left = below === undefined ? undefined : mu - mus[below]!;
    const right = above === undefined ? undefined : mus[above]! - mu;
    // One observation alone has no neighbour: measure it to the bounds.
    const gap =
      left === undefined && right === undefined
        ? Math.max(mu - low, high - mu)
        : Math.max(left ?? 0, right ?? 0);
    sigmas[index] = Math.min(range, Math.max(narrowest, gap));
  });
  mus.push((low + high) / 2);
  sigmas.push(range);
  const logMass = (mu: number, sigma: number, from: number, to: number) =>
    Math.log(Math.max(normalCdf((to - mu) / sigma) - normalCdf((from - mu) / sigma), 1e-300));
  const logNormalisers = mus.map((mu, component) => logMass(mu, sigmas[component]!, low, high));
  return {
    sample(component, random) {
      const mu = mus[component]!;
      const sigma = sigmas[component]!;
      // Rejection keeps the draw truncated; a component almost outside the range falls back to
      // its centre after a bounded number of tries.
      let x = mu;
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const draw = mu + sigma * random.normal();
        if (draw >= low && draw <= high) {
          x = draw;
          break;
        }
      }
      return whole ? Math.min(spec.max, Math.max(spec.min, Math.round(x))) : x;
    },
    logDensity(component, point) {
      const mu = mus[component]!;
      const sigma = sigmas[component]!;
      if (whole) {
        const bin = Math.round(point);
        return (
          logMass(mu, sigma, Math.max(low, bin - 0.5), Math.min(high, bin + 0.5)) -
          logNormalisers[component]!
        );
      }
      const z = (point - mu) / sigma;
      return -0.5 * z * z - Math.log(sigma * Math.sqrt(2 * Math.PI)) - logNormalisers[component]!;
    },
  };
}

/**
 * Each observation's kernel puts most of its weight on the candidate it ran and spreads a prior
 * share of 1 / (n + 1) evenly over all candidates (Optuna's categorical kernel, an
 * Aitchison-Aitken-like smoothing that shrinks as trials accumulate); the prior is uniform.
 */
function createCategorical(
  candidates: readonly HyperparameterValue[],
  observed: readonly unknown[],
): Dimension {
  const share = PRIOR_WEIGHT / (observed.length + 1);
  const rows = observed.map((value) => {
    const row = candidates.map(() => share);
    const index = candidates.findIndex((each) => each === value);
    if (index >= 0) row[index]! += 1;
    return normalised(row);
  });
  rows.push(candidates.map(() => 1 / candidates.length));
  return {
    sample(component, random) {
      const row = rows[component]!;
      let left = random.uniform();
      for (const [index, weight] of row.entries()) {
        left -= weight;
        if (left < 0) return index;
      }
      return row.length - 1;
    },
    logDensity: (component, index) => Math.log(rows[component]![index] ?? 0),
  };
}

function normalised(weights: number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
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
