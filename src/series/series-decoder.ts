/**
 * Where a series read does its decoding, the part that costs CPU: in the calling thread, or (the
 * dashboard) on worker threads that take the bytes over. Both answer alike.
 */
import { decodeScalars, type ScalarSeries } from '../runs/scalar-table.js';
import type { LodRows } from './lod-builder.js';
import { storedRows, TagNumbers } from './lod-rows.js';

/** What decoding whole rows of the scalars file needs to know. */
export interface DecodeOptions {
  /** The bytes start after the header. */
  headerless: boolean;
  /** Only these tags. @default every tag */
  tags?: readonly string[] | undefined;
}

/** Rows of a part of the file with their ends, tags numbered from 0 in the part. */
export interface PartRows {
  rows: LodRows;
  /** The part's tag names by number. */
  tags: string[];
}

/** Decodes rows of the scalars file. */
export interface SeriesDecoder {
  /** Each tag's points, sorted by step (`decodeScalars`). */
  decode(bytes: Uint8Array, options: DecodeOptions): Promise<Record<string, ScalarSeries>>;
  /** Each row with where it ends (`bytes` starting at `byteStart`), for the index builder. */
  rows(bytes: Uint8Array, options: { headerless: boolean; byteStart: number }): Promise<PartRows>;
}

/** Decodes in the calling thread (a decoding error is a rejection, as a worker's is). */
export const DECODE_IN_THIS_THREAD: SeriesDecoder = {
  decode: (bytes, options) => Promise.resolve().then(() => decodeRows(bytes, options)),
  rows: (bytes, options) => Promise.resolve().then(() => partRows(bytes, options)),
};

/** {@link SeriesDecoder.decode}, synchronously. */
export function decodeRows(
  bytes: Uint8Array,
  options: DecodeOptions,
): Record<string, ScalarSeries> {
  return decodeScalars(bytes, {
    headerless: options.headerless,
    ...(options.tags !== undefined && { tags: new Set(options.tags) }),
  });
}

/** {@link SeriesDecoder.rows}, synchronously. */
export function partRows(
  bytes: Uint8Array,
  options: { headerless: boolean; byteStart: number },
): PartRows {
  const tags = new TagNumbers();
  const rows = storedRows(bytes, { ...options, tags });
  return { rows, tags: tags.names };
}
