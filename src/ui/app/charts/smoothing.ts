/**
 * TensorBoard's smoothing: an exponential moving average whose start is debiased (divided by
 * `1 - weight^n`), so the first points are not pulled towards zero. A value that is not a
 * finite number (`null`) passes through as a gap and does not disturb the average.
 */
export function smoothValues(
  values: readonly (number | null)[],
  weight: number,
): (number | null)[] {
  if (weight <= 0) return values as (number | null)[];
  const smoothed = new Array<number | null>(values.length);
  let average = 0;
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] ?? null;
    if (value === null || !Number.isFinite(value)) {
      smoothed[index] = null;
      continue;
    }
    average = average * weight + (1 - weight) * value;
    count += 1;
    smoothed[index] = average / (1 - weight ** count);
  }
  return smoothed;
}

/** Values a log scale cannot place (zero, negatives) become gaps. */
export function positiveOnly(values: readonly (number | null)[]): (number | null)[] {
  return values.map((value) => (value !== null && value > 0 ? value : null));
}
