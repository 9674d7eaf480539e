/**
 * Decoding a scalars file and thinning each tag for a chart: the CPU-heavy part of a chart
 * request, shared by the worker threads and the in-process fallback so both answer alike.
 */
import { downsampleSeries } from '../../runs/downsample.js';
import { decodeScalars, type ScalarSeries } from '../../runs/scalar-table.js';

/** What a worker is asked: one run's scalars file. */
export interface ThinRequest {
  bytes: Uint8Array;
  /** Only these tags; empty for all. */
  tags: readonly string[];
  maxPoints: number;
}

/** The run's series by tag, each at most `maxPoints` points. */
export function thinSeries(request: ThinRequest): Record<string, ScalarSeries> {
  const series = decodeScalars(
    request.bytes,
    request.tags.length === 0 ? {} : { tags: new Set(request.tags) },
  );
  const thinned: Record<string, ScalarSeries> = {};
  for (const [tag, points] of Object.entries(series)) {
    const kept = downsampleSeries(points, request.maxPoints);
    // Own copies, so that a worker can hand the buffers over instead of copying them.
    thinned[tag] = {
      step: kept.step.slice(),
      value: kept.value.slice(),
      wallTime: kept.wallTime.slice(),
    };
  }
  return thinned;
}
