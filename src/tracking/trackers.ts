import { ConflictError, OutdatedTrackerError } from '../errors.js';
import { encodeRow } from '../csv/encode.js';
import {
  parseTrackerPath,
  trackerFolder,
  trackerPath,
  utcDay,
  type TrackerName,
} from '../layout/paths.js';
import {
  TRACKER_SCHEMA_VERSION,
  headerOf,
  trackingColumns,
  type ExperimentKind,
} from '../layout/tables.js';
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
    await store.write(path, encodeRow(headerOf(trackingColumns(kind))), {
      ifGeneration: '0',
      contentType: 'text/csv',
    });
  } catch (error) {
    // Someone else created it first: it has the same header, so log into theirs.
    if (!(error instanceof ConflictError)) throw error;
  }
  return { ...name, path };
}

/** The header line every tracker of this kind has now, without its line end. */
export const currentTrackerHeader = (kind: ExperimentKind): string =>
  headerLine(kind, TRACKER_SCHEMA_VERSION);

/** The header line of a schema version, without its line end. */
export const headerLine = (kind: ExperimentKind, version: number): string =>
  encodeRow(headerOf(trackingColumns(kind, version))).slice(0, -1);

/** Headers are a few hundred bytes; a first line longer than this is not a tracker's header. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The first line of an object, without its line end, read by byte range (never the whole object:
 * a tracker may hold 10,000 rows): 4 KB first, more only for a longer first line.
 */
export async function readFirstLine(store: Store, path: string): Promise<string> {
  const decoder = new TextDecoder();
  for (let bytes = 4096; ; bytes *= 4) {
    const head = await store.read(path, { start: 0, end: bytes });
    const end = head.indexOf(0x0a);
    if (end >= 0) return decoder.decode(head.subarray(0, end)).replace(/\r$/, '');
    // The whole object is shorter than the range, or the line longer than any header.
    if (head.byteLength < bytes || bytes >= MAX_HEADER_BYTES) {
      return decoder.decode(head).replace(/\r$/, '');
    }
  }
}

/** Trackers known to have the current header, by store URL and path: headers never go back. */
const currentTrackers = new Set<string>();

/**
 * Checks that a tracker has the current header before a row is appended to it, reading only its
 * first line, once per tracker and process (a tracker found current stays current; one found
 * outdated is read again next time, so a migration run meanwhile is seen).
 *
 * @throws OutdatedTrackerError naming `ml-tracking migrate` when the header is another one.
 */
export async function checkTrackerHeader(store: Store, tracker: Tracker): Promise<void> {
  const key = `${store.url}\n${tracker.path}`;
  if (currentTrackers.has(key)) return;
  const header = await readFirstLine(store, tracker.path);
  if (header === currentTrackerHeader(tracker.kind)) {
    currentTrackers.add(key);
    return;
  }
  throw new OutdatedTrackerError({
    store: store.url,
    path: tracker.path,
    header,
    problem: describeHeader(tracker.kind, header),
    version: TRACKER_SCHEMA_VERSION,
  });
}

/** What is wrong with a header, in words. */
function describeHeader(kind: ExperimentKind, header: string): string {
  if (header === '') return 'it has no header';
  for (let version = TRACKER_SCHEMA_VERSION - 1; version >= 1; version -= 1) {
    if (header === headerLine(kind, version))
      return `its header is that of schema version ${version}`;
  }
  const expected = new Set(headerOf(trackingColumns(kind)));
  const found = header.split(',');
  const missing = [...expected].filter((name) => !found.includes(name));
  const unknown = found.filter((name) => !expected.has(name));
  const parts = [
    ...(missing.length > 0 ? [`lacks ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`has ${unknown.join(', ')}`] : []),
  ];
  return `its header ${parts.length > 0 ? parts.join(' and ') : 'has its columns in another order'}`;
}
