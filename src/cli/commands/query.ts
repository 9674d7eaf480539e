import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { encodeRow, type CellValue } from '../../csv/encode.js';
import { ValidationError } from '../../errors.js';
import { queryWithColumns } from '../../query/query.js';
import type { QueryAnswer } from '../../query/_engine.js';
import { queryViews, SQL_TYPES } from '../../query/views.js';
import type { OnSkipped } from '../../skipped-files.js';
import { defineCliCommand, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { formatNumber, printTable } from '../_table.js';

/** A view as `--tables` lists it. */
export interface ViewDescription {
  name: string;
  description: string;
  columns: { name: string; type: string; description: string }[];
}

/** Options of {@link queryCommand}. */
export interface QueryCommandOptions extends CommandOptions {
  sql?: string | undefined;
  /** List the views and their columns instead. @default false */
  tables?: boolean | undefined;
  onSkipped?: OnSkipped;
}

/** What `ml-tracking query` answers: rows, or the views. */
export type QueryCommandResult = { answer: QueryAnswer } | { views: ViewDescription[] };

/** `ml-tracking query`: one SQL query over the store's tables, or with `tables` the views. */
export async function queryCommand(options: QueryCommandOptions): Promise<QueryCommandResult> {
  if (options.tables === true) {
    if (options.sql !== undefined) {
      throw new ValidationError(
        '--tables',
        'it lists the views, and a query was given too',
        'Leave out the query or --tables.',
      );
    }
    return {
      views: queryViews().map((view) => ({
        name: view.name,
        description: view.description,
        columns: view.columns.map((column) => ({
          name: column.name,
          type: SQL_TYPES[column.type],
          description: column.description,
        })),
      })),
    };
  }
  if (options.sql === undefined) {
    throw new ValidationError(
      'sql',
      'no query was given',
      'Give one, e.g. ml-tracking query "SELECT kind, count(*) FROM experiments GROUP BY kind", or --tables to see the views.',
    );
  }
  return {
    answer: await queryWithColumns(options.sql, {
      ...(options.store !== undefined && { store: options.store }),
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
      ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
    }),
  };
}

/** A cell of a result as a CSV cell: nothing for NULL, JSON for a list or a struct. */
function csvCell(value: unknown): CellValue {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/** A cell of a result in the terminal's table: numbers to six significant digits, NULL as -. */
function tableCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function printViews(output: Output, views: readonly ViewDescription[]): void {
  views.forEach((view, index) => {
    if (index > 0) output.line('');
    output.line(`${view.name}: ${view.description}`);
    const width = Math.max(...view.columns.map((column) => column.name.length));
    const typeWidth = Math.max(...view.columns.map((column) => column.type.length));
    for (const column of view.columns) {
      output.line(
        `  ${column.name.padEnd(width)}  ${column.type.padEnd(typeWidth)}  ${column.description}`,
      );
    }
  });
}

export const queryCli = defineCliCommand({
  meta: {
    name: 'query',
    description: COMMAND_DESCRIPTIONS.query,
  },
  args: {
    sql: {
      type: 'positional',
      description:
        'One SELECT statement (DuckDB SQL) over the views, e.g. "SELECT kind, count(*) FROM experiments GROUP BY kind"',
      required: false,
    },
    tables: { type: 'boolean', description: 'List the views and their columns' },
    json: { type: 'boolean', description: 'Print the rows as a JSON array of objects' },
    csv: { type: 'boolean', description: 'Print the rows as CSV, with a header' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) => {
    if (args.json === true && args.csv === true) {
      throw new ValidationError('--csv', 'it was given with --json', 'Choose one of them.');
    }
    return queryCommand({
      sql: args.sql,
      tables: args.tables,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    });
  },
  json: (result) => ('views' in result ? result.views : result.answer.rows),
  render: (result, output, args) => {
    if ('views' in result) {
      printViews(output, result.views);
      return;
    }
    const { columns, rows } = result.answer;
    if (args.csv === true) {
      output.line(encodeRow(columns).replace(/\r?\n$/, ''));
      for (const row of rows) {
        output.line(encodeRow(columns.map((name) => csvCell(row[name]))).replace(/\r?\n$/, ''));
      }
      return;
    }
    printTable(
      output,
      columns,
      rows.map((row) => columns.map((name) => tableCell(row[name]))),
    );
    output.line(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  },
});
