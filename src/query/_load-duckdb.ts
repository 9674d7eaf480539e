/**
 * DuckDB, imported on first use: its native library is about 70 MB, so `ml-tracking --help`, the
 * other commands and a program that imports ml-tracking only to log never load it.
 */
import { MlTrackingError } from '../errors.js';

/** The DuckDB client module. */
export type DuckDb = typeof import('@duckdb/node-api');

let loading: Promise<DuckDb> | undefined;

/**
 * The DuckDB client, imported once per process.
 * @throws MlTrackingError when it is not installed or has no build for this platform.
 */
export function loadDuckDb(): Promise<DuckDb> {
  loading ??= import('@duckdb/node-api').catch((error: unknown) => {
    loading = undefined;
    throw new MlTrackingError(
      `Cannot load DuckDB (@duckdb/node-api), the engine of ml-tracking query and export: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}.`,
      {
        cause: error,
        hint: `Reinstall ml-tracking so that its dependencies are installed (npm installs a prebuilt DuckDB for Linux, macOS and Windows on x64 and arm64; on another platform the query commands are not available).`,
      },
    );
  });
  return loading;
}
