import { decodeTable } from '../csv/decode.js';
import { ValidationError } from '../errors.js';
import { describeValue } from '../metrics/input-checks.js';
import { TRACKERS_FOLDER, trackerFolder } from '../layout/paths.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import {
  CorruptFileError,
  problemOf,
  skipIfCorrupt,
  type SkippedFilesOptions,
} from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { slugifyProject } from './project-name.js';

/** A tracker file and how many experiments it holds. */
export interface TrackerSummary {
  path: string;
  kind: ExperimentKind;
  project: string;
  /** `YYYYMMDD`. */
  date: string;
  index: number;
  /** Logged experiments (data rows). */
  rows: number;
}

/** Options of {@link listTrackers}. */
export interface ListTrackersOptions extends SkippedFilesOptions {
  /** Only this project (slugified like everywhere else). */
  project?: string;
  /** Only trackers of this kind. @default both kinds */
  kind?: ExperimentKind;
}

/**
 * At most this many trackers are read at once: enough to hide a bucket's round trips, few
 * enough not to open hundreds of sockets or file handles for a large store.
 */
export const TRACKER_READS_AT_ONCE = 8;

const TRACKER_NAME = new RegExp(
  `^${TRACKERS_FOLDER}(${EXPERIMENT_KINDS.join('|')})/([a-z0-9-]+)_(\\d{8})_([1-9]\\d*)\\.csv$`,
);

/** A tracker found by its name alone, before anything is read. */
export type TrackerFile = Omit<TrackerSummary, 'rows'>;

/**
 * The trackers in the store, found by listing their names only (nothing is read), oldest first
 * within a project: by project, kind, date and index.
 *
 * @throws ValidationError when `kind` is not an experiment kind or `project` has no slug.
 */
export async function findTrackers(
  store: Store,
  options: ListTrackersOptions = {},
): Promise<TrackerFile[]> {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  const kinds = options.kind === undefined ? EXPERIMENT_KINDS : [checkKind(options.kind, 'kind')];
  const found: TrackerFile[] = [];
  for (const kind of kinds) {
    for await (const object of store.listAll(
      `${trackerFolder(kind)}${project === undefined ? '' : `${project}_`}`,
    )) {
      const tracker = trackerFileOfPath(object.path);
      if (tracker === undefined || (project !== undefined && tracker.project !== project)) continue;
      found.push(tracker);
    }
  }
  return found.sort(
    (a, b) =>
      a.project.localeCompare(b.project) ||
      a.kind.localeCompare(b.kind) ||
      a.date.localeCompare(b.date) ||
      a.index - b.index,
  );
}

/** A tracker's name read back from its path; `undefined` for a path that is not a tracker. */
export function trackerFileOfPath(path: string): TrackerFile | undefined {
  const match = TRACKER_NAME.exec(path);
  if (!match) return undefined;
  return {
    path,
    kind: match[1] as ExperimentKind,
    project: match[2] ?? '',
    date: match[3] ?? '',
    index: Number(match[4]),
  };
}

/**
 * Every tracker in the store, by project, kind, date and index, with its row count. Each
 * tracker is read once, {@link TRACKER_READS_AT_ONCE} at a time; one that cannot be read is left
 * out and named to `onSkipped`.
 *
 * @throws ValidationError when `kind` is not an experiment kind or `project` has no slug.
 */
export async function listTrackers(
  store: Store,
  options: ListTrackersOptions = {},
): Promise<TrackerSummary[]> {
  const trackers = await findTrackers(store, options);
  // A row count needs a real CSV parse: JSON cells hold quoted line breaks.
  const counted = await mapConcurrently(trackers, TRACKER_READS_AT_ONCE, (tracker) =>
    skipIfCorrupt(
      async () => ({ ...tracker, rows: (await readTrackerRows(store, tracker.path)).length }),
      options.onSkipped,
    ),
  );
  return counted.filter((tracker) => tracker !== undefined);
}

/**
 * A tracker's rows by column name.
 * @throws CorruptFileError when the file is not CSV (an unbalanced quote, a row of another
 * length, binary bytes) or its header has no `prediction_id` (not a tracker).
 * @throws NotFoundError when it does not exist.
 */
export async function readTrackerRows(
  store: Store,
  path: string,
): Promise<Record<string, string>[]> {
  return decodeTrackerRows(await store.readText(path), { store: store.url, path });
}

/**
 * {@link readTrackerRows} for text already read.
 * @throws CorruptFileError naming `where.path`.
 */
export function decodeTrackerRows(
  text: string,
  where: { store: string; path: string },
): Record<string, string>[] {
  const corrupt = (problem: string, cause?: unknown) =>
    new CorruptFileError({ ...where, problem, ...(cause !== undefined && { cause }) });
  if (text.includes('\u0000')) throw corrupt('it holds binary bytes, not CSV text');
  let rows: Record<string, string>[];
  try {
    rows = decodeTable(text);
  } catch (error) {
    throw corrupt(`it is not valid CSV (${problemOf(error)})`, error);
  }
  const header = text.slice(0, text.indexOf('\n') + 1 || text.length);
  if (!/(^|,)prediction_id(,|\r?\n|$)/.test(header)) {
    throw corrupt('its first line is not a tracker header (no prediction_id column)');
  }
  return rows;
}

/**
 * The one check of an experiment kind given to a reading function.
 *
 * @param parameter what to name in the error: `kind`, or a CLI flag such as `--kind`.
 */
export function checkKind(kind: unknown, parameter: string): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      parameter,
      `${describeValue(kind)} is not a kind of experiment`,
      `Use one of: ${EXPERIMENT_KINDS.join(', ')}.`,
    );
  }
  return kind as ExperimentKind;
}
