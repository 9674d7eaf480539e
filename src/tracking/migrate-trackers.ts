import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCell } from '../csv/encode.js';
import { ConflictError } from '../errors.js';
import { predictionsPath, storeObjectUri, trackerFolder } from '../layout/paths.js';
import {
  EXPERIMENT_KINDS,
  TRACKER_SCHEMA_VERSION,
  headerOf,
  trackingColumns,
  type ExperimentKind,
} from '../layout/tables.js';
import type { Store } from '../store/types.js';
import { currentTrackerHeader } from './trackers.js';

/** Options of {@link migrateTrackers}. */
export interface MigrateTrackersOptions {
  /** Rewrite the trackers; without it, only report what would change (a dry run). @default false */
  apply?: boolean;
}

/** What the migration does (or would do) to one tracker. */
export interface TrackerMigration {
  /** The tracker's path in the store. */
  path: string;
  kind: ExperimentKind;
  /** The schema version its header is, or `undefined` when it is none (columns mapped by name). */
  fromVersion: number | undefined;
  /** Data rows in the tracker. */
  rows: number;
  /** The changes, in words, one per kind of change. */
  changes: string[];
  /** Whether it was rewritten (only with `apply`). */
  migrated: boolean;
  /** Why it cannot be migrated; it is then left as it is. */
  problem?: string;
}

/** What {@link migrateTrackers} found and did. */
export interface MigrationReport {
  /** The schema version trackers are migrated to. */
  schemaVersion: number;
  /** Whether trackers were rewritten, or only looked at. */
  applied: boolean;
  /** How many trackers were looked at. */
  checked: number;
  /** The trackers that needed a change (or could not be migrated); up-to-date ones are left out. */
  trackers: TrackerMigration[];
}

/** Compare-and-swap attempts per tracker before giving up: a tracker is appended to rarely. */
const MAX_ATTEMPTS = 20;

/**
 * Brings every tracker of a store to the current schema ({@link TRACKER_SCHEMA_VERSION}): the
 * current header, columns mapped by name, new columns empty, and each row's cells kept byte for
 * byte. Rows also get what a schema change gave their columns a new meaning for
 * (`prediction_uri`: the URL of the predictions file where it held the prediction id), and rows
 * of an older schema that an old writer appended after an earlier migration are mapped too.
 * A tracker with columns the current schema does not have is left alone and reported.
 *
 * Each rewrite is a compare-and-swap on the generation read, retried when a writer appended in
 * between, so no row is ever lost. Stop writers of older versions of this package first: a row
 * they append after the rewrite keeps their layout (running the migration again maps it).
 *
 * @example
 * const report = await migrateTrackers(store); // dry run
 * await migrateTrackers(store, { apply: true });
 */
export async function migrateTrackers(
  store: Store,
  options: MigrateTrackersOptions = {},
): Promise<MigrationReport> {
  const apply = options.apply ?? false;
  const trackers: TrackerMigration[] = [];
  let checked = 0;
  for (const kind of EXPERIMENT_KINDS) {
    const folder = trackerFolder(kind);
    for await (const object of store.listAll(folder)) {
      const name = object.path.slice(folder.length);
      // Looker Studio reads every CSV of the folder itself, whatever its name.
      if (name.includes('/') || !name.endsWith('.csv')) continue;
      checked += 1;
      const migration = await migrateTracker(store, object.path, kind, apply);
      if (migration) trackers.push(migration);
    }
  }
  return { schemaVersion: TRACKER_SCHEMA_VERSION, applied: apply, checked, trackers };
}

/** One tracker: plan from what is read, and write it if nobody appended since. */
async function migrateTracker(
  store: Store,
  path: string,
  kind: ExperimentKind,
  apply: boolean,
): Promise<TrackerMigration | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    // The generation first, then the content: an append in between changes the generation, so
    // the write below fails rather than drop it.
    const info = await store.stat(path);
    if (!info) return undefined; // deleted meanwhile: nothing to migrate
    const plan = planMigration(await store.readText(path), {
      kind,
      predictionsUri: (id) => storeObjectUri(store.url, predictionsPath(kind, id)),
    });
    if (plan === undefined) return undefined;
    const report: TrackerMigration = {
      path,
      kind,
      fromVersion: plan.fromVersion,
      rows: plan.rows,
      changes: plan.changes,
      migrated: false,
      ...(plan.problem === undefined ? {} : { problem: plan.problem }),
    };
    if (!apply || plan.problem !== undefined) return report;
    try {
      await store.write(path, plan.text, {
        ifGeneration: info.generation,
        contentType: 'text/csv',
      });
      return { ...report, migrated: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        return {
          ...report,
          problem: `it changed under each of ${MAX_ATTEMPTS} attempts to rewrite it (busy writers); run the migration again`,
        };
      }
      // Someone appended: read again, after a short random pause so racing writers spread out.
      await sleep(5 + Math.random() * 20 * attempt);
    }
  }
}

interface PlanContext {
  kind: ExperimentKind;
  /** The predictions file's URL of a prediction id. */
  predictionsUri: (predictionId: string) => string;
}

interface Plan {
  fromVersion: number | undefined;
  rows: number;
  changes: string[];
  /** The migrated tracker. */
  text: string;
  problem?: string;
}

/**
 * The migrated text of a tracker, or `undefined` when it is current already. Pure: the tests
 * and the dry run see exactly what would be written.
 */
export function planMigration(text: string, context: PlanContext): Plan | undefined {
  const { kind } = context;
  const current = headerOf(trackingColumns(kind));
  const records = rawRecords(text);
  const headerFields = records.shift()?.map(unquoteField) ?? [];
  const fromVersion = versionOf(kind, headerFields);
  const base = { fromVersion, rows: records.length };
  const fail = (problem: string): Plan => ({ ...base, changes: [], text, problem });

  if (headerFields.length === 0) {
    if (records.length > 0) return fail('it has rows but no header');
    return { ...base, changes: ['the file was empty: writes the header'], text: headerText(kind) };
  }
  const known = new Set(current);
  const unknown = headerFields.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    return fail(
      `its header has ${unknown.join(', ')}, which schema version ${TRACKER_SCHEMA_VERSION} does not: rename or remove those columns first (a migration never drops data)`,
    );
  }
  if (new Set(headerFields).size !== headerFields.length) {
    return fail('its header names a column twice');
  }

  // Each layout a row may have: the header's, or (rows an old writer appended after an earlier
  // migration) an older version's, told apart by their number of fields.
  const layouts = new Map<number, { columns: readonly string[]; version: number | undefined }>();
  for (let version = 1; version < TRACKER_SCHEMA_VERSION; version += 1) {
    const columns = headerOf(trackingColumns(kind, version));
    layouts.set(columns.length, { columns, version });
  }
  layouts.set(headerFields.length, { columns: headerFields, version: fromVersion });

  const counts = { padded: 0, uris: 0, strays: 0 };
  const lines = [headerText(kind)];
  for (const [index, fields] of records.entries()) {
    const layout = layouts.get(fields.length);
    if (layout === undefined) {
      return fail(
        `row ${index + 1} has ${fields.length} cells, where the header has ${headerFields.length}`,
      );
    }
    if (layout.columns !== headerFields) counts.strays += 1;
    const at = new Map(layout.columns.map((name, column) => [name, column]));
    if (layout.columns.length < current.length) counts.padded += 1;
    const cells = current.map((name) => {
      const column = at.get(name);
      return column === undefined ? '' : fields[column]!;
    });
    // prediction_uri held the prediction id up to version 1: the URL it names now.
    const id = cells[current.indexOf('prediction_id')]!;
    const uri = current.indexOf('prediction_uri');
    if (cells[uri] === id && /^[0-9a-f-]{36}$/.test(id)) {
      cells[uri] = encodeCell(context.predictionsUri(id));
      counts.uris += 1;
    }
    lines.push(`${cells.join(',')}\n`);
  }
  const migrated = lines.join('');
  if (migrated === text) return undefined;

  const changes: string[] = [];
  if (headerFields.join(',') !== current.join(',')) {
    const added = current.filter((name) => !headerFields.includes(name));
    changes.push(
      fromVersion === undefined
        ? `header: columns mapped by name to version ${TRACKER_SCHEMA_VERSION}${added.length > 0 ? `, adds ${added.join(', ')}` : ''}`
        : `header: schema version ${fromVersion} → ${TRACKER_SCHEMA_VERSION}, adds ${added.join(', ')}`,
    );
  }
  if (counts.padded > 0) changes.push(`${counts.padded} rows get the new columns, empty`);
  if (counts.uris > 0) {
    changes.push(`${counts.uris} prediction_uri cells: the prediction id → the predictions URL`);
  }
  if (counts.strays > 0) {
    changes.push(`${counts.strays} rows of an older schema, appended after a migration, mapped`);
  }
  if (changes.length === 0) changes.push('line ends and blank lines tidied');
  return { ...base, changes, text: migrated };
}

const headerText = (kind: ExperimentKind) => `${currentTrackerHeader(kind)}\n`;

/** The schema version whose columns are exactly these, if any. */
function versionOf(kind: ExperimentKind, names: readonly string[]): number | undefined {
  for (let version = TRACKER_SCHEMA_VERSION; version >= 1; version -= 1) {
    const columns = trackingColumns(kind, version);
    if (columns.length === names.length && columns.every((c, i) => c.name === names[i])) {
      return version;
    }
  }
  return undefined;
}

/**
 * RFC 4180 records with each field exactly as written (quotes and all), so that a migrated row
 * keeps its cells byte for byte. Blank lines are skipped; `\r\n` ends a record as `\n` does.
 */
export function rawRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let start = 0;
  let quoted = false;
  const endRecord = (end: number) => {
    fields.push(text.slice(start, end));
    if (!(fields.length === 1 && fields[0] === '')) records.push(fields);
    fields = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) i += 1;
        else quoted = false;
      }
    } else if (c === 34) {
      quoted = true;
    } else if (c === 44 /* , */) {
      fields.push(text.slice(start, i));
      start = i + 1;
    } else if (c === 10 /* \n */) {
      endRecord(i > start && text.charCodeAt(i - 1) === 13 /* \r */ ? i - 1 : i);
      start = i + 1;
    }
  }
  if (start < text.length || fields.length > 0) endRecord(text.length);
  return records;
}

/** A header name as written → the name (`"a ""b"""` → `a "b"`). */
export function unquoteField(field: string): string {
  return field.startsWith('"') && field.endsWith('"') && field.length >= 2
    ? field.slice(1, -1).replaceAll('""', '"')
    : field;
}
