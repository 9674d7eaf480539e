/**
 * `readScalars()`: a run's step series, whole or downsampled for a chart.
 */
import { MlTrackingError, NotFoundError, ValidationError } from '../errors.js';
import { runPath, scalarsPath } from '../layout/paths.js';
import { CorruptFileError } from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { checkRunId } from './read-runs.js';
import { readSeries } from '../series/read-series.js';
import { decodeScalars, type ScalarSeries } from './scalar-table.js';

/** Options of {@link readScalars}. */
export interface ReadScalarsOptions {
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Only these tags. @default every tag */
  tags?: readonly string[];
  /**
   * At most this many points per tag: the first and the last point, and between them step
   * ranges of nearly equal width that each keep their lowest and highest point, so spikes
   * survive any thinning; a series of `maxPoints` points or fewer comes back whole. Answered
   * from the run's series index (`scalars-lod/`) without decoding the whole series, in bounded
   * memory; a series logged before there was an index gets one on its first read (stored when
   * the run has ended). Without it, the whole series is returned, so it is all in memory.
   */
  maxPoints?: number;
  /**
   * Only the points whose step is in `[from, to]` (both included): a chart zoomed in. Only that
   * part of the series is read.
   * @default every step
   * @example readScalars(id, { steps: [10_000, 20_000], maxPoints: 2000 })
   */
  steps?: readonly [number, number];
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
  const { steps } = options;
  if (steps !== undefined) checkSteps(steps);
  return withStore(options.store, async (store) => {
    const where = { store: store.url, path: scalarsPath(runId) };
    const absent = async (error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
      // A run recorded without any scalar file yet is a run with no points.
      if ((await store.stat(runPath(runId))) === undefined) {
        throw new NotFoundError({ operation: 'read run', store: store.url, path: runPath(runId) });
      }
      return {};
    };
    if (maxPoints !== undefined || steps !== undefined) {
      if (options.tags?.length === 0) return {};
      try {
        return await readSeries(store, runId, { tags: options.tags, maxPoints, steps });
      } catch (error) {
        if (error instanceof NotFoundError) return absent(error);
        throw corruptScalars(error, where);
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = await store.read(scalarsPath(runId));
    } catch (error) {
      return absent(error);
    }
    return decodeScalarsFile(bytes, options.tags, {
      store: store.url,
      path: scalarsPath(runId),
    });
  });
}

function checkSteps(steps: readonly [number, number]): void {
  // A caller from JavaScript may pass anything.
  const given: readonly unknown[] = Array.isArray(steps) ? steps : [];
  const [from, to] = given;
  if (
    given.length !== 2 ||
    typeof from !== 'number' ||
    typeof to !== 'number' ||
    Number.isNaN(from) ||
    Number.isNaN(to) ||
    from > to
  ) {
    throw new ValidationError(
      'steps',
      `${JSON.stringify(steps)} is not a range [from, to] of two steps with from ≤ to`,
      'Pass the first and the last step to read, e.g. [1000, 2000].',
    );
  }
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
