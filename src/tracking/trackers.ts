import { ConflictError } from '../errors.js';
import { encodeRow } from '../csv/encode.js';
import {
  parseTrackerPath,
  trackerFolder,
  trackerPath,
  utcDay,
  type TrackerName,
} from '../layout/paths.js';
import { trackingColumns, type ExperimentKind } from '../layout/tables.js';
import type { Store } from '../store/types.js';

/** A tracker file and how to find it. */
export interface Tracker extends TrackerName {
  /** Path inside the store. */
  path: string;
}

/**
 * The latest tracker of a project: the greatest (date, index) among the files whose name parses
 * with exactly this project. `undefined` when the project has none yet.
 */
export async function findLatestTracker(
  store: Store,
  kind: ExperimentKind,
  project: string,
): Promise<Tracker | undefined> {
  let latest: TrackerName | undefined;
  for await (const object of store.listAll(`${trackerFolder(kind)}${project}_`)) {
    const name = parseTrackerPath(object.path, kind, project);
    if (
      name &&
      (!latest ||
        name.date > latest.date ||
        (name.date === latest.date && name.index > latest.index))
    ) {
      latest = name;
    }
  }
  return latest && { ...latest, path: trackerPath(latest) };
}

/** Options of {@link openTracker}. */
export interface OpenTrackerOptions {
  /** Start a new tracker even when the project has one. @default false */
  newCsv?: boolean;
  /** The moment that dates a new tracker (UTC). @default now */
  now?: Date;
}

/**
 * The tracker to log into: the latest one, or a new one when there is none or `newCsv` asks for
 * it (`index + 1` when the latest is from today, else today's first). Creation is create-only, so
 * processes that ask at the same moment end up with one new file and all log into it.
 */
export async function openTracker(
  store: Store,
  kind: ExperimentKind,
  project: string,
  options: OpenTrackerOptions = {},
): Promise<Tracker> {
  const latest = await findLatestTracker(store, kind, project);
  if (latest && !options.newCsv) return latest;
  const date = utcDay(options.now ?? new Date());
  const index = latest?.date === date ? latest.index + 1 : 1;
  const name: TrackerName = { kind, project, date, index };
  const path = trackerPath(name);
  try {
    await store.write(path, encodeRow(trackingColumns(kind).map((column) => column.name)), {
      ifGeneration: '0',
      contentType: 'text/csv',
    });
  } catch (error) {
    // Someone else created it first: it has the same header, so log into theirs.
    if (!(error instanceof ConflictError)) throw error;
  }
  return { ...name, path };
}
