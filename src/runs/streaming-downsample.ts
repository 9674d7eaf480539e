/**
 * Thinning a scalars file for a chart in bounded memory: the file is decoded a part at a time
 * and each part is boiled down to what `downsampleSeries` would keep, so a 500 MB file never
 * becomes a 500 MB buffer, a 500 MB string and 10 million points in memory at once.
 *
 * Two passes over the same bytes. The first ({@link scanScalarsPart}) finds each tag's point
 * count and step range, which fix `downsampleSeries`'s buckets; the second
 * ({@link reduceScalarsPart}) keeps, per tag, the first and last point and each bucket's lowest
 * and highest point. The parts' reductions merge in any order ({@link mergeThinParts}) into
 * exactly the points `downsampleSeries(decodeScalars(file)[tag], maxPoints)` returns: the choice
 * within a bucket is a minimum under one total order of the points (by value, then by position
 * in the sorted series, NaN last), and a point's position in the sorted series is its step, then
 * its part, then its line within the part (decodeScalars sorts stably by step).
 */
import type { PointSink, ScalarSeries } from './scalar-table.js';
import { decodeScalarPoints } from './scalar-table.js';

/** A tag's points in a file or part: how many, and their lowest and highest step. */
export interface StepRange {
  count: number;
  minStep: number;
  maxStep: number;
}

/** Points as five parallel arrays: the point, and where it is (part, line in the part's tag). */
export interface PointList {
  step: Float64Array;
  value: Float64Array;
  wallTime: Float64Array;
  part: Float64Array;
  /** -1: an empty slot. */
  line: Float64Array;
}

/** One tag's reduction of one or more parts of a file. */
export type ThinPart =
  /** The tag has `maxPoints` points or fewer: all of them. */
  | { kind: 'all'; points: PointList; length: number }
  /** The first and last point, and each bucket's lowest and highest. */
  | { kind: 'buckets'; first: PointList; last: PointList; low: PointList; high: PointList };

/** What decoding one part needs to know. */
export interface PartOptions {
  /** Only these tags; empty for all. */
  tags: readonly string[];
  /** The part starts after the file's header (every part but the first). */
  headerless: boolean;
}

interface Point {
  step: number;
  value: number;
  wallTime: number;
  part: number;
  line: number;
}

const decodeOptions = ({ tags, headerless }: PartOptions) => ({
  headerless,
  ...(tags.length > 0 && { tags: new Set(tags) }),
});

class RangeSink implements PointSink {
  readonly range: StepRange = { count: 0, minStep: Infinity, maxStep: -Infinity };

  push(step: number): void {
    const range = this.range;
    range.count += 1;
    if (step < range.minStep) range.minStep = step;
    if (step > range.maxStep) range.maxStep = step;
  }
}

/** Pass one over a part: each tag's count and step range. */
export function scanScalarsPart(
  bytes: Uint8Array,
  options: PartOptions,
): Record<string, StepRange> {
  const sinks = decodeScalarPoints(bytes, decodeOptions(options), () => new RangeSink());
  const ranges: Record<string, StepRange> = {};
  for (const [tag, sink] of sinks) if (sink.range.count > 0) ranges[tag] = sink.range;
  return ranges;
}

/** Adds one part's step ranges into `total` (which it returns). */
export function mergeStepRanges(
  total: Record<string, StepRange>,
  part: Record<string, StepRange>,
): Record<string, StepRange> {
  for (const [tag, range] of Object.entries(part)) {
    const known = total[tag];
    if (known === undefined) {
      total[tag] = { ...range };
      continue;
    }
    known.count += range.count;
    known.minStep = Math.min(known.minStep, range.minStep);
    known.maxStep = Math.max(known.maxStep, range.maxStep);
  }
  return total;
}

/** Whether point a (step, part, line) comes before point b in the sorted series. */
const before = (
  aStep: number,
  aPart: number,
  aLine: number,
  bStep: number,
  bPart: number,
  bLine: number,
): boolean => (aStep !== bStep ? aStep < bStep : aPart !== bPart ? aPart < bPart : aLine < bLine);

const pointBefore = (a: Point, b: Point): boolean =>
  before(a.step, a.part, a.line, b.step, b.part, b.line);

function pointList(size: number): PointList {
  return {
    step: new Float64Array(size),
    value: new Float64Array(size),
    wallTime: new Float64Array(size),
    part: new Float64Array(size),
    line: new Float64Array(size).fill(-1),
  };
}

const pointAt = (list: PointList, at: number): Point | undefined =>
  list.line[at]! < 0
    ? undefined
    : {
        step: list.step[at]!,
        value: list.value[at]!,
        wallTime: list.wallTime[at]!,
        part: list.part[at]!,
        line: list.line[at]!,
      };

function setPoint(
  list: PointList,
  at: number,
  step: number,
  value: number,
  wallTime: number,
  part: number,
  line: number,
): void {
  list.step[at] = step;
  list.value[at] = value;
  list.wallTime[at] = wallTime;
  list.part[at] = part;
  list.line[at] = line;
}

/**
 * Whether a point of `value` at (step, part, line) takes a bucket's slot from the one there:
 * `downsampleSeries`'s choice of the lowest (`sign` 1) or highest (`sign` -1) point. A lower
 * (higher) value wins, the earlier of equal values; a NaN only over another NaN, the later one
 * (its loop replaces a NaN by whatever comes next). One total order, so parts merge in any order.
 */
function takesSlot(
  list: PointList,
  at: number,
  sign: number,
  step: number,
  value: number,
  part: number,
  line: number,
): boolean {
  const kept = list.value[at]!;
  if (Number.isNaN(kept)) {
    return (
      !Number.isNaN(value) ||
      !before(step, part, line, list.step[at]!, list.part[at]!, list.line[at]!)
    );
  }
  if (Number.isNaN(value)) return false;
  if (value !== kept) return sign * value < sign * kept;
  return before(step, part, line, list.step[at]!, list.part[at]!, list.line[at]!);
}

/** The buckets `downsampleSeries` cuts a tag's step range into, for `maxPoints`. */
const bucketCount = (maxPoints: number): number => Math.floor(maxPoints / 2) - 1;

/** One tag's reduction, fed points in any order. */
class TagReducer {
  readonly #minStep: number;
  readonly #maxStep: number;
  readonly #buckets: number;
  readonly #bucketsPerStep: number;
  readonly part: ThinPart;

  constructor(range: StepRange, maxPoints: number) {
    this.#minStep = range.minStep;
    this.#maxStep = range.maxStep;
    this.#buckets = Math.max(0, bucketCount(maxPoints));
    const span = range.maxStep - range.minStep;
    this.#bucketsPerStep = span > 0 ? this.#buckets / span : 0;
    this.part =
      range.count <= maxPoints
        ? { kind: 'all', points: pointList(range.count), length: 0 }
        : {
            kind: 'buckets',
            first: pointList(1),
            last: pointList(1),
            low: pointList(this.#buckets),
            high: pointList(this.#buckets),
          };
  }

  offer(step: number, value: number, wallTime: number, part: number, line: number): void {
    const state = this.part;
    if (state.kind === 'all') {
      // More points than the scan counted means the file changed between the passes: the bound
      // holds all the same.
      if (state.length < state.points.line.length) {
        setPoint(state.points, state.length, step, value, wallTime, part, line);
        state.length += 1;
      }
      return;
    }
    // The lowest step's earliest point is the series' first, the highest step's latest its last;
    // a point that loses either place counts in its bucket like any other.
    if (step === this.#minStep) {
      const first = state.first;
      if (first.line[0]! < 0) {
        setPoint(first, 0, step, value, wallTime, part, line);
        return;
      }
      if (first.part[0] === part && first.line[0] === line) return;
      if (before(step, part, line, first.step[0]!, first.part[0]!, first.line[0]!)) {
        const moved = pointAt(first, 0)!;
        setPoint(first, 0, step, value, wallTime, part, line);
        this.offer(moved.step, moved.value, moved.wallTime, moved.part, moved.line);
        return;
      }
    }
    if (step === this.#maxStep) {
      const last = state.last;
      if (last.line[0]! < 0) {
        setPoint(last, 0, step, value, wallTime, part, line);
        return;
      }
      if (last.part[0] === part && last.line[0] === line) return;
      if (before(last.step[0]!, last.part[0]!, last.line[0]!, step, part, line)) {
        const moved = pointAt(last, 0)!;
        setPoint(last, 0, step, value, wallTime, part, line);
        this.offer(moved.step, moved.value, moved.wallTime, moved.part, moved.line);
        return;
      }
    }
    if (this.#buckets === 0) return;
    const bucket = Math.min(
      Math.floor((step - this.#minStep) * this.#bucketsPerStep),
      this.#buckets - 1,
    );
    const { low, high } = state;
    if (low.line[bucket]! < 0 || takesSlot(low, bucket, 1, step, value, part, line)) {
      setPoint(low, bucket, step, value, wallTime, part, line);
    }
    if (high.line[bucket]! < 0 || takesSlot(high, bucket, -1, step, value, part, line)) {
      setPoint(high, bucket, step, value, wallTime, part, line);
    }
  }
}

const samePoint = (a: Point, b: Point): boolean =>
  a.step === b.step && a.part === b.part && a.line === b.line;

/** Every point a reduction holds, each once. */
function* pointsOf(part: ThinPart): Generator<Point> {
  if (part.kind === 'all') {
    for (let at = 0; at < part.length; at += 1) yield pointAt(part.points, at)!;
    return;
  }
  for (const list of [part.first, part.last]) {
    const point = pointAt(list, 0);
    if (point !== undefined) yield point;
  }
  for (let at = 0; at < part.low.line.length; at += 1) {
    const low = pointAt(part.low, at);
    const high = pointAt(part.high, at);
    if (low !== undefined) yield low;
    if (high !== undefined && (low === undefined || !samePoint(low, high))) yield high;
  }
}

class ReduceSink implements PointSink {
  #line = 0;
  constructor(
    readonly reducer: TagReducer | undefined,
    readonly part: number,
  ) {}

  push(step: number, value: number, wallTime: number): void {
    this.reducer?.offer(step, value, wallTime, this.part, this.#line++);
  }
}

/** Options of {@link reduceScalarsPart}. */
export interface ReduceOptions extends PartOptions {
  /** The part's number: parts are numbered in file order from 0. */
  part: number;
  /** Every tag's count and step range in the whole file (pass one). */
  ranges: Record<string, StepRange>;
  maxPoints: number;
}

/** Pass two over a part: each tag's points reduced to what the thinned series may keep. */
export function reduceScalarsPart(
  bytes: Uint8Array,
  options: ReduceOptions,
): Record<string, ThinPart> {
  const sinks = decodeScalarPoints(bytes, decodeOptions(options), (tag) => {
    const range = options.ranges[tag];
    return new ReduceSink(
      range === undefined ? undefined : new TagReducer(range, options.maxPoints),
      options.part,
    );
  });
  const parts: Record<string, ThinPart> = {};
  for (const [tag, sink] of sinks) if (sink.reducer) parts[tag] = sink.reducer.part;
  return parts;
}

/** The parts' reductions merged (in any order), as one reduction per tag. */
export function mergeThinParts(
  ranges: Record<string, StepRange>,
  maxPoints: number,
  parts: readonly Record<string, ThinPart>[],
): Record<string, ThinPart> {
  const reducers = new Map<string, TagReducer>();
  for (const part of parts) {
    for (const [tag, reduced] of Object.entries(part)) {
      const range = ranges[tag];
      if (range === undefined) continue;
      let reducer = reducers.get(tag);
      if (reducer === undefined) reducers.set(tag, (reducer = new TagReducer(range, maxPoints)));
      for (const p of pointsOf(reduced)) reducer.offer(p.step, p.value, p.wallTime, p.part, p.line);
    }
  }
  const merged: Record<string, ThinPart> = {};
  for (const [tag, reducer] of reducers) merged[tag] = reducer.part;
  return merged;
}

/** A tag's thinned series from its merged reduction: `downsampleSeries`'s points, in step order. */
export function thinnedSeries(part: ThinPart): ScalarSeries {
  const points = [...pointsOf(part)].sort((a, b) =>
    pointBefore(a, b) ? -1 : pointBefore(b, a) ? 1 : 0,
  );
  return {
    step: Float64Array.from(points, (point) => point.step),
    value: Float64Array.from(points, (point) => point.value),
    wallTime: Float64Array.from(points, (point) => point.wallTime),
  };
}
