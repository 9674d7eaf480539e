/**
 * Thinning a step series for a chart. A chart a few thousand pixels wide cannot show a million
 * points, but averaging or picking every n-th point would hide the one step where the loss blew
 * up: keeping each stretch's lowest and highest point draws the same envelope as every point.
 */
import type { ScalarSeries } from './scalar-table.js';

/**
 * At most `maxPoints` points of a series (in step order), chosen so that spikes survive. The
 * first and last points are always kept; the step range between them is cut into
 * `floor(maxPoints / 2) - 1` buckets of equal width, and each bucket keeps its lowest and its
 * highest point, in step order (one point when they are the same). So at most
 * `2 × (floor(maxPoints / 2) - 1) + 2 ≤ maxPoints` points come back, fewer where buckets are
 * empty; from a `maxPoints` of 4 on, the lowest and highest values of the whole series are among
 * them (2 or 3 leave room for the first and last point only). A NaN value is kept only when its
 * bucket holds nothing else. A series of `maxPoints` points or fewer comes back as it is (the
 * same arrays). One pass, no sorting: the points must already be in step order (a point whose
 * step goes back counts in the bucket at hand).
 * @throws RangeError when `maxPoints` is not an integer of 2 or more.
 * @example downsampleSeries(series.loss, 2000) // for a chart about 2000 pixels wide
 */
export function downsampleSeries(series: ScalarSeries, maxPoints: number): ScalarSeries {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(
      `downsampleSeries: maxPoints is ${maxPoints}, not an integer of 2 or more`,
    );
  }
  const { step, value, wallTime } = series;
  const length = step.length;
  if (length <= maxPoints) return series;

  const buckets = Math.floor(maxPoints / 2) - 1;
  const size = 2 * buckets + 2;
  const kept = {
    step: new Float64Array(size),
    value: new Float64Array(size),
    wallTime: new Float64Array(size),
  };
  let count = 0;
  const keep = (index: number): void => {
    kept.step[count] = step[index]!;
    kept.value[count] = value[index]!;
    kept.wallTime[count] = wallTime[index]!;
    count += 1;
  };
  // The bucket at hand and its extremes so far (`low < 0`: nothing in it yet).
  let bucket = 0;
  let low = -1;
  let high = -1;
  let lowValue = Number.NaN;
  let highValue = Number.NaN;
  const keepBucket = (): void => {
    if (low < 0) return;
    keep(Math.min(low, high));
    if (high !== low) keep(Math.max(low, high));
  };

  keep(0);
  const first = step[0]!;
  const range = step[length - 1]! - first;
  // Every step equal: one bucket holds them all.
  const bucketsPerStep = range > 0 ? buckets / range : 0;
  for (let index = 1; buckets > 0 && index < length - 1; index += 1) {
    // A NaN step (none should be) fails the comparison and stays in the bucket at hand, so the
    // bound on the points kept holds whatever the steps are.
    const pointBucket = Math.min(Math.floor((step[index]! - first) * bucketsPerStep), buckets - 1);
    if (pointBucket > bucket) {
      keepBucket();
      bucket = pointBucket;
      low = -1;
    }
    const pointValue = value[index]!;
    if (low < 0) {
      low = high = index;
      lowValue = highValue = pointValue;
      continue;
    }
    if (pointValue < lowValue || Number.isNaN(lowValue)) {
      low = index;
      lowValue = pointValue;
    }
    if (pointValue > highValue || Number.isNaN(highValue)) {
      high = index;
      highValue = pointValue;
    }
  }
  keepBucket();
  keep(length - 1);
  return {
    step: kept.step.subarray(0, count),
    value: kept.value.subarray(0, count),
    wallTime: kept.wallTime.subarray(0, count),
  };
}
