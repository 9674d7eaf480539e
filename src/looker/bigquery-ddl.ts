/**
 * BigQuery external tables over the store's CSV folders, for when a project outgrows what Looker
 * Studio's Cloud Storage connector reads comfortably: one `CREATE OR REPLACE EXTERNAL TABLE` per
 * folder, columns typed from the data contract in `src/layout/tables.ts`, then the views that
 * join them (`bigquery-views.ts`).
 */
import { ValidationError } from '../errors.js';
import { allTables } from '../layout/tables.js';
import { parseGcsStore, type GcsLocation } from './_gcs-location.js';
import { bigQueryType, type JsonAs } from './bigquery-types.js';
import { bigQueryViewsOf, type BigQueryView } from './bigquery-views.js';
import { dataSourceAlias } from './data-sources.js';

export interface BigQueryDdlOptions {
  /** `dataset` or `project.dataset`. */
  dataset: string;
  /** The store the experiments were logged to: `gs://bucket[/prefix]`. */
  store: string;
  /** How JSON columns are typed: STRING (the default, tolerant of empty cells) or JSON. */
  jsonAs?: JsonAs;
}

export { bigQueryType };
export type { BigQueryType } from './bigquery-types.js';

/** One external table: its name, where it reads from, and the statement that creates it. */
export interface BigQueryExternalTable {
  /** `project.dataset.table` or `dataset.table`. */
  table: string;
  folder: string;
  uri: string;
  ddl: string;
}

const JSON_TYPES: readonly string[] = ['STRING', 'JSON'];
const DATASET = /^(?:[A-Za-z0-9-]{1,63}\.)?[A-Za-z0-9_]{1,1024}$/;

function validDataset(dataset: string): string {
  const trimmed = dataset.trim();
  if (!DATASET.test(trimmed) || trimmed.startsWith('-') || trimmed.includes('-.')) {
    throw new ValidationError(
      'dataset',
      trimmed === '' ? 'no dataset was given' : `"${trimmed}" is not a BigQuery dataset name`,
      'Write it as dataset or project.dataset: letters, digits and "_" (and "-" in the project id).',
    );
  }
  return trimmed;
}

/** A GoogleSQL string literal. */
function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function validJsonAs(jsonAs: JsonAs = 'STRING'): JsonAs {
  if (!JSON_TYPES.includes(jsonAs)) {
    throw new ValidationError(
      'jsonAs',
      `"${jsonAs}" is not a JSON column type`,
      'Use STRING or JSON.',
    );
  }
  return jsonAs;
}

function uriOf(location: GcsLocation, folder: string): string {
  const path = [location.prefix, folder].filter((part) => part !== '').join('/');
  return `gs://${location.bucket}/${path}/*.csv`;
}

/** The external tables of a store, one per folder, in the order of `allTables()`. */
export function bigQueryExternalTables(options: BigQueryDdlOptions): BigQueryExternalTable[] {
  const dataset = validDataset(options.dataset);
  const location = parseGcsStore(options.store, 'BigQuery');
  const jsonAs = validJsonAs(options.jsonAs);
  return allTables().map((schema) => {
    const table = `${dataset}.${dataSourceAlias(schema.folder)}`;
    const uri = uriOf(location, schema.folder);
    const columns = schema.columns.map(
      (column) =>
        `  \`${column.name}\` ${bigQueryType(column.type, jsonAs)} OPTIONS (description = ${stringLiteral(column.description)})`,
    );
    const ddl = [
      `CREATE OR REPLACE EXTERNAL TABLE \`${table}\` (`,
      columns.join(',\n'),
      ')',
      'OPTIONS (',
      "  format = 'CSV',",
      `  uris = [${stringLiteral(uri)}],`,
      '  skip_leading_rows = 1,',
      // Files of an older schema version lack the columns added last (runs before
      // working_directory, classification trackers before the v2 plots): NULL there, not errors.
      '  allow_jagged_rows = true,',
      '  allow_quoted_newlines = true',
      ');',
    ].join('\n');
    return { table, folder: schema.folder, uri, ddl };
  });
}

/**
 * The views that join the external tables of {@link bigQueryExternalTables} on their keys:
 * `experiments` (the trackers of both kinds), `run_scalars`, `experiment_scores`, `sweep_trials`
 * and `trained_models`.
 */
export function bigQueryViews(
  options: Pick<BigQueryDdlOptions, 'dataset' | 'jsonAs'>,
): BigQueryView[] {
  return bigQueryViewsOf(validDataset(options.dataset), validJsonAs(options.jsonAs));
}

/**
 * The DDL that creates every external table of a store, then the views that join them,
 * statements separated by blank lines: a script for `bq query --use_legacy_sql=false`.
 */
export function bigQueryDdl(options: BigQueryDdlOptions): string {
  const statements = [...bigQueryExternalTables(options), ...bigQueryViews(options)];
  return `${statements.map((statement) => statement.ddl).join('\n\n')}\n`;
}
