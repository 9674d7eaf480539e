/**
 * Ordering a project's experiments by a metric. A missing value (`null`) always goes last,
 * whichever the direction, so a sort never buries the rows that have the number.
 */
import type { ExperimentItem, ExperimentsResponse } from '../api.js';

export type Order = 'asc' | 'desc';
type Goal = ExperimentsResponse['goals'][string];

/** Sorts by `metric` in `order`; `byMagnitude` compares absolute values (goal "zero"). */
export function sortExperiments(
  experiments: readonly ExperimentItem[],
  metric: string,
  order: Order,
  byMagnitude = false,
): ExperimentItem[] {
  const sign = order === 'asc' ? 1 : -1;
  const key = (item: ExperimentItem): number | null => {
    const value = item.metrics[metric] ?? null;
    return value === null || !byMagnitude ? value : Math.abs(value);
  };
  return [...experiments].sort((left, right) => {
    const a = key(left);
    const b = key(right);
    if (a === null) return b === null ? 0 : 1;
    if (b === null) return -1;
    return (a - b) * sign;
  });
}

/** Best first by the metric's goal: higher → descending, lower → ascending, zero → |value|. */
export function rankExperiments(
  experiments: readonly ExperimentItem[],
  metric: string,
  goal: Goal | undefined,
): ExperimentItem[] {
  if (goal === 'zero') return sortExperiments(experiments, metric, 'asc', true);
  return sortExperiments(experiments, metric, goal === 'lower' ? 'asc' : 'desc');
}

/** The best value of a row of numbers by a goal (for highlighting), or `null`. */
export function bestValue(
  values: readonly (number | null)[],
  goal: Goal | undefined,
): number | null {
  const numbers = values.filter(
    (value): value is number => value !== null && Number.isFinite(value),
  );
  if (numbers.length === 0 || goal === undefined || goal === 'none') return null;
  if (goal === 'higher') return Math.max(...numbers);
  if (goal === 'lower') return Math.min(...numbers);
  return numbers.reduce((best, value) => (Math.abs(value) < Math.abs(best) ? value : best));
}
