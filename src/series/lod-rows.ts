/**
 * Rows of the scalars file with where each ends, what the index builder needs: from a batch the
 * run writer encoded (its points and text), or from stored bytes (decoded here).
 */
import { encodeCell } from '../csv/encode.js';
import { headerOf, SCALARS_COLUMNS } from '../layout/tables.js';
import { decodeScalarPoints } from '../runs/scalar-table.js';
import type { LodRows } from './lod-builder.js';
import { IndexProblem } from './index-problem.js';

/** A batch of points as the run writer encodes them: point `i` is of tag `tags[tagIndex[i]]`. */
export interface EncodedPoints {
  tags: readonly string[];
  tagIndex: Uint32Array;
  step: Float64Array;
  value: Float64Array;
  wallTime: Float64Array;
  length: number;
}

/** Characters of a row after its `run_id,tag,` prefix and before its line end, at the least. */
const LEAST_ROW_TAIL = 20;

/**
 * Where each row of an encoded batch ends in the file, the batch starting at `byteStart`. The
 * rows are `encodeScalarRows`'s: a prefix per tag (which may hold a quoted line break), then
 * numbers without any, so each row's end is the first line end after its prefix.
 * @throws IndexProblem when the text is not the batch's rows (no index is made then).
 */
export function batchRows(
  runId: string,
  points: EncodedPoints,
  text: string,
  byteStart: number,
): LodRows {
  const run = encodeCell(runId);
  const prefixChars: number[] = [];
  const extraBytes: number[] = [];
  for (const tag of points.tags) {
    const prefix = `${run},${encodeCell(tag)},`;
    prefixChars.push(prefix.length);
    extraBytes.push(Buffer.byteLength(prefix) - prefix.length);
  }
  const rowEnd = new Float64Array(points.length);
  let position = 0;
  let extra = 0;
  for (let row = 0; row < points.length; row += 1) {
    const tag = points.tagIndex[row]!;
    const end = text.indexOf('\n', position + prefixChars[tag]! + LEAST_ROW_TAIL);
    if (end < 0) break;
    extra += extraBytes[tag]!;
    rowEnd[row] = byteStart + end + 1 + extra;
    position = end + 1;
  }
  if (position !== text.length) throw new IndexProblem('the batch does not hold one row per point');
  return {
    tag: points.tagIndex,
    step: points.step,
    value: points.value,
    wallTime: points.wallTime,
    rowEnd,
    length: points.length,
  };
}

/** Tag names numbered in the order they are first met, shared by the parts of one file. */
export class TagNumbers {
  readonly names: string[] = [];
  private readonly numbers = new Map<string, number>();

  number(tag: string): number {
    let number = this.numbers.get(tag);
    if (number === undefined) {
      number = this.names.length;
      this.names.push(tag);
      this.numbers.set(tag, number);
    }
    return number;
  }
}

const HEADER = Buffer.from(headerOf(SCALARS_COLUMNS).join(','));
const LINE_FEED = 0x0a;
const QUOTE = 0x22;

/**
 * The rows of stored scalars bytes (whole records, as a part of `thinScalarsFile` is cut), with
 * their ends in the file (`bytes` starting at `byteStart`). Decoded by `decodeScalarPoints`, the
 * one decoder of the table; the row ends come from a scan that skips what it skips (the header,
 * empty lines).
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) on a line that is not a scalars row.
 * @throws IndexProblem when the scan and the decoder do not agree on the rows (an odd file, such
 * as one with a quoted header: no index is made for it).
 */
export function storedRows(
  bytes: Uint8Array,
  options: { headerless: boolean; byteStart: number; tags: TagNumbers },
): LodRows {
  const ends = rowEnds(bytes, options.headerless);
  const length = ends.length;
  const rows = {
    tag: new Uint32Array(length),
    step: new Float64Array(length),
    value: new Float64Array(length),
    wallTime: new Float64Array(length),
    rowEnd: new Float64Array(length),
    length,
  };
  for (let row = 0; row < length; row += 1) rows.rowEnd[row] = options.byteStart + ends[row]!;
  let row = 0;
  decodeScalarPoints(bytes, { headerless: options.headerless }, (name) => {
    // Numbered at its first point: a header line met mid-file makes a sink for `tag` and no point.
    let number = -1;
    return {
      push(step: number, value: number, wallTime: number) {
        if (number < 0) number = options.tags.number(name);
        if (row < length) {
          rows.tag[row] = number;
          rows.step[row] = step;
          rows.value[row] = value;
          rows.wallTime[row] = wallTime;
        }
        row += 1;
      },
    };
  });
  if (row !== length) {
    throw new IndexProblem(
      `${row} points decoded, ${length} rows found: the rows cannot be indexed`,
    );
  }
  return rows;
}

/** Where each row ends (relative to `bytes`): line ends outside quotes, header and blank lines left out. */
function rowEnds(bytes: Uint8Array, headerless: boolean): number[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const quoted = buffer.indexOf(QUOTE) >= 0;
  const ends: number[] = [];
  let at = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  let first = !headerless;
  while (at < buffer.length) {
    const end = quoted ? quotedLineEnd(buffer, at) : buffer.indexOf(LINE_FEED, at);
    if (end < 0) break;
    const stop = end > at && buffer[end - 1] === 0x0d ? end - 1 : end;
    const header =
      stop - at === HEADER.length &&
      buffer[at] === HEADER[0] &&
      HEADER.equals(buffer.subarray(at, stop));
    if (!first && stop > at && !header) ends.push(end + 1);
    first = false;
    at = end + 1;
  }
  return ends;
}

/** The next line end outside quotes, or -1. */
function quotedLineEnd(buffer: Buffer, from: number): number {
  let inQuotes = false;
  for (let at = from; at < buffer.length; at += 1) {
    const code = buffer[at];
    if (code === QUOTE) inQuotes = !inQuotes;
    else if (code === LINE_FEED && !inQuotes) return at;
  }
  return -1;
}
