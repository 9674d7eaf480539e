/**
 * A series index built from the scalars file itself: for a series logged before there was an
 * index (on its first read, or by `ml-tracking migrate`), and for the part of a file beyond its
 * index. The file is read a part at a time (ranged reads), so memory holds one part and the
 * index (a few percent of the file), never the file.
 */
import { debug } from '../_debug.js';
import { runPath, scalarsLodLevelPath, scalarsLodTagsPath } from '../layout/paths.js';
import { decodeRunRecord } from '../runs/run-record.js';
import { recordEnd, SCALARS_PART_BYTES } from '../runs/thin-scalars-file.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { LodBuilder } from './lod-builder.js';
import { encodeRecords, encodeTags } from './lod-format.js';
import { TagNumbers } from './lod-rows.js';
import { DECODE_IN_THIS_THREAD, type SeriesDecoder } from './series-decoder.js';

/** An index built in memory, and its tag names. */
export interface BuiltIndex {
  builder: LodBuilder;
  tags: readonly string[];
}

/**
 * Indexes the scalars file at `path` from byte `start` (0: the whole file, header first; else a
 * row boundary) up to byte `end`; rows cut off at `end` (a line being written) are left out.
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) on a line that is not a scalars row, or a file
 * whose rows cannot be indexed.
 */
export async function buildSeriesIndex(
  store: Store,
  path: string,
  range: { start: number; end: number },
  options: { partBytes?: number | undefined; decoder?: SeriesDecoder | undefined } = {},
): Promise<BuiltIndex> {
  const partBytes = options.partBytes ?? SCALARS_PART_BYTES;
  const decoder = options.decoder ?? DECODE_IN_THIS_THREAD;
  const tags = new TagNumbers();
  let builder: LodBuilder | undefined;
  let at = range.start;
  let size = partBytes;
  while (at < range.end) {
    const stop = Math.min(range.end, at + size);
    const read = await store.read(path, { start: at, end: stop });
    const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
    const cut = recordEnd(bytes);
    if (cut === 0) {
      // One record longer than a part: read more at once.
      if (stop >= range.end || bytes.length === 0) break;
      size *= 2;
      continue;
    }
    size = partBytes;
    const part = bytes.subarray(0, cut);
    const headerless = at > 0;
    builder ??= new LodBuilder(headerless ? at : part.indexOf(0x0a) + 1);
    const decoded = await decoder.rows(part, { headerless, byteStart: at });
    // The part's own tag numbers, as the file's.
    const numbers = decoded.tags.map((tag) => tags.number(tag));
    const { rows } = decoded;
    for (let row = 0; row < rows.length; row += 1) {
      (rows.tag as Uint32Array)[row] = numbers[rows.tag[row]!]!;
    }
    builder.addRows(rows);
    at += cut;
  }
  builder ??= new LodBuilder(range.start);
  builder.seal();
  return { builder, tags: tags.names };
}

/**
 * Stores an index built from a whole file, for a run that has ended (a running run's writer owns
 * its index). Each level is written whole, the tag file last and only if absent: readers take an
 * index without a tag file for none. Best-effort: resolves whether it was written.
 */
export async function storeSeriesIndex(
  store: Store,
  runId: string,
  built: BuiltIndex,
): Promise<boolean> {
  try {
    const record = await readTextIfExists(store, runPath(runId));
    const status = record && decodeRunRecord(record.text)?.status;
    if (status === undefined || status === 'running') return false;
    for (let level = 1; level <= built.builder.levels; level += 1) {
      const records = built.builder.records(level);
      await store.write(scalarsLodLevelPath(runId, level), encodeRecords(records), {
        contentType: 'application/octet-stream',
      });
    }
    const tags = encodeTags(built.tags);
    return (await writeIfGeneration(store, scalarsLodTagsPath(runId), tags, '0')) !== undefined;
  } catch (error) {
    debug(`run ${runId}: the series index was not stored: ${String(error)}`);
    return false;
  }
}
