/**
 * The SQL engine over a local folder that holds the store's tables (the store itself, or a
 * bucket's mirror): a DuckDB database in memory with one view per table of the data contract.
 *
 * A query engine is read-only twice over. The statement must be one SELECT, decided from its parse
 * before it is prepared, which refuses COPY, EXPORT, ATTACH, CREATE, INSERT, PRAGMA, SET, INSTALL and LOAD before they
 * run; and once the views exist the engine may touch only the store's folder and its own
 * temporary folder, and its configuration is locked, so that even a statement the first check
 * missed cannot read `/etc/passwd`, load an extension or undo the confinement. (DuckDB's folder
 * confinement alone allows writing into the allowed folder: COPY TO the store itself succeeds.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { MlTrackingError, ValidationError } from '../errors.js';
import { closest } from '../_suggest.js';
import type { Column } from '../layout/tables.js';
import type { FileGroup } from './_table-files.js';
import { loadDuckDb, type DuckDb } from './_load-duckdb.js';
import { rowObjects } from './_rows.js';
import { SQL_TYPES, type QueryView, type ViewSource } from './views.js';

/** A view and the files of each of its folders. */
export interface ViewFiles {
  view: QueryView;
  sources: { source: ViewSource; groups: FileGroup[] }[];
}

/** What a query answered. */
export interface QueryAnswer {
  /** Column names, in order, made unique. */
  columns: string[];
  rows: Record<string, unknown>[];
}

/** An engine with the views made. */
export interface QueryEngine {
  /** Runs one read-only statement. @throws ValidationError for a statement that is wrong or not read-only. */
  select(sql: string): Promise<QueryAnswer>;
  /**
   * Writes a whole view to `file` and resolves its row count (engines opened with
   * `confined: false` only).
   */
  copyView(view: string, file: string, format: 'parquet' | 'csv'): Promise<number>;
  close(): Promise<void>;
}

type Connection = Awaited<ReturnType<InstanceType<DuckDb['DuckDBInstance']>['connect']>>;

const quoteText = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** One group of files as rows of the view: the view's columns, those the files lack as NULL. */
function groupSelect(view: QueryView, source: ViewSource, group: FileGroup): string {
  const typeOf = (column: Column) =>
    SQL_TYPES[view.columns.find((known) => known.name === column.name)?.type ?? column.type];
  const declared = group.columns
    .map((column) => `${quoteText(column.name)}: ${quoteText(typeOf(column))}`)
    .join(', ');
  const present = new Set(group.columns.map((column) => column.name));
  const projection = view.columns.map((column) => {
    if (present.has(column.name)) return quoteName(column.name);
    const constant = source.constants?.[column.name];
    const value = constant === undefined ? 'NULL' : quoteText(constant);
    return `${value}::${SQL_TYPES[column.type]} AS ${quoteName(column.name)}`;
  });
  // Declared columns, no sniffing; a row that is not one of the table (a line half written by a
  // writer that is still appending, a header line repeated mid-file) is left out, not fatal.
  const read = `read_csv([${group.files.map(quoteText).join(', ')}], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${declared}}, ignore_errors = true)`;
  return `SELECT ${projection.join(', ')} FROM ${read}`;
}

/** The SQL of a view: every group of every folder, or no row when there is no file. */
export function viewSql({ view, sources }: ViewFiles): string {
  const parts = sources.flatMap(({ source, groups }) =>
    groups.map((group) => groupSelect(view, source, group)),
  );
  if (parts.length > 0) return parts.join('\nUNION ALL\n');
  const columns = view.columns.map(
    (column) => `NULL::${SQL_TYPES[column.type]} AS ${quoteName(column.name)}`,
  );
  return `SELECT ${columns.join(', ')} WHERE false`;
}

// DuckDB's errors that a different statement avoids: the user's to fix (exit 2).
const STATEMENT_ERRORS =
  /^(Parser|Syntax|Catalog|Binder|Permission|Invalid Input|Conversion|Not implemented|Out of Range|Dependency|Constraint) Error:/;

/** A DuckDB failure as one line: its message without the caret drawing under the statement. */
function oneLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /^Failed to extract statements: /,
    '',
  );
  const [before = message] = message.split(/\n\s*LINE \d+:/);
  return before.replace(/\s*\n\s*/g, ' ').trim();
}

/** The error a failed statement is reported as. */
function statementError(error: unknown, views: readonly string[]): MlTrackingError {
  const problem = oneLine(error);
  // DuckDB suggests its own catalog tables ("pg_enum"); the views are what the user means.
  const missing = /^Catalog Error: Table with name (.+?) does not exist!/.exec(problem)?.[1];
  if (missing !== undefined) {
    const suggestion = closest(missing, views);
    return new ValidationError(
      'sql',
      `there is no view ${missing}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
      `The views are ${views.join(', ')}; \`ml-tracking query --tables\` lists their columns.`,
      { cause: error },
    );
  }
  if (STATEMENT_ERRORS.test(problem)) {
    return new ValidationError(
      'sql',
      problem.replace(/[.!]$/, ''),
      'Check the statement; `ml-tracking query --tables` lists the views and their columns.',
      { cause: error },
    );
  }
  return new MlTrackingError(`The query failed: ${problem}`, { cause: error });
}

/**
 * Whether `sql` parses as a SELECT (WITH, VALUES, DESCRIBE, SHOW and SUMMARIZE are SELECTs to
 * DuckDB), without preparing it: DuckDB serialises SELECT statements only.
 */
async function isSelect(connection: Connection, sql: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    'SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS parsed',
    {
      sql,
    },
  );
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}')) as { error?: boolean };
  return parsed.error !== true;
}

/**
 * The one statement of `sql`, parsed, after checking that it is one SELECT.
 * @throws ValidationError when it is not.
 */
async function checkedStatement(connection: Connection, sql: string) {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) {
    throw new ValidationError(
      'sql',
      statements.count === 0 ? 'it holds no statement' : `it holds ${statements.count} statements`,
      'Give one SELECT statement.',
    );
  }
  // Decided from the parse alone: preparing a statement already acts (EXPORT DATABASE makes its
  // folder when prepared), so only a SELECT is ever prepared.
  if (!(await isSelect(connection, sql))) {
    const keyword = /^[\s(]*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'such a';
    throw new ValidationError(
      'sql',
      `it is ${/^[AEIOU]/.test(keyword) ? 'an' : 'a'} ${keyword} statement, and a query only reads`,
      'Write a SELECT; `ml-tracking export` writes the views as files.',
    );
  }
  return statements;
}

/**
 * Checks that `sql` parses as one SELECT, before a store is listed or a bucket mirrored for it:
 * a typo costs no download.
 * @throws ValidationError when it does not.
 */
export async function checkSelect(sql: string): Promise<void> {
  const duckdb = await loadDuckDb();
  const instance = await duckdb.DuckDBInstance.create(':memory:', {
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    await checkedStatement(connection, sql);
  } catch (error) {
    throw error instanceof MlTrackingError ? error : statementError(error, []);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Opens an engine over `root` (a real path, links resolved) with `views` made.
 * @param options.confined lock it to read-only queries over `root` (what user SQL runs on);
 *   `false` for an engine that runs only ml-tracking's own statements (export's COPY).
 */
export async function openQueryEngine(
  root: string,
  views: readonly ViewFiles[],
  options: { confined: boolean },
): Promise<QueryEngine> {
  const duckdb = await loadDuckDb();
  // DuckDB spills to `.tmp` in the working folder by default: a private folder instead.
  const temporary = await mkdtemp(join(tmpdir(), 'ml-tracking-query-'));
  const instance = await duckdb.DuckDBInstance.create(':memory:', {
    temp_directory: temporary,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const close = async () => {
    connection.closeSync();
    instance.closeSync();
    await rm(temporary, { recursive: true, force: true });
  };
  try {
    // The store's times are UTC: day boundaries and exported text follow it on every machine.
    await connection.run(`SET TimeZone = 'UTC'`);
    // Every column of every row is read, used or not: a row whose cells do not parse (a line half
    // written, a header repeated mid-file) is left out of every query alike. With the unused
    // columns pruned, `count(*)` counted such rows and `count(step)` did not.
    await connection.run(`SET disabled_optimizers = 'unused_columns'`);
    for (const files of views) {
      await connection.run(`CREATE VIEW ${quoteName(files.view.name)} AS ${viewSql(files)}`);
    }
    if (options.confined) {
      await connection.run(`SET allowed_directories = [${quoteText(`${root}${sep}`)}]`);
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    }
  } catch (error) {
    await close();
    throw error;
  }
  const { StatementType } = duckdb;
  return {
    async select(sql) {
      try {
        const statements = await checkedStatement(connection, sql);
        const prepared = await statements.prepare(0);
        if (prepared.statementType !== StatementType.SELECT) {
          throw new ValidationError(
            'sql',
            `it is a ${StatementType[prepared.statementType]} statement, and a query only reads`,
            'Write a SELECT; `ml-tracking export` writes the views as files.',
          );
        }
        return rowObjects(duckdb, await prepared.runAndReadAll());
      } catch (error) {
        throw error instanceof MlTrackingError
          ? error
          : statementError(
              error,
              views.map((files) => files.view.name),
            );
      }
    },
    async copyView(view, file, format) {
      if (options.confined) throw new Error('copyView needs an engine opened with confined: false');
      // Times in the CSV as RFC 3339 UTC, as the store writes them (the engine's zone is UTC).
      const how =
        format === 'parquet'
          ? 'FORMAT parquet, COMPRESSION zstd'
          : `FORMAT csv, HEADER true, TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S.%fZ'`;
      const copied = await connection.runAndReadAll(
        `COPY (SELECT * FROM ${quoteName(view)}) TO ${quoteText(file)} (${how})`,
      );
      return Number(copied.getRows()[0]?.[0] ?? 0);
    },
    close,
  };
}
