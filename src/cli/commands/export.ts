import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { ValidationError } from '../../errors.js';
import {
  EXPORT_FORMATS,
  exportTables,
  type ExportFormat,
  type ExportedTable,
} from '../../query/export-tables.js';
import { queryViewNames } from '../../query/views.js';
import type { OnSkipped } from '../../skipped-files.js';
import { defineCliCommand, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { printTable } from '../_table.js';

/** Options of {@link exportCommand}, as typed. */
export interface ExportCommandOptions extends CommandOptions {
  to?: string | undefined;
  format?: string | undefined;
  /** Comma-separated view names. */
  tables?: string | undefined;
  onSkipped?: OnSkipped;
}

/** `ml-tracking export`: the views of `query` as files. */
export function exportCommand(options: ExportCommandOptions): Promise<ExportedTable[]> {
  if (options.to === undefined || options.to.trim() === '') {
    throw new ValidationError(
      '--to',
      'it is missing',
      'Name the folder to write the files to, e.g. --to export.',
    );
  }
  const format = options.format ?? 'parquet';
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new ValidationError(
      '--format',
      `"${format}" is not an export format`,
      `Use ${EXPORT_FORMATS.join(' or ')}.`,
    );
  }
  const tables = options.tables
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const names = queryViewNames();
  const unknown = tables?.filter((name) => !names.includes(name)) ?? [];
  if (tables?.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      '--tables',
      tables?.length === 0
        ? 'it names no table'
        : `${unknown.map((name) => `"${name}"`).join(', ')} ${unknown.length === 1 ? 'is not a table' : 'are not tables'}`,
      `Name some of ${names.join(', ')}, separated by commas.`,
    );
  }
  return exportTables({
    to: options.to,
    format: format as ExportFormat,
    ...(tables !== undefined && { tables }),
    ...(options.store !== undefined && { store: options.store }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
  });
}

/** `1.2 MB` */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export const exportCli = defineCliCommand({
  meta: {
    name: 'export',
    description: COMMAND_DESCRIPTIONS.export,
  },
  args: {
    to: { type: 'string', description: 'Folder to write the files to (made when missing)' },
    format: {
      type: 'string',
      description: `${EXPORT_FORMATS.join(' or ')} (default parquet, Zstandard-compressed)`,
    },
    tables: {
      type: 'string',
      description: `Only these views, separated by commas (default all: ${queryViewNames().join(', ')})`,
    },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    exportCommand({
      to: args.to,
      format: args.format,
      tables: args.tables,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  render: (files, output) => {
    printTable(
      output,
      ['file', 'rows', 'size'],
      files.map((file) => [file.file, String(file.rows), formatBytes(file.bytes)]),
    );
  },
});
