/**
 * Answering a chart from a series index: each tag starts from the index's frontier (a few coarse
 * records) and descends only where it must: into records that straddle the step range asked for,
 * and everywhere while there are fewer pieces than points asked for. Level-1 records descend into
 * the rows of their block, decoded from the scalars file. What comes back keeps the guarantees of
 * `downsampleSeries`: the first and the last point, and the lowest and highest point of each range
 * (ranges of nearly equal step width whose edges fall between the index's records); a series of
 * `maxPoints` points or fewer in range comes back whole, exactly as decoded.
 */
import { downsampleSeries } from '../runs/downsample.js';
import type { ScalarSeries } from '../runs/scalar-table.js';
import { FIELD, RECORD_FIELDS } from './lod-format.js';
import { IndexProblem } from './index-problem.js';
import type { LodFrontier, LodSource } from './lod-index.js';

/** What a chart asks for. */
export interface SeriesRequest {
  /** Only these tags; `undefined` for all. */
  tags: ReadonlySet<string> | undefined;
  /** At most this many points per tag; `Infinity` for every point in range. */
  maxPoints: number;
  /** Only points whose step is in `[from, to]`. */
  steps?: readonly [number, number] | undefined;
}

/** Rows of the scalars file to decode: `[start, end)`, whole rows, for these tags. */
export interface BlockRequest {
  start: number;
  end: number;
  tags: ReadonlySet<string>;
}

/** Decodes blocks of the scalars file: each block's series by tag, sorted by step (stably). */
export type BlockReader = (
  blocks: readonly BlockRequest[],
) => Promise<Record<string, ScalarSeries>[]>;

interface RecordPiece {
  kind: 'record';
  source: LodSource;
  level: number;
  records: Float64Array;
  at: number;
}

/** Points sorted by step. */
interface PointsPiece extends ScalarSeries {
  kind: 'points';
}

type Piece = RecordPiece | PointsPiece;

/**
 * Each wanted tag's series from the frontiers (in file order) and the decoded rows after them.
 * @throws IndexProblem when a record's children or rows do not add up to it.
 */
export async function querySeries(
  frontiers: readonly LodFrontier[],
  tail: Record<string, ScalarSeries>,
  request: SeriesRequest,
  readBlocks: BlockReader,
): Promise<Record<string, ScalarSeries>> {
  const lists = new Map<string, Piece[]>();
  const wanted = (tag: string) => request.tags === undefined || request.tags.has(tag);
  for (const frontier of frontiers) {
    for (const { source, level, records } of frontier.runs) {
      for (let at = 0; at < records.length; at += RECORD_FIELDS) {
        const tag = source.tags[records[at + FIELD.tag]!]!;
        if (!wanted(tag)) continue;
        let list = lists.get(tag);
        if (list === undefined) lists.set(tag, (list = []));
        list.push({ kind: 'record', source, level, records, at });
      }
    }
  }
  for (const [tag, series] of Object.entries(tail)) {
    if (!wanted(tag) || series.step.length === 0) continue;
    let list = lists.get(tag);
    if (list === undefined) lists.set(tag, (list = []));
    list.push({ kind: 'points', ...series });
  }

  for (;;) {
    const expand = new Map<string, Set<number>>();
    for (const [tag, pieces] of lists) {
      const { kept, marked } = classify(pieces, request);
      lists.set(tag, kept);
      if (marked.size > 0) expand.set(tag, marked);
    }
    if (expand.size === 0) break;
    const expanded = await expandPieces(lists, expand, readBlocks);
    for (const [tag, marked] of expand) {
      const next: Piece[] = [];
      for (const [index, piece] of lists.get(tag)!.entries()) {
        if (marked.has(index)) next.push(...expanded.get(piece)!);
        else next.push(piece);
      }
      lists.set(tag, next);
    }
  }

  const result: Record<string, ScalarSeries> = {};
  for (const [tag, pieces] of lists) {
    if (pieces.length === 0) continue;
    result[tag] = pieces.every((piece) => piece.kind === 'points')
      ? thinPoints(pieces, request.maxPoints)
      : mergeSummaries(pieces, request.maxPoints);
  }
  return result;
}

/**
 * Pieces in range (records of at most two points become those points) and which of them must
 * descend: those that straddle the range, and those wider than the answer can show. The answer
 * cuts the steps in range into `maxPoints / 2` ranges; a record wider than half a range descends
 * (so each range holds about two pieces or more, as at the level with at least `maxPoints`
 * records). A level-1 record, whose children are rows to decode (its block's rows of every
 * tag), descends only when it straddles the range or the series is short enough to come back
 * whole: a tag with few points per block gets wider ranges (each with its lowest and highest
 * point) rather than a read of the whole file.
 */
function classify(
  pieces: readonly Piece[],
  request: SeriesRequest,
): { kept: Piece[]; marked: Set<number> } {
  const [from, to] = request.steps ?? [-Infinity, Infinity];
  const kept: Piece[] = [];
  const marked = new Set<number>();
  const inside: number[] = [];
  let total = 0;
  let first = Infinity;
  let last = -Infinity;
  const keepPoints = (points: PointsPiece) => {
    const cut = cutToSteps(points, from, to);
    if (cut.step.length === 0) return;
    kept.push(cut);
    total += cut.step.length;
    first = Math.min(first, cut.step[0]!);
    last = Math.max(last, cut.step[cut.step.length - 1]!);
  };
  for (const piece of pieces) {
    if (piece.kind === 'points') {
      keepPoints(piece);
      continue;
    }
    const { records, at } = piece;
    const low = records[at + FIELD.lowStep]!;
    const high = records[at + FIELD.highStep]!;
    if (high < from || low > to) continue;
    const count = records[at + FIELD.count]!;
    if (count <= 2) {
      // The lowest and the highest step's points are all of them.
      keepPoints(summaryPoints(records, at, count));
      continue;
    }
    kept.push(piece);
    total += count;
    first = Math.min(first, Math.max(low, from));
    last = Math.max(last, Math.min(high, to));
    if (low >= from && high <= to) inside.push(kept.length - 1);
    else marked.add(kept.length - 1);
  }
  const whole = total <= request.maxPoints;
  const range = (last - first) / Math.max(1, Math.floor(request.maxPoints / 2) - 1);
  for (const index of inside) {
    const { records, at, level } = kept[index] as RecordPiece;
    const width = records[at + FIELD.highStep]! - records[at + FIELD.lowStep]!;
    if (whole || (level > 1 && width > range / 2)) marked.add(index);
  }
  return { kept, marked };
}

function summaryPoints(records: Float64Array, at: number, count: number): PointsPiece {
  const fields = count === 1 ? [FIELD.lowStep] : [FIELD.lowStep, FIELD.highStep];
  return {
    kind: 'points',
    step: Float64Array.from(fields, (field) => records[at + field]!),
    value: Float64Array.from(fields, (field) => records[at + field + 1]!),
    wallTime: Float64Array.from(fields, (field) => records[at + field + 2]!),
  };
}

/** The points with a step in `[from, to]` (a view). */
function cutToSteps(points: PointsPiece, from: number, to: number): PointsPiece {
  const { step } = points;
  if (step.length === 0 || (step[0]! >= from && step[step.length - 1]! <= to)) return points;
  const start = firstAtLeast(step, from);
  let end = firstAtLeast(step, to);
  while (end < step.length && step[end]! <= to) end += 1;
  return {
    kind: 'points',
    step: step.subarray(start, end),
    value: points.value.subarray(start, end),
    wallTime: points.wallTime.subarray(start, end),
  };
}

function firstAtLeast(sorted: Float64Array, bound: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < bound) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** What each marked record descends into: its children of its tag, or its block's rows. */
async function expandPieces(
  lists: ReadonlyMap<string, readonly Piece[]>,
  expand: ReadonlyMap<string, ReadonlySet<number>>,
  readBlocks: BlockReader,
): Promise<Map<Piece, Piece[]>> {
  const records: RecordPiece[] = [];
  const blocks = new Map<
    string,
    { request: BlockRequest & { tags: Set<string> }; pieces: [RecordPiece, string][] }
  >();
  for (const [tag, marked] of expand) {
    const pieces = lists.get(tag)!;
    for (const index of marked) {
      const piece = pieces[index] as RecordPiece;
      if (piece.level > 1) {
        records.push(piece);
        continue;
      }
      const start = piece.records[piece.at + FIELD.byteStart]!;
      const end = piece.records[piece.at + FIELD.byteEnd]!;
      const key = `${start}-${end}`;
      let block = blocks.get(key);
      if (block === undefined) {
        block = { request: { start, end, tags: new Set() }, pieces: [] };
        blocks.set(key, block);
      }
      block.request.tags.add(tag);
      block.pieces.push([piece, tag]);
    }
  }
  const expanded = new Map<Piece, Piece[]>();
  const ordered = [...blocks.values()].sort((a, b) => a.request.start - b.request.start);
  const [children, decoded] = await Promise.all([
    readChildren(records),
    readBlocks(ordered.map((block) => block.request)),
  ]);
  for (const [piece, pieces] of children) expanded.set(piece, pieces);
  for (const [index, block] of ordered.entries()) {
    for (const [piece, tag] of block.pieces) {
      const series = decoded[index]?.[tag];
      if (series === undefined || series.step.length !== piece.records[piece.at + FIELD.count]) {
        throw new IndexProblem(`the rows of a block do not hold the points its record counts`);
      }
      expanded.set(piece, [{ kind: 'points', ...series }]);
    }
  }
  return expanded;
}

/** The children of records above level 1, read once per source and level where they touch. */
async function readChildren(pieces: readonly RecordPiece[]): Promise<Map<Piece, Piece[]>> {
  const groups = new Map<LodSource, Map<number, RecordPiece[]>>();
  for (const piece of pieces) {
    let bySource = groups.get(piece.source);
    if (bySource === undefined) {
      bySource = new Map<number, RecordPiece[]>();
      groups.set(piece.source, bySource);
    }
    const list: RecordPiece[] = bySource.get(piece.level - 1) ?? [];
    list.push(piece);
    bySource.set(piece.level - 1, list);
  }
  const expanded = new Map<Piece, Piece[]>();
  const reads: Promise<void>[] = [];
  for (const [source, byLevel] of groups) {
    for (const [level, parents] of byLevel) {
      const start = (piece: RecordPiece) => piece.records[piece.at + FIELD.childStart]!;
      const end = (piece: RecordPiece) => piece.records[piece.at + FIELD.childEnd]!;
      parents.sort((a, b) => start(a) - start(b));
      // Parents of one block (several tags) and neighbouring blocks share one read.
      let group: RecordPiece[] = [];
      let groupEnd = -1;
      const flush = (members: RecordPiece[], to: number) => {
        if (members.length === 0) return;
        const from = start(members[0]!);
        reads.push(
          source.read(level, from, to).then((children) => {
            for (const parent of members) {
              expanded.set(parent, childrenOf(parent, children, from, level));
            }
          }),
        );
      };
      for (const parent of parents) {
        if (group.length > 0 && start(parent) > groupEnd) {
          flush(group, groupEnd);
          group = [];
        }
        group.push(parent);
        groupEnd = Math.max(groupEnd, end(parent));
      }
      flush(group, groupEnd);
    }
  }
  await Promise.all(reads);
  return expanded;
}

/** A parent's children of its tag, checked to tile it and to add up to its count. */
function childrenOf(
  parent: RecordPiece,
  children: Float64Array,
  first: number,
  level: number,
): RecordPiece[] {
  const { records, at, source } = parent;
  const from = (records[at + FIELD.childStart]! - first) * RECORD_FIELDS;
  const to = (records[at + FIELD.childEnd]! - first) * RECORD_FIELDS;
  const tag = records[at + FIELD.tag]!;
  const pieces: RecordPiece[] = [];
  let count = 0;
  for (let child = from; child < to; child += RECORD_FIELDS) {
    if (children[child + FIELD.tag] !== tag) continue;
    pieces.push({ kind: 'record', source, level, records: children, at: child });
    count += children[child + FIELD.count]!;
  }
  const tiles =
    to > from &&
    children[from + FIELD.byteStart] === records[at + FIELD.byteStart] &&
    children[to - RECORD_FIELDS + FIELD.byteEnd] === records[at + FIELD.byteEnd];
  if (!tiles || count !== records[at + FIELD.count]) {
    throw new IndexProblem(`a record's children at level ${level} do not add up to it`);
  }
  return pieces;
}

/** Points pieces in file order as one series sorted by step (stably), thinned to `maxPoints`. */
function thinPoints(pieces: readonly Piece[], maxPoints: number): ScalarSeries {
  const parts = pieces as readonly PointsPiece[];
  const total = parts.reduce((sum, part) => sum + part.step.length, 0);
  let series: ScalarSeries;
  if (parts.length === 1) {
    series = { step: parts[0]!.step, value: parts[0]!.value, wallTime: parts[0]!.wallTime };
  } else {
    series = {
      step: new Float64Array(total),
      value: new Float64Array(total),
      wallTime: new Float64Array(total),
    };
    let at = 0;
    for (const part of parts) {
      series.step.set(part.step, at);
      series.value.set(part.value, at);
      series.wallTime.set(part.wallTime, at);
      at += part.step.length;
    }
    series = sortedByStep(series);
  }
  return maxPoints >= total ? series : downsampleSeries(series, maxPoints);
}

/** A stable sort by step (the series as it is when already sorted). */
function sortedByStep(series: ScalarSeries): ScalarSeries {
  const { step, value, wallTime } = series;
  let sorted = true;
  for (let index = 1; index < step.length && sorted; index += 1) {
    sorted = step[index - 1]! <= step[index]!;
  }
  if (sorted) return series;
  const order = Array.from(step.keys()).sort((a, b) => step[a]! - step[b]! || a - b);
  return {
    step: Float64Array.from(order, (index) => step[index]!),
    value: Float64Array.from(order, (index) => value[index]!),
    wallTime: Float64Array.from(order, (index) => wallTime[index]!),
  };
}

/** Fields per candidate entry: the lowest-step, highest-step, lowest and highest points. */
const ENTRY = 12;
const LOW = 0;
const HIGH = 3;
const MIN = 6;
const MAX = 9;

/**
 * At most `maxPoints` points from pieces of which some are summaries: the first and the last
 * point, and per range the lowest and highest; a summary counts whole in the range its lowest
 * step falls in, so each range's extremes are exact. Entries (a record, or one point of a points
 * piece) are in file order, which breaks ties as a stable sort by step does.
 */
function mergeSummaries(pieces: readonly Piece[], maxPoints: number): ScalarSeries {
  let count = 0;
  for (const piece of pieces) count += piece.kind === 'record' ? 1 : piece.step.length;
  // Each entry's four points (step, value, wall time each), as a record lays them out.
  const entries = new Float64Array(count * ENTRY);
  let entry = 0;
  for (const piece of pieces) {
    if (piece.kind === 'record') {
      const from = piece.at + FIELD.lowStep;
      entries.set(piece.records.subarray(from, from + ENTRY), entry * ENTRY);
      entry += 1;
      continue;
    }
    for (let index = 0; index < piece.step.length; index += 1, entry += 1) {
      for (let slot = 0; slot < ENTRY; slot += 3) {
        entries[entry * ENTRY + slot] = piece.step[index]!;
        entries[entry * ENTRY + slot + 1] = piece.value[index]!;
        entries[entry * ENTRY + slot + 2] = piece.wallTime[index]!;
      }
    }
  }
  let first = 0;
  let last = 0;
  for (let at = 1; at < count; at += 1) {
    if (entries[at * ENTRY + LOW]! < entries[first * ENTRY + LOW]!) first = at;
    if (entries[at * ENTRY + HIGH]! >= entries[last * ENTRY + HIGH]!) last = at;
  }
  const firstStep = entries[first * ENTRY + LOW]!;
  const span = entries[last * ENTRY + HIGH]! - firstStep;
  const ranges = Math.max(0, Math.floor(maxPoints / 2) - 1);
  // Per range, the entry holding its lowest and its highest point (-1: none yet).
  const lows = new Int32Array(ranges).fill(-1);
  const highs = new Int32Array(ranges).fill(-1);
  for (let at = 0; at < (ranges > 0 ? count : 0); at += 1) {
    const offset = (entries[at * ENTRY + LOW]! - firstStep) * ranges;
    const range = span > 0 ? Math.max(0, Math.min(ranges - 1, Math.floor(offset / span))) : 0;
    const lowest = lows[range]!;
    if (lowest < 0 || lower(entries[at * ENTRY + MIN + 1]!, entries[lowest * ENTRY + MIN + 1]!)) {
      lows[range] = at;
    }
    const highest = highs[range]!;
    if (highest < 0 || lower(entries[highest * ENTRY + MAX + 1]!, entries[at * ENTRY + MAX + 1]!)) {
      highs[range] = at;
    }
  }
  // The points kept, as (entry, slot), each once: one point may fill several slots of its entry.
  const kept: { entry: number; slot: number }[] = [{ entry: first, slot: LOW }];
  for (let range = 0; range < ranges; range += 1) {
    if (lows[range]! >= 0) kept.push({ entry: lows[range]!, slot: MIN });
    if (highs[range]! >= 0) kept.push({ entry: highs[range]!, slot: MAX });
  }
  kept.push({ entry: last, slot: HIGH });
  const field = (point: { entry: number; slot: number }, offset: number) =>
    entries[point.entry * ENTRY + point.slot + offset]!;
  const seen = new Set<string>();
  const points = kept
    .filter((point) => {
      const key = `${point.entry}:${field(point, 0)}:${field(point, 1)}:${field(point, 2)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => field(a, 0) - field(b, 0) || a.entry - b.entry);
  return {
    step: Float64Array.from(points, (point) => field(point, 0)),
    value: Float64Array.from(points, (point) => field(point, 1)),
    wallTime: Float64Array.from(points, (point) => field(point, 2)),
  };
}

/** `a` comes before `b` as a lowest value: lower, or a number where `b` is NaN. */
const lower = (a: number, b: number): boolean => a < b || (Number.isNaN(b) && !Number.isNaN(a));
