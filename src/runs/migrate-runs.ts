/**
 * Bringing the runs table to the current schema ({@link RUNS_SCHEMA_VERSION}): a run's file
 * written by an older version keeps its header, which reads fine here (columns are read by name)
 * but gives a folder data source (Looker Studio, BigQuery) files of two headers. `ml-tracking
 * migrate` rewrites them: the current header, columns mapped by name, new ones empty, every cell
 * kept byte for byte.
 */
import { ConflictError } from '../errors.js';
import { RUNS_FOLDER, runIdOfPath } from '../layout/paths.js';
import { headerOf, RUNS_COLUMNS, RUNS_SCHEMA_VERSION } from '../layout/tables.js';
import { indexOldSeries, type SeriesIndexMigration } from '../series/index-old-series.js';
import type { Store } from '../store/types.js';
import { rawRecords, unquoteField } from '../tracking/migrate-trackers.js';
import { decodeRunRecord } from './run-record.js';

/** What the migration does (or would do) to one run's file. */
export interface RunMigration {
  /** The file's path in the store. */
  path: string;
  /** The columns it gets, empty. */
  added: string[];
  /** Whether it was rewritten (only with `apply`). */
  migrated: boolean;
  /** Why it is left as it is: a run still running (its writer owns the file), or a problem. */
  problem?: string;
}

/** What {@link migrateRuns} found and did. */
export interface RunsMigrationReport {
  /** The schema version the runs are migrated to. */
  schemaVersion: number;
  applied: boolean;
  /** How many run files were looked at. */
  checked: number;
  /** The files that needed a change (or could not have it); current ones are left out. */
  runs: RunMigration[];
  /** Ended runs whose long series had no usable index (`scalars-lod/`), and those indexed. */
  seriesIndexes: SeriesIndexMigration;
}

/** Compare-and-swap attempts per file: a finished run's file is not written any more. */
const MAX_ATTEMPTS = 5;

/**
 * Rewrites (with `apply`; else only reports) every run file whose header is not the current
 * one. A running run is left alone: its writer rewrites its file by a compare-and-swap on the
 * generation it last wrote, and would take a rewrite here for a take-over and stop; migrate
 * again once it has ended.
 */
export async function migrateRuns(
  store: Store,
  options: { apply?: boolean } = {},
): Promise<RunsMigrationReport> {
  const apply = options.apply ?? false;
  const runs: RunMigration[] = [];
  let checked = 0;
  for await (const object of store.listAll(RUNS_FOLDER)) {
    if (runIdOfPath(object.path) === undefined) continue;
    checked += 1;
    const migration = await migrateRunFile(store, object.path, apply);
    if (migration !== undefined) runs.push(migration);
  }
  const seriesIndexes = await indexOldSeries(store, { apply });
  return { schemaVersion: RUNS_SCHEMA_VERSION, applied: apply, checked, runs, seriesIndexes };
}

async function migrateRunFile(
  store: Store,
  path: string,
  apply: boolean,
): Promise<RunMigration | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    // The generation first, then the content: a write in between fails the rewrite below.
    const info = await store.stat(path);
    if (info === undefined) return undefined;
    const text = await store.readText(path);
    const plan = planRunMigration(text);
    if (plan === undefined) return undefined;
    const report: RunMigration = { path, added: plan.added, migrated: false };
    if (plan.problem !== undefined) return { ...report, problem: plan.problem };
    if (decodeRunRecord(text)?.status === 'running') {
      return {
        ...report,
        problem:
          'the run is still running, and its writer owns the file: migrate again when it has ended',
      };
    }
    if (!apply) return report;
    try {
      await store.write(path, plan.text, {
        ifGeneration: info.generation,
        contentType: 'text/csv',
      });
      return { ...report, migrated: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        return { ...report, problem: `it changed under each of ${MAX_ATTEMPTS} attempts` };
      }
    }
  }
}

/**
 * A run file's text at the current schema, or `undefined` when it is current already. Pure: the
 * tests and the dry run see exactly what would be written.
 */
export function planRunMigration(
  text: string,
): { text: string; added: string[]; problem?: string } | undefined {
  const current = headerOf(RUNS_COLUMNS);
  const [header = [], ...rows] = rawRecords(text);
  const names = header.map(unquoteField);
  if (names.join(',') === current.join(',')) return undefined;
  const added = current.filter((name) => !names.includes(name));
  const unknown = names.filter((name) => !current.includes(name));
  if (unknown.length > 0 || new Set(names).size !== names.length || names.length === 0) {
    return {
      text,
      added,
      problem:
        unknown.length > 0
          ? `its header has ${unknown.join(', ')}, which the runs table does not: left as it is (a migration never drops data)`
          : 'its header is empty or names a column twice: left as it is',
    };
  }
  const at = new Map(names.map((name, column) => [name, column]));
  const lines = [
    `${current.join(',')}\n`,
    ...rows.map((fields) => {
      const cells = current.map((name) => {
        const column = at.get(name);
        return column === undefined ? '' : (fields[column] ?? '');
      });
      return `${cells.join(',')}\n`;
    }),
  ];
  return { text: lines.join(''), added };
}
