/**
 * The CPU-heavy part of a chart request, shared by the worker threads and the in-process
 * fallback so both answer alike: a small scalars file decoded and each tag thinned at once, or
 * one part of a large file scanned or reduced (see `runs/thin-scalars-file.ts`).
 */
import { downsampleSeries } from '../../runs/downsample.js';
import { decodeScalars, type ScalarSeries } from '../../runs/scalar-table.js';
import {
  reduceScalarsPart,
  scanScalarsPart,
  type PartOptions,
  type ReduceOptions,
  type StepRange,
  type ThinPart,
} from '../../runs/streaming-downsample.js';

/** What a worker is asked: one run's scalars file. */
export interface ThinRequest {
  bytes: Uint8Array;
  /** Only these tags; empty for all. */
  tags: readonly string[];
  maxPoints: number;
}

/** One piece of work for a decoding thread. */
export type ThinTask =
  | ({ kind: 'thin' } & ThinRequest)
  | { kind: 'scan'; bytes: Uint8Array; options: PartOptions }
  | { kind: 'reduce'; bytes: Uint8Array; options: ReduceOptions };

/** What a task answers, by kind. */
export type ThinResult = Record<string, ScalarSeries | StepRange | ThinPart>;

/** Carries out a task. */
export function runThinTask(task: ThinTask): ThinResult {
  switch (task.kind) {
    case 'thin':
      return thinSeries(task);
    case 'scan':
      return scanScalarsPart(task.bytes, task.options);
    case 'reduce':
      return reduceScalarsPart(task.bytes, task.options);
  }
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
