import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { withStore } from '../store/with-store.js';
import { openStoreEngine } from './_store-engine.js';
import type { QueryOptions } from './query.js';
import { queryViews } from './views.js';

/** The file formats {@link exportTables} writes. */
export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Options of {@link exportTables}. */
export interface ExportTablesOptions extends QueryOptions {
  /** The folder the files go to, made when missing; relative to `cwd`. */
  to: string;
  /** @default 'parquet' (Zstandard-compressed) */
  format?: ExportFormat | undefined;
  /** Only these views. @default every view */
  tables?: readonly string[] | undefined;
}

/** One file {@link exportTables} wrote. */
export interface ExportedTable {
  table: string;
  /** Absolute path. */
  file: string;
  rows: number;
  bytes: number;
}

/**
 * Writes the views of `ml-tracking query` as files, one per view (`<view>.parquet` or
 * `<view>.csv`), for BigQuery load jobs and notebooks: the same columns and types as the
 * queries see. Each file is written under a temporary name and renamed, so a file in `to` is
 * always whole; an existing file of the same name is replaced.
 *
 * @throws ValidationError for an unknown format or table name, before anything is read.
 * @example
 * await exportTables({ store: 'gs://bucket/ml', to: 'export', tables: ['experiments', 'scalars'] });
 */
export async function exportTables(options: ExportTablesOptions): Promise<ExportedTable[]> {
  const format = options.format ?? 'parquet';
  if (!EXPORT_FORMATS.includes(format)) {
    throw new ValidationError(
      'format',
      `"${format as string}" is not an export format`,
      `Use ${EXPORT_FORMATS.join(' or ')}.`,
    );
  }
  if (typeof options.to !== 'string' || options.to.trim() === '') {
    throw new ValidationError('to', 'it is empty', 'Name the folder to write the files to.');
  }
  const all = queryViews();
  const names = all.map((view) => view.name);
  const wanted = options.tables ?? names;
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new ValidationError(
      'tables',
      wanted.length === 0
        ? 'it names no table'
        : `${unknown.map((name) => `"${name}"`).join(', ')} ${unknown.length === 1 ? 'is not a table' : 'are not tables'}`,
      `Name some of ${names.join(', ')}.`,
    );
  }
  const views = all.filter((view) => wanted.includes(view.name));
  const folder = resolve(options.cwd ?? process.cwd(), options.to);
  return withStore(
    options.store,
    async (store) => {
      // Unconfined: it runs only the COPY statements below, never SQL from the user.
      const engine = await openStoreEngine(store, {
        confined: false,
        views,
        ...(options.env !== undefined && { env: options.env }),
        onSkipped: options.onSkipped,
      });
      try {
        await mkdir(folder, { recursive: true });
        const written: ExportedTable[] = [];
        for (const view of views) {
          const file = join(folder, `${view.name}.${format}`);
          const temporary = join(
            folder,
            `.${view.name}.${randomBytes(6).toString('hex')}.tmp.${format}`,
          );
          try {
            const rows = await engine.copyView(view.name, temporary, format);
            await rename(temporary, file);
            written.push({ table: view.name, file, rows, bytes: (await stat(file)).size });
          } catch (error) {
            await rm(temporary, { force: true });
            throw error;
          }
        }
        return written;
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
