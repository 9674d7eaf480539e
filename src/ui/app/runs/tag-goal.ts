/**
 * Which way a run's tag gets better, for highlighting the best run in a comparison. A tag records
 * no goal of its own: the core's metrics keep the goals `ml-tracking compare` ranks them by (read
 * from `src/metrics/metric-goals.ts`, the one source, which is pure and bundles with the page),
 * and any other tag is read from its name, as a person would: losses and errors get better
 * downwards, the rest (accuracy, reward, f1) upwards.
 */
import { coreMetricGoal, type MetricGoal } from '../../../metrics/metric-goals.js';

export type TagGoal = MetricGoal;

const LOWER_IS_BETTER = /loss|err|rmse|mse|mae|mape|perplexity/i;

export function tagGoal(tag: string): TagGoal {
  return coreMetricGoal(tag) ?? (LOWER_IS_BETTER.test(tag) ? 'lower' : 'higher');
}

/**
 * `values` best first by `goal` as indices (a stable order: ties and a goal of `none` keep the
 * given order; a missing value goes last), the way `ml-tracking compare --metric` orders runs.
 */
export function bestFirst(values: readonly (number | null | undefined)[], goal: TagGoal): number[] {
  const rank = (value: number | null | undefined): number => {
    if (value === null || value === undefined || Number.isNaN(value)) return Infinity;
    if (goal === 'higher') return -value;
    if (goal === 'lower') return value;
    if (goal === 'zero') return Math.abs(value);
    return 0;
  };
  return values
    .map((value, index) => ({ index, rank: rank(value) }))
    .sort((a, b) => (a.rank === b.rank ? 0 : a.rank < b.rank ? -1 : 1))
    .map((item) => item.index);
}
