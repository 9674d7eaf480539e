/**
 * `readScalars()`: a run's step series, whole or downsampled for a chart.
 */
import { MlTrackingError, NotFoundError, ValidationError } from '../errors.js';
import { runPath, scalarsPath } from '../layout/paths.js';
import { CorruptFileError } from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { downsampleSeries } from './downsample.js';
import { checkRunId } from './read-runs.js';
import { decodeScalars, type ScalarSeries } from './scalar-table.js';
import { SCALARS_PART_BYTES, thinScalarsFile } from './thin-scalars-file.js';

/** Options of {@link readScalars}. */
export interface ReadScalarsOptions {
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Only these tags. @default every tag */
  tags?: readonly string[];
  /**
   * At most this many points per tag: the first and the last point, and between them equal
   * step ranges that each keep their minimum and maximum, so spikes survive any thinning (see
   * `downsampleSeries`). A file larger than 8 MB is then decoded a part at a time, in bounded
   * memory (without it, the whole series is returned, so it is all in memory).
   */
  maxPoints?: number;
}

/**
 * The scalars of a run, by tag: `{ step, value, wallTime }`, three equal-length arrays in step
 * order (`wallTime` in epoch milliseconds). A running run's series so far.
 * @throws NotFoundError when the store has no such run.
 * @throws CorruptFileError when its scalars file is not a scalars table.
 * @example const { loss } = await readScalars(run.id, { tags: ['loss'], maxPoints: 2000 });
 */
export async function readScalars(
  runId: string,
  options: ReadScalarsOptions = {},
): Promise<Record<string, ScalarSeries>> {
  checkRunId(runId);
  const { maxPoints } = options;
  if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 2)) {
    throw new ValidationError(
      'maxPoints',
      `${String(maxPoints)} is not an integer of 2 or more`,
      'Pass about the chart width in pixels, e.g. 2000, or leave it out for every point.',
    );
  }
  return withStore(options.store, async (store) => {
    const where = { store: store.url, path: scalarsPath(runId) };
    const size = (await store.stat(where.path))?.size ?? 0;
    if (maxPoints !== undefined && size > SCALARS_PART_BYTES) {
      // No tag asked for is no series (thinScalarsFile reads every tag for an empty list).
      if (options.tags?.length === 0) return {};
      try {
        return await thinScalarsFile(store, where.path, { tags: options.tags ?? [], maxPoints });
      } catch (error) {
        throw corruptScalars(error, where);
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = await store.read(scalarsPath(runId));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A run recorded without any scalar file yet is a run with no points.
      if ((await store.stat(runPath(runId))) === undefined) {
        throw new NotFoundError({ operation: 'read run', store: store.url, path: runPath(runId) });
      }
      return {};
    }
    const series = decodeScalarsFile(bytes, options.tags, {
      store: store.url,
      path: scalarsPath(runId),
    });
    if (maxPoints === undefined) return series;
    const thinned: Record<string, ScalarSeries> = {};
    for (const [tag, points] of Object.entries(series)) {
      thinned[tag] = downsampleSeries(points, maxPoints);
    }
    return thinned;
  });
}

/**
 * `decodeScalars` naming the file it decodes.
 * @throws CorruptFileError when it is not a scalars table.
 */
export function decodeScalarsFile(
  bytes: Uint8Array,
  tags: readonly string[] | undefined,
  where: { store: string; path: string },
): Record<string, ScalarSeries> {
  try {
    return decodeScalars(bytes, tags === undefined ? {} : { tags: new Set(tags) });
  } catch (error) {
    throw corruptScalars(error, where);
  }
}

/** A scalars decoding error as a {@link CorruptFileError} naming the file; others unchanged. */
export function corruptScalars(error: unknown, where: { store: string; path: string }): unknown {
  if (!(error instanceof MlTrackingError) || error.code !== 'ERR_CORRUPT_SCALARS') return error;
  return new CorruptFileError({ ...where, problem: scalarsProblem(error.message), cause: error });
}

/** The decoder's message without its advice: the problem only. */
const scalarsProblem = (message: string): string =>
  message.replace(/^Cannot read /, '').replace(/\. Every line after the header.*$/s, '');
