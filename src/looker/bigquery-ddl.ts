/**
 * BigQuery external tables over the store's CSV folders, for when a project outgrows what Looker
 * Studio's Cloud Storage connector reads comfortably: one `CREATE OR REPLACE EXTERNAL TABLE` per
 * folder, columns typed from the data contract in `src/layout/tables.ts`.
 */
import { ValidationError } from '../errors.js';
import { allTables, type ColumnType } from '../layout/tables.js';
import { parseGcsStore, type GcsLocation } from './_gcs-location.js';
import { dataSourceAlias } from './data-sources.js';

export type BigQueryType = 'STRING' | 'FLOAT64' | 'INT64' | 'BOOL' | 'TIMESTAMP' | 'DATE' | 'JSON';

export interface BigQueryDdlOptions {
  /** `dataset` or `project.dataset`. */
  dataset: string;
  /** The store the experiments were logged to: `gs://bucket[/prefix]`. */
  store: string;
  /** How JSON columns are typed: STRING (the default, tolerant of empty cells) or JSON. */
  jsonAs?: 'STRING' | 'JSON';
}

/** One external table: its name, where it reads from, and the statement that creates it. */
export interface BigQueryExternalTable {
  /** `project.dataset.table` or `dataset.table`. */
  table: string;
  folder: string;
  uri: string;
  ddl: string;
}

const BIGQUERY_TYPES: Record<ColumnType, BigQueryType> = {
  text: 'STRING',
  number: 'FLOAT64',
  integer: 'INT64',
  boolean: 'BOOL',
  datetime: 'TIMESTAMP',
  date: 'DATE',
  json: 'STRING',
  url: 'STRING',
};

/** The BigQuery type of a column type of the data contract. */
export function bigQueryType(type: ColumnType, jsonAs: 'STRING' | 'JSON' = 'STRING'): BigQueryType {
  return type === 'json' ? jsonAs : BIGQUERY_TYPES[type];
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

function uriOf(location: GcsLocation, folder: string): string {
  const path = [location.prefix, folder].filter((part) => part !== '').join('/');
  return `gs://${location.bucket}/${path}/*.csv`;
}

/** The external tables of a store, one per folder, in the order of `allTables()`. */
export function bigQueryExternalTables(options: BigQueryDdlOptions): BigQueryExternalTable[] {
  const dataset = validDataset(options.dataset);
  const location = parseGcsStore(options.store, 'BigQuery');
  const jsonAs = options.jsonAs ?? 'STRING';
  if (!JSON_TYPES.includes(jsonAs)) {
    throw new ValidationError(
      'jsonAs',
      `"${jsonAs}" is not a JSON column type`,
      'Use STRING or JSON.',
    );
  }
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
      '  allow_quoted_newlines = true',
      ');',
    ].join('\n');
    return { table, folder: schema.folder, uri, ddl };
  });
}

/** The DDL that creates every external table of a store, statements separated by blank lines. */
export function bigQueryDdl(options: BigQueryDdlOptions): string {
  return `${bigQueryExternalTables(options)
    .map((table) => table.ddl)
    .join('\n\n')}\n`;
}
