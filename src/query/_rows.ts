/**
 * Result values as plain JSON values, the same for the library, `--json` and the Python client:
 * integers as numbers (as text beyond 2^53, where a number would round), times in ISO 8601 UTC,
 * dates as `YYYY-MM-DD`, bytes in base64.
 */
import type { DuckDb } from './_load-duckdb.js';

/** One value of a result, converted. */
function plain(value: unknown, isDate: boolean): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) {
    const text = value.toISOString();
    return isDate ? text.slice(0, 10) : text;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => plain(item, false));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, plain(item, false)]),
    );
  }
  return value;
}

/** The rows of a read result as objects, keyed by column names made unique (`x`, `x_1`). */
export function rowObjects(
  duckdb: DuckDb,
  reader: Awaited<ReturnType<InstanceType<DuckDb['DuckDBPreparedStatement']>['runAndReadAll']>>,
): { columns: string[]; rows: Record<string, unknown>[] } {
  const columns = reader.deduplicatedColumnNames();
  const dates = columns.map((_, index) => reader.columnTypeId(index) === duckdb.DuckDBTypeId.DATE);
  const rows = reader.getRowsJS().map((row) => {
    const object: Record<string, unknown> = {};
    columns.forEach((name, index) => {
      object[name] = plain(row[index], dates[index] ?? false);
    });
    return object;
  });
  return { columns, rows };
}
