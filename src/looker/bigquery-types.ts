/** How the data contract's column types read in BigQuery, for the external tables and the views. */
import type { ColumnType } from '../layout/tables.js';

export type BigQueryType = 'STRING' | 'FLOAT64' | 'INT64' | 'BOOL' | 'TIMESTAMP' | 'DATE' | 'JSON';

/** How JSON columns are typed: STRING (tolerant of empty cells) or JSON. */
export type JsonAs = 'STRING' | 'JSON';

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
export function bigQueryType(type: ColumnType, jsonAs: JsonAs = 'STRING'): BigQueryType {
  return type === 'json' ? jsonAs : BIGQUERY_TYPES[type];
}
