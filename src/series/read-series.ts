/**
 * A run's series for a chart, from its index: the stored index answers the prefix it covers,
 * what lies beyond it in the scalars file is decoded (or, when long, indexed in memory part by
 * part), and a series without any index gets one built on its first read. An index that does not
 * add up is ignored: the answer is then decoded from the scalars file, slower and as right.
 */
import { mapConcurrently } from '../_map-concurrently.js';
import { debug } from '../_debug.js';
import { NotFoundError } from '../errors.js';
import { scalarsPath } from '../layout/paths.js';
import { downsampleSeries } from '../runs/downsample.js';
import { decodeScalars, type ScalarSeries } from '../runs/scalar-table.js';
import type { Store } from '../store/types.js';
import { buildSeriesIndex, storeSeriesIndex } from './build-series-index.js';
import type { BuiltIndexCache } from './built-index-cache.js';
import { IndexProblem } from './index-problem.js';
import { INDEX_FROM_BYTES } from './lod-format.js';
import { memoryFrontier, readStoredIndex, type LodFrontier } from './lod-index.js';
import { querySeries, type BlockReader, type SeriesRequest } from './lod-query.js';
import { DECODE_IN_THIS_THREAD, type SeriesDecoder } from './series-decoder.js';

/** Options of {@link readSeries}. */
export interface ReadSeriesOptions {
  /** Only these tags. @default every tag */
  tags?: readonly string[] | undefined;
  /** At most this many points per tag. @default every point (in range) */
  maxPoints?: number | undefined;
  /** Only points whose step is in `[from, to]`. @default every step */
  steps?: readonly [number, number] | undefined;
  /**
   * Store the index built for a finished series that has none (best-effort). A reader that must
   * not write (the dashboard) keeps it in `cache` instead.
   * @default true
   */
  storeBuiltIndex?: boolean;
  /** Where indexes built in memory are kept between reads. */
  cache?: BuiltIndexCache | undefined;
  /**
   * The part of the file beyond its index is decoded at once up to 1 MiB, and indexed in memory a
   * part of this size at a time when longer. @default SCALARS_PART_BYTES (8 MiB)
   */
  partBytes?: number | undefined;
  /** Where rows are decoded. @default DECODE_IN_THIS_THREAD */
  decoder?: SeriesDecoder | undefined;
}

/** Bytes between two blocks still read in one request rather than two. */
const MOST_GAP_BYTES = 256 * 1024;

/** Ranged reads of one file at once. */
const READS_AT_ONCE = 8;

/**
 * Each tag's points of a run, in step order, at most `maxPoints` of them (see `lod-query.ts` for
 * which), within `steps` when given.
 * @throws NotFoundError when the run has no scalars file.
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) when a row read is not a scalars row.
 */
export async function readSeries(
  store: Store,
  runId: string,
  options: ReadSeriesOptions = {},
): Promise<Record<string, ScalarSeries>> {
  const request: SeriesRequest = {
    tags: options.tags === undefined ? undefined : new Set(options.tags),
    maxPoints: options.maxPoints ?? Infinity,
    steps: options.steps,
  };
  let stored: LodFrontier | undefined;
  let hasIndex = true;
  const index = readStoredIndex(store, runId).then(
    (frontier) => {
      stored = frontier;
      hasIndex = frontier !== undefined;
    },
    (error: unknown) => {
      if (!(error instanceof IndexProblem || error instanceof NotFoundError)) throw error;
      debug(`run ${runId}: its series index is ignored: ${error.message}`);
    },
  );
  let [info] = await Promise.all([store.stat(scalarsPath(runId)), index]);
  // The file grew past what was seen while the index was read: every row it covers is in now.
  if (info !== undefined && (stored?.coverage ?? 0) > info.size) {
    info = await store.stat(scalarsPath(runId));
  }
  if (info === undefined) {
    throw new NotFoundError({ operation: 'read', store: store.url, path: scalarsPath(runId) });
  }
  const reading = { store, runId, size: info.size, request, options, hasIndex };
  try {
    return await answer(reading, stored);
  } catch (error) {
    if (!(error instanceof IndexProblem)) throw error;
    debug(`run ${runId}: its series index is ignored: ${error.message}`);
  }
  try {
    return await answer({ ...reading, hasIndex: true }, undefined);
  } catch (error) {
    if (!(error instanceof IndexProblem)) throw error;
    return decodeWhole(reading);
  }
}

interface Reading {
  store: Store;
  runId: string;
  size: number;
  request: SeriesRequest;
  options: ReadSeriesOptions;
  /** Whether the run has an index stored (usable or not): none is built into the store then. */
  hasIndex: boolean;
}

async function answer(
  reading: Reading,
  stored: LodFrontier | undefined,
): Promise<Record<string, ScalarSeries>> {
  const { store, runId, size, request, options } = reading;
  const path = scalarsPath(runId);
  const decoder = options.decoder ?? DECODE_IN_THIS_THREAD;
  const tags = request.tags === undefined ? undefined : [...request.tags];
  const coverage = stored?.coverage ?? 0;
  if (coverage > size) throw new IndexProblem(`it covers ${coverage} bytes of ${size}`);
  const frontiers = stored === undefined ? [] : [stored];
  let start = coverage;
  if (size - start > INDEX_FROM_BYTES) {
    let built = options.cache?.get(runId, start);
    if (built === undefined || size - built.builder.coverage > INDEX_FROM_BYTES) {
      const building = { partBytes: options.partBytes, decoder };
      built = await buildSeriesIndex(store, path, { start, end: size }, building);
      options.cache?.set(runId, start, built);
      if (start === 0 && !reading.hasIndex && options.storeBuiltIndex !== false) {
        await storeSeriesIndex(store, runId, built);
      }
    }
    frontiers.push(memoryFrontier(built.builder, built.tags));
    start = Math.max(start, built.builder.coverage);
  }
  let tail: Record<string, ScalarSeries> = {};
  if (start < size) {
    const bytes = await store.read(path, { start, end: size });
    tail = await decoder.decode(bytes, { headerless: start > 0, tags });
  }
  return querySeries(frontiers, tail, request, blockReader(store, path, decoder));
}

/** Blocks of the file decoded, neighbours read in one request. */
function blockReader(store: Store, path: string, decoder: SeriesDecoder): BlockReader {
  return async (blocks) => {
    const spans: { start: number; end: number; members: number[] }[] = [];
    for (const [index, block] of blocks.entries()) {
      const last = spans.at(-1);
      if (
        last !== undefined &&
        block.start >= last.end &&
        block.start - last.end <= MOST_GAP_BYTES
      ) {
        last.end = Math.max(last.end, block.end);
        last.members.push(index);
      } else {
        spans.push({ start: block.start, end: block.end, members: [index] });
      }
    }
    const decoded = new Array<Record<string, ScalarSeries>>(blocks.length);
    await mapConcurrently(spans, READS_AT_ONCE, async (span) => {
      const bytes = await store.read(path, { start: span.start, end: span.end });
      if (bytes.length !== span.end - span.start) {
        throw new IndexProblem(`bytes ${span.start}-${span.end} are not all in the file`);
      }
      await Promise.all(
        span.members.map(async (index) => {
          const block = blocks[index]!;
          const part = bytes.subarray(block.start - span.start, block.end - span.start);
          const tags = [...block.tags];
          decoded[index] = await decoder.decode(part, { headerless: true, tags });
        }),
      );
    });
    return decoded;
  };
}

/** The answer from the whole file decoded at once: for a file whose rows cannot be indexed. */
async function decodeWhole({
  store,
  runId,
  request,
}: Reading): Promise<Record<string, ScalarSeries>> {
  const bytes = await store.read(scalarsPath(runId));
  const series = decodeScalars(bytes, request.tags === undefined ? {} : { tags: request.tags });
  const [from, to] = request.steps ?? [-Infinity, Infinity];
  const result: Record<string, ScalarSeries> = {};
  for (const [tag, points] of Object.entries(series)) {
    let start = 0;
    while (start < points.step.length && points.step[start]! < from) start += 1;
    let end = start;
    while (end < points.step.length && points.step[end]! <= to) end += 1;
    if (end === start) continue;
    const cut = {
      step: points.step.subarray(start, end),
      value: points.value.subarray(start, end),
      wallTime: points.wallTime.subarray(start, end),
    };
    result[tag] =
      request.maxPoints >= cut.step.length ? cut : downsampleSeries(cut, request.maxPoints);
  }
  return result;
}
