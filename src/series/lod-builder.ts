/**
 * Builds the series index (see `lod-format.ts`) from rows in file order, as they are written or
 * read: the run writer feeds each batch that landed, a reader feeds an old series it decodes.
 * Both cut the same blocks from the same rows, so the index does not depend on who built it.
 */
import {
  BLOCK_MOST_ROWS,
  BLOCK_POINTS_PER_TAG,
  FIELD,
  LEVEL_FANOUT,
  RECORD_FIELDS,
} from './lod-format.js';

/** Rows of the scalars file, in file order: the first `length` entries of each array. */
export interface LodRows {
  /** The row's tag number (the builder's caller names the tags). */
  tag: ArrayLike<number>;
  step: Float64Array;
  value: Float64Array;
  wallTime: Float64Array;
  /** The byte after the row, in the scalars file. */
  rowEnd: Float64Array;
  length: number;
}

/** Summary fields per tag: a record's fields from `count` to `maxWall`. */
const SUMMARY = FIELD.maxWall + 1 - FIELD.count;
const S_COUNT = 0;
const S_LOW = FIELD.lowStep - FIELD.count;
const S_HIGH = FIELD.highStep - FIELD.count;
const S_MIN = FIELD.minStep - FIELD.count;
const S_MAX = FIELD.maxStep - FIELD.count;

/** Each tag's summary over a block, in the order tags first appear in it. */
class BlockSummaries {
  /** Tag number → slot + 1 (0: not in this block). */
  private slotOf = new Int32Array(64);
  readonly tags: number[] = [];
  data = new Float64Array(8 * SUMMARY);
  rows = 0;
  byteStart = 0;
  /** Level > 1: the first child record. */
  childStart = 0;
  /** Blocks of the level below merged in (level > 1). */
  blocks = 0;

  private slot(tag: number): number {
    if (tag >= this.slotOf.length) {
      const grown = new Int32Array(Math.max(tag + 1, this.slotOf.length * 2));
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    const known = this.slotOf[tag]!;
    if (known > 0) return known - 1;
    const slot = this.tags.length;
    this.tags.push(tag);
    this.slotOf[tag] = slot + 1;
    if ((slot + 1) * SUMMARY > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[slot * SUMMARY + S_COUNT] = 0;
    return slot;
  }

  /** Adds a point; resolves whether its tag is new in the block. */
  addPoint(tag: number, step: number, value: number, wallTime: number): boolean {
    const known = tag < this.slotOf.length ? this.slotOf[tag]! : 0;
    const at = (known > 0 ? known - 1 : this.slot(tag)) * SUMMARY;
    const data = this.data;
    if (known === 0) {
      for (let field = S_LOW; field <= S_MAX; field += 3) {
        setPoint(data, at + field, step, value, wallTime);
      }
      data[at + S_COUNT] = 1;
      return true;
    }
    data[at + S_COUNT]! += 1;
    // Ties: the lowest step's earliest point and the highest step's latest, as a stable sort by
    // step puts them first and last.
    if (step < data[at + S_LOW]!) setPoint(data, at + S_LOW, step, value, wallTime);
    if (step >= data[at + S_HIGH]!) setPoint(data, at + S_HIGH, step, value, wallTime);
    // A NaN is kept only while nothing else is there (as downsampleSeries keeps it).
    const min = data[at + S_MIN + 1]!;
    if (value < min || (min !== min && value === value)) {
      setPoint(data, at + S_MIN, step, value, wallTime);
    }
    const max = data[at + S_MAX + 1]!;
    if (value > max || (max !== max && value === value)) {
      setPoint(data, at + S_MAX, step, value, wallTime);
    }
    return false;
  }

  /** Merges a later block's summary of `tag` (record fields from `count` on, at `from`). */
  addSummary(tag: number, records: Float64Array, from: number): void {
    // After slot(): a new slot may grow the array.
    const at = this.slot(tag) * SUMMARY;
    const data = this.data;
    if (data[at + S_COUNT] === 0) {
      for (let field = 0; field < SUMMARY; field += 1) data[at + field] = records[from + field]!;
      return;
    }
    data[at + S_COUNT]! += records[from + S_COUNT]!;
    if (records[from + S_LOW]! < data[at + S_LOW]!)
      copyPoint(records, from + S_LOW, data, at + S_LOW);
    if (records[from + S_HIGH]! >= data[at + S_HIGH]!) {
      copyPoint(records, from + S_HIGH, data, at + S_HIGH);
    }
    const min = data[at + S_MIN + 1]!;
    const otherMin = records[from + S_MIN + 1]!;
    if (otherMin < min || (min !== min && otherMin === otherMin)) {
      copyPoint(records, from + S_MIN, data, at + S_MIN);
    }
    const max = data[at + S_MAX + 1]!;
    const otherMax = records[from + S_MAX + 1]!;
    if (otherMax > max || (max !== max && otherMax === otherMax)) {
      copyPoint(records, from + S_MAX, data, at + S_MAX);
    }
  }

  clear(byteStart: number): void {
    for (const tag of this.tags) this.slotOf[tag] = 0;
    this.tags.length = 0;
    this.rows = 0;
    this.blocks = 0;
    this.byteStart = byteStart;
  }
}

function setPoint(data: Float64Array, at: number, step: number, value: number, wall: number): void {
  data[at] = step;
  data[at + 1] = value;
  data[at + 2] = wall;
}

function copyPoint(from: Float64Array, at: number, to: Float64Array, into: number): void {
  to[into] = from[at]!;
  to[into + 1] = from[at + 1]!;
  to[into + 2] = from[at + 2]!;
}

/** Records of one level made since they were last taken, grown by doubling. */
class RecordList {
  data = new Float64Array(64 * RECORD_FIELDS);
  length = 0;

  /** Room for one more record; returns where it starts. */
  push(): number {
    const at = this.length * RECORD_FIELDS;
    if (at + RECORD_FIELDS > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.length += 1;
    return at;
  }
}

/**
 * The index of rows fed in file order, level by level. `take()` hands over the records made
 * since the last take (what a writer appends); without it every record stays (a reader's index
 * in memory).
 */
export class LodBuilder {
  /** Index 0 is level 1. */
  private readonly made: RecordList[] = [];
  /** Records ever made per level (index 0: level 1), taken or not. */
  private readonly counts: number[] = [];
  /** The level-1 block being filled, then per level the block of the next one being filled. */
  private readonly open: BlockSummaries[] = [];
  private end: number;

  /** @param byteStart where the first row starts in the scalars file (after its header). */
  constructor(byteStart: number) {
    this.end = byteStart;
    this.open.push(new BlockSummaries());
    this.open[0]!.clear(byteStart);
  }

  /** Where the last closed level-1 block ends: the index covers the file up to here. */
  get coverage(): number {
    return this.end;
  }

  /** Levels with at least one record. */
  get levels(): number {
    return this.counts.length;
  }

  /** Records ever made at `level` (from 1). */
  count(level: number): number {
    return this.counts[level - 1] ?? 0;
  }

  /** Records made at `level` and not taken, in order. */
  records(level: number): Float64Array {
    const list = this.made[level - 1];
    return list === undefined
      ? new Float64Array(0)
      : list.data.subarray(0, list.length * RECORD_FIELDS);
  }

  addRows(rows: LodRows): void {
    const block = this.open[0]!;
    const { tag, step, value, wallTime, rowEnd } = rows;
    let limit = Math.min(BLOCK_POINTS_PER_TAG * block.tags.length, BLOCK_MOST_ROWS);
    for (let row = 0; row < rows.length; row += 1) {
      if (block.addPoint(tag[row]!, step[row]!, value[row]!, wallTime[row]!)) {
        limit = Math.min(BLOCK_POINTS_PER_TAG * block.tags.length, BLOCK_MOST_ROWS);
      }
      block.rows += 1;
      if (block.rows >= limit) this.closeBlock(1, rowEnd[row]!);
    }
    if (rows.length > 0) this.pendingEnd = rowEnd[rows.length - 1]!;
  }

  /** Closes the level-1 block being filled (the series ended): the index covers every row fed. */
  seal(): void {
    if (this.open[0]!.rows > 0) this.closeBlock(1, this.pendingEnd);
  }

  /** The records made since the last take, per level from 1 (copies). */
  take(): Float64Array[] {
    const taken = this.made.map((list) => list.data.slice(0, list.length * RECORD_FIELDS));
    for (const list of this.made) list.length = 0;
    return taken;
  }

  /** Where the last row fed ends. */
  private pendingEnd = 0;

  private closeBlock(level: number, byteEnd: number): void {
    const block = this.open[level - 1]!;
    const index = level - 1;
    this.made[index] ??= new RecordList();
    const list = this.made[index];
    const first = this.counts[index] ?? 0;
    const childEnd = level === 1 ? 0 : this.count(level - 1);
    for (let slot = 0; slot < block.tags.length; slot += 1) {
      const at = list.push();
      const data = list.data;
      data[at + FIELD.tag] = block.tags[slot]!;
      data[at + FIELD.byteStart] = block.byteStart;
      data[at + FIELD.byteEnd] = byteEnd;
      data[at + FIELD.childStart] = level === 1 ? 0 : block.childStart;
      data[at + FIELD.childEnd] = childEnd;
      data.set(block.data.subarray(slot * SUMMARY, (slot + 1) * SUMMARY), at + FIELD.count);
      data[at + FIELD.blockRecords] = block.tags.length;
    }
    this.counts[index] = first + block.tags.length;
    if (level === 1) this.end = byteEnd;

    // The block joins the block of the level above being filled.
    if (this.open[level] === undefined) {
      this.open[level] = new BlockSummaries();
      this.open[level].clear(block.byteStart);
    }
    const parent = this.open[level];
    if (parent.blocks === 0) {
      parent.byteStart = block.byteStart;
      parent.childStart = first;
    }
    for (let slot = 0; slot < block.tags.length; slot += 1) {
      parent.addSummary(block.tags[slot]!, block.data, slot * SUMMARY);
    }
    parent.blocks += 1;
    block.clear(byteEnd);
    if (parent.blocks === LEVEL_FANOUT) this.closeBlock(level + 1, byteEnd);
  }
}
