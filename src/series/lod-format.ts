/**
 * The series index's format (`scalars-lod/<run_id>/v1/`, version 1), an index beside a run's
 * scalars CSV that answers a chart without decoding the whole series.
 *
 * The scalars file is cut into blocks: contiguous byte ranges of whole rows, a block closing
 * once it holds {@link BLOCK_POINTS_PER_TAG} rows per distinct tag in it (at most
 * {@link BLOCK_MOST_ROWS} rows). Level 1 has one record per block and tag present in it;
 * level k + 1 one record per {@link LEVEL_FANOUT} consecutive blocks of level k and tag. A
 * record summarises its tag's points in its byte range by four real points: the lowest step
 * (earliest in the file among equals), the highest step (latest among equals), the lowest value
 * and the highest value (a NaN only when every value is NaN), so spikes survive at every level.
 * Records of one block are consecutive, and each says how many they are; blocks are in file order.
 *
 * A level file is records of {@link RECORD_FIELDS} little-endian float64 each, appended; a
 * trailing part of a record (a torn append) is ignored. The index always covers a prefix of the
 * scalars file (up to the end of the last level-1 block): a reader decodes what lies beyond.
 */

/** The format's version: the folder `v1`. */
export const LOD_VERSION = 1;

/** Rows per distinct tag after which a level-1 block closes. */
export const BLOCK_POINTS_PER_TAG = 64;

/** Rows after which a level-1 block closes whatever its tags (runs of thousands of tags). */
export const BLOCK_MOST_ROWS = 65_536;

/**
 * The index is stored once the scalars file is this long: a shorter one is decoded whole about as
 * fast as an index is read (and most runs are short: they get no index objects, no requests).
 * Readers decode up to this much beyond an index, and index a longer rest in memory.
 */
export const INDEX_FROM_BYTES = 1024 * 1024;

/** Blocks of level k in one block of level k + 1. */
export const LEVEL_FANOUT = 4;

/** Where each field sits in a record. */
export const FIELD = {
  /** The tag's number: its line in `tags.jsonl`. */
  tag: 0,
  /** The block's first byte in the scalars file. */
  byteStart: 1,
  /** The byte after the block's last row. */
  byteEnd: 2,
  /** Level > 1: the first record of the block's children in the level below. */
  childStart: 3,
  /** Level > 1: the record after the block's children's last. */
  childEnd: 4,
  /** Points of the tag in the block (1 or more). */
  count: 5,
  lowStep: 6,
  lowValue: 7,
  lowWall: 8,
  highStep: 9,
  highValue: 10,
  highWall: 11,
  minStep: 12,
  minValue: 13,
  minWall: 14,
  maxStep: 15,
  maxValue: 16,
  maxWall: 17,
  /** Records of the block this record is one of: a block cut short by a torn append shows. */
  blockRecords: 18,
} as const;

/** Float64 fields per record. */
export const RECORD_FIELDS = 19;

/** Bytes per record. */
export const RECORD_BYTES = RECORD_FIELDS * 8;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Records as the bytes of a level file. */
export function encodeRecords(records: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) {
    return new Uint8Array(records.buffer, records.byteOffset, records.byteLength);
  }
  const bytes = new Uint8Array(records.length * 8);
  const view = new DataView(bytes.buffer);
  for (let at = 0; at < records.length; at += 1) view.setFloat64(at * 8, records[at]!, true);
  return bytes;
}

/** The whole records in bytes of a level file (a torn last record is left out). */
export function decodeRecords(bytes: Uint8Array): Float64Array {
  const whole = Math.floor(bytes.byteLength / RECORD_BYTES) * RECORD_FIELDS;
  if (LITTLE_ENDIAN) {
    // A view needs 8-byte alignment: a copy (one memcpy) otherwise.
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    return new Float64Array(aligned.buffer, aligned.byteOffset, whole);
  }
  const records = new Float64Array(whole);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < whole; at += 1) records[at] = view.getFloat64(at * 8, true);
  return records;
}

/** Tag names as lines of `tags.jsonl`. */
export const encodeTags = (tags: readonly string[]): string =>
  tags.map((tag) => `${JSON.stringify(tag)}\n`).join('');

/**
 * The tag names of `tags.jsonl` (a last line without its line end is being written: left out).
 * @throws SyntaxError when a line is not a JSON string.
 */
export function decodeTags(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => {
    const tag: unknown = JSON.parse(line);
    if (typeof tag !== 'string') throw new SyntaxError(`${line} is not a tag name`);
    return tag;
  });
}
