/**
 * A stored scalars file thinned for a chart in bounded memory: streamed from the store in parts
 * of about {@link SCALARS_PART_BYTES} that end at a record boundary, each part decoded and
 * reduced on its own (see `streaming-downsample.ts`), at most {@link PARTS_IN_FLIGHT} parts held
 * at once. The file is read twice (step ranges, then the points kept), and both passes read the
 * same bytes: a file still being appended to is read up to where the first pass ended.
 */
import type { Readable } from 'node:stream';
import { MlTrackingError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { ScalarSeries } from './scalar-table.js';
import {
  mergeStepRanges,
  mergeThinParts,
  reduceScalarsPart,
  scanScalarsPart,
  thinnedSeries,
  type PartOptions,
  type ReduceOptions,
  type StepRange,
  type ThinPart,
} from './streaming-downsample.js';

/** About how many bytes of a scalars file are decoded at once. */
export const SCALARS_PART_BYTES = 8 * 1024 * 1024;

/** Parts of one file read or decoded at once: one decoding while the next is read. */
export const PARTS_IN_FLIGHT = 2;

/** Where a part is decoded: in this thread, or handed to a worker thread. */
export interface ScalarsPartRunner {
  scan(bytes: Uint8Array, options: PartOptions): Promise<Record<string, StepRange>>;
  reduce(bytes: Uint8Array, options: ReduceOptions): Promise<Record<string, ThinPart>>;
}

/** Decodes parts in the calling thread. */
export const IN_THIS_THREAD: ScalarsPartRunner = {
  // A decoding error is a rejection, as a worker's is.
  scan: (bytes, options) => Promise.resolve().then(() => scanScalarsPart(bytes, options)),
  reduce: (bytes, options) => Promise.resolve().then(() => reduceScalarsPart(bytes, options)),
};

/** Options of {@link thinScalarsFile}. */
export interface ThinScalarsFileOptions {
  /** Only these tags; empty for all. */
  tags: readonly string[];
  /** At most this many points per tag, chosen as `downsampleSeries` chooses them. */
  maxPoints: number;
  /** @default IN_THIS_THREAD */
  runner?: ScalarsPartRunner;
  /** @default SCALARS_PART_BYTES */
  partBytes?: number;
}

/**
 * A scalars file's series by tag, each thinned to at most `maxPoints` points: the same points as
 * `downsampleSeries(decodeScalars(wholeFile)[tag], maxPoints)`, decoded a part at a time.
 * @throws NotFoundError when the file does not exist.
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) when a line is not a scalars row.
 */
export async function thinScalarsFile(
  store: Store,
  path: string,
  options: ThinScalarsFileOptions,
): Promise<Record<string, ScalarSeries>> {
  const runner = options.runner ?? IN_THIS_THREAD;
  const partBytes = options.partBytes ?? SCALARS_PART_BYTES;
  const { tags, maxPoints } = options;

  const scanned: Record<string, StepRange>[] = [];
  const read = await forEachPart(await store.readStream(path), partBytes, Infinity, (part) =>
    runner
      .scan(part.bytes, { tags, headerless: part.index > 0 })
      .then((ranges) => (scanned[part.index] = ranges)),
  );
  // In part order, so tags keep the order they first appear in, as decodeScalars gives them.
  const ranges = scanned.reduce(mergeStepRanges, {});
  if (Object.keys(ranges).length === 0) return {};

  let merged: Record<string, ThinPart> = {};
  await forEachPart(await store.readStream(path), partBytes, read, async (part) => {
    const reduced = await runner.reduce(part.bytes, {
      tags,
      headerless: part.index > 0,
      part: part.index,
      ranges,
      maxPoints,
    });
    merged = mergeThinParts(ranges, maxPoints, [merged, reduced]);
  });
  const series: Record<string, ScalarSeries> = {};
  for (const tag of Object.keys(ranges)) {
    const part = merged[tag];
    if (part !== undefined) series[tag] = thinnedSeries(part);
  }
  return series;
}

interface Part {
  index: number;
  /** Its own buffer, whole (it can be handed to a worker thread). */
  bytes: Uint8Array;
  /** Where it starts in the file. */
  offset: number;
}

/**
 * Calls `use` for each part of the stream's first `limit` bytes, at most
 * {@link PARTS_IN_FLIGHT} at once, and resolves how many bytes the parts held (whole records
 * only: a last line without its line end is being written). A part's error says where the part
 * starts.
 */
async function forEachPart(
  stream: Readable,
  partBytes: number,
  limit: number,
  use: (part: Part) => Promise<unknown>,
): Promise<number> {
  const inFlight = new Set<Promise<unknown>>();
  let failure: { error: unknown } | undefined;
  let total = 0;
  try {
    for await (const part of recordParts(stream, partBytes, limit)) {
      total += part.bytes.length;
      const job: Promise<unknown> = use(part).then(
        () => inFlight.delete(job),
        (error: unknown) => {
          failure ??= { error: withOffset(error, part) };
          inFlight.delete(job);
        },
      );
      inFlight.add(job);
      if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) break;
    }
  } finally {
    stream.destroy();
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  return total;
}

/** A decoding error of a part past the first, saying where the part starts in the file. */
function withOffset(error: unknown, part: Part): unknown {
  if (part.index === 0 || !(error instanceof MlTrackingError)) return error;
  return new MlTrackingError(
    error.message.replace(
      /^Cannot read line (\d+) of/,
      `Cannot read line $1 after byte ${part.offset} of`,
    ),
    { code: error.code, cause: error },
  );
}

/** The stream's bytes cut into parts of about `partBytes` that end where a record ends. */
async function* recordParts(
  stream: Readable,
  partBytes: number,
  limit: number,
): AsyncGenerator<Part> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let consumed = 0;
  let index = 0;
  let offset = 0;
  const cut = function* (final: boolean): Generator<Part> {
    const joined = Buffer.concat(pending, pendingLength);
    const end = recordEnd(joined);
    if (end === 0 && !final) {
      pending = [joined];
      return;
    }
    if (end > 0) {
      // A copy of its own: the rest of `joined` stays pending, and the part may be transferred.
      yield { index, bytes: Uint8Array.prototype.slice.call(joined, 0, end), offset };
      index += 1;
      offset += end;
    }
    const rest = joined.subarray(end);
    pending = rest.length > 0 ? [Buffer.from(rest)] : [];
    pendingLength = rest.length;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const piece = consumed + chunk.length > limit ? chunk.subarray(0, limit - consumed) : chunk;
    consumed += piece.length;
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength >= partBytes) yield* cut(false);
    if (consumed >= limit) break;
  }
  if (pendingLength > 0) yield* cut(true);
}

/**
 * Where the last whole record of `bytes` ends (0: none): after its last line end outside
 * quotes. Parts always end outside quotes, so every part starts outside them too. Tags with a
 * comma, a quote or a line break are quoted; only then is every byte looked at.
 */
export function recordEnd(bytes: Buffer): number {
  if (bytes.indexOf(0x22) < 0) return bytes.lastIndexOf(0x0a) + 1;
  let quoted = false;
  let end = 0;
  for (let at = 0; at < bytes.length; at += 1) {
    const code = bytes[at];
    if (code === 0x22) quoted = !quoted;
    else if (code === 0x0a && !quoted) end = at + 1;
  }
  return end;
}
