import { ValidationError } from '../errors.js';
import type { SkippedFilesOptions } from '../skipped-files.js';
import { withStore } from '../store/with-store.js';
import type { Store } from '../store/types.js';
import { checkSelect, type QueryAnswer } from './_engine.js';
import { openStoreEngine } from './_store-engine.js';

/** Options of {@link query}. */
export interface QueryOptions extends SkippedFilesOptions {
  /**
   * The store: a URL or folder (opened here and closed after), or an opened store.
   * @default ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store | undefined;
  /** The folder a relative store path is read from. @default process.cwd() */
  cwd?: string;
  /**
   * Where `ML_TRACKING_STORE` and the cache folder (`XDG_CACHE_HOME`, where a bucket's tables are
   * mirrored) are read. @default process.env
   */
  env?: Record<string, string | undefined>;
}

/**
 * {@link query}, with the result's column names in order (an empty result still has them).
 * @throws ValidationError (`parameter: 'sql'`) for a statement that is not one read-only query,
 *   does not parse, or names a view or column that does not exist.
 */
export async function queryWithColumns(
  sql: string,
  options: QueryOptions = {},
): Promise<QueryAnswer> {
  // Checked before the store is opened (or a bucket mirrored), so that a slip costs nothing.
  if (typeof sql !== 'string' || sql.trim() === '') {
    throw new ValidationError(
      'sql',
      typeof sql === 'string' ? 'it is empty' : `it is ${typeof sql}, not text`,
      'Give one SELECT statement, e.g. "SELECT kind, count(*) FROM experiments GROUP BY kind".',
    );
  }
  await checkSelect(sql);
  return withStore(
    options.store,
    async (store) => {
      const engine = await openStoreEngine(store, {
        confined: true,
        sql,
        ...(options.env !== undefined && { env: options.env }),
        onSkipped: options.onSkipped,
      });
      try {
        return await engine.select(sql);
      } finally {
        await engine.close();
      }
    },
    {
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
    },
  );
}

/**
 * Runs one SQL query (DuckDB's dialect) over the store's tables and returns its rows as objects.
 * The views are the data contract's tables: `experiments` (every tracker of both kinds),
 * `scoring`, `predictions`, `confusion`, `runs`, `scalars`, `sweeps` and `model_runs`, with the
 * contract's column types. A query only reads, and only the store: COPY, ATTACH, CREATE, SET and
 * reading files elsewhere are refused. A bucket's tables are mirrored into the user's cache
 * folder first (only what changed since the last query is downloaded). Files that are not tables
 * of their folder are left out and named to `onSkipped`.
 *
 * Values are plain JSON: integers as numbers (as text beyond 2^53), times as ISO 8601 UTC text,
 * dates as `YYYY-MM-DD`, JSON columns as their text.
 *
 * @throws ValidationError (`parameter: 'sql'`) for a statement that is not one read-only query,
 *   does not parse, or names a view or column that does not exist.
 * @throws NotFoundError when the store is a local folder that does not exist.
 * @example
 * const best = await query(
 *   "SELECT model, max(f1_macro) AS f1 FROM experiments WHERE kind = 'classification' GROUP BY model",
 *   { store: 'gs://bucket/ml' },
 * );
 */
export async function query(
  sql: string,
  options: QueryOptions = {},
): Promise<Record<string, unknown>[]> {
  return (await queryWithColumns(sql, options)).rows;
}
