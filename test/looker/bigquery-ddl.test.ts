import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { allTables, type ColumnType } from '../../src/layout/tables.js';
import {
  bigQueryDdl,
  bigQueryExternalTables,
  bigQueryViews,
} from '../../src/looker/bigquery-ddl.js';

const TYPES: Record<ColumnType, string> = {
  text: 'STRING',
  number: 'FLOAT64',
  integer: 'INT64',
  boolean: 'BOOL',
  datetime: 'TIMESTAMP',
  date: 'DATE',
  json: 'STRING',
  url: 'STRING',
};

const TABLE_NAMES = [
  'tracking_classification',
  'tracking_regression',
  'scoring',
  'predictions_classification',
  'predictions_regression',
  'confusion',
  'runs',
  'scalars',
  'sweeps',
  'model_runs',
];

/** The external tables of a DDL script, each split into its table, columns and options. */
function parseDdl(ddl: string) {
  const statements = ddl
    .trim()
    .split(/;\n\n/)
    .filter((statement) => statement.startsWith('CREATE OR REPLACE EXTERNAL TABLE'));
  return statements.map((statement) => {
    const match =
      /^CREATE OR REPLACE EXTERNAL TABLE `([^`]+)` \(\n([\s\S]*?)\n\)\nOPTIONS \(\n([\s\S]*?)\n\);?$/.exec(
        statement,
      );
    expect(match, statement).not.toBeNull();
    const columns = match![2]!.split(',\n').map((line) => {
      const column = /^ {2}`([a-z_0-9]+)` ([A-Z0-9]+)(?: OPTIONS \(description = '.*'\))?$/.exec(
        line,
      );
      expect(column, line).not.toBeNull();
      return [column![1], column![2]];
    });
    return { table: match![1]!, columns, options: match![3]! };
  });
}

describe('bigQueryDdl', () => {
  it('has an external table for every folder of the contract, with its columns and their declared types', () => {
    const statements = parseDdl(bigQueryDdl({ dataset: 'ml', store: 'gs://my-bucket/ml' }));
    const tables = allTables();
    expect(statements).toHaveLength(tables.length);
    for (const table of tables) {
      const statement = statements.find((candidate) =>
        candidate.options.includes(`uris = ['gs://my-bucket/ml/${table.folder}/*.csv']`),
      );
      expect(statement, `no external table reads ${table.folder}`).toBeDefined();
      expect(statement!.columns, table.folder).toEqual(
        table.columns.map((column) => [column.name, TYPES[column.type]]),
      );
    }
  });

  it('creates the tables, then the views that read them, each after what it reads', () => {
    const ddl = bigQueryDdl({ dataset: 'ml', store: 'gs://my-bucket' });
    const created = [...ddl.matchAll(/^CREATE OR REPLACE (?:EXTERNAL TABLE|VIEW) `([^`]+)`/gm)].map(
      (match) => match[1]!,
    );
    expect(created).toEqual([
      ...TABLE_NAMES.map((name) => `ml.${name}`),
      ...bigQueryViews({ dataset: 'ml' }).map((view) => view.view),
    ]);
    for (const [index, view] of bigQueryViews({ dataset: 'ml' }).entries()) {
      const reads = [...view.ddl.matchAll(/(?:FROM|JOIN) `([^`]+)`/g)].map((match) => match[1]!);
      for (const name of reads) {
        expect(created.indexOf(name), `${view.view} reads ${name}`).toBeGreaterThanOrEqual(0);
        expect(created.indexOf(name), `${view.view} reads ${name}`).toBeLessThan(
          TABLE_NAMES.length + index,
        );
      }
    }
  });

  it('names the views in the order they are created, and checks the dataset', () => {
    const views = bigQueryViews({ dataset: 'ml', jsonAs: 'JSON' });
    expect(views.map((view) => view.view)).toEqual([
      'ml.experiments',
      'ml.run_scalars',
      'ml.experiment_scores',
      'ml.sweep_trials',
      'ml.trained_models',
    ]);
    expect(views[0]!.ddl).toContain('CAST(NULL AS FLOAT64) AS mae');
    expect(() => bigQueryViews({ dataset: 'a.b.c' })).toThrow(ValidationError);
  });

  it('creates one external table per folder, every column in order with its mapped type', () => {
    const ddl = bigQueryDdl({
      dataset: 'my-project.ml_tracking',
      store: 'gs://my-bucket/team/ml/',
    });
    const statements = parseDdl(ddl);
    const tables = allTables();
    expect(statements.map((statement) => statement.table)).toEqual(
      TABLE_NAMES.map((name) => `my-project.ml_tracking.${name}`),
    );
    for (const [index, table] of tables.entries()) {
      const statement = statements[index]!;
      expect(statement.columns).toEqual(
        table.columns.map((column) => [column.name, TYPES[column.type]]),
      );
      expect(statement.options).toContain("format = 'CSV'");
      expect(statement.options).toContain(
        `uris = ['gs://my-bucket/team/ml/${table.folder}/*.csv']`,
      );
      expect(statement.options).toContain('skip_leading_rows = 1');
      // A file of an older schema version lacks the last columns: NULL, not a bad record.
      expect(statement.options).toContain('allow_jagged_rows = true');
      expect(statement.options).toContain('allow_quoted_newlines = true');
    }
  });

  it('accepts a bare dataset and a bare bucket, and JSON columns as JSON', () => {
    const tables = bigQueryExternalTables({
      dataset: 'ml_tracking',
      store: 'gs://my-bucket',
      jsonAs: 'JSON',
    });
    expect(tables[0]!.table).toBe('ml_tracking.tracking_classification');
    expect(tables[0]!.uri).toBe('gs://my-bucket/projects/classification/*.csv');
    expect(tables[0]!.ddl).toContain('`hyperparameters` JSON');
    expect(tables[2]!.uri).toBe('gs://my-bucket/scoring/*.csv');
  });

  it('escapes quotes in column descriptions', () => {
    const ddl = bigQueryDdl({ dataset: 'd', store: 'gs://my-bucket' });
    expect(ddl).toContain("`cohen_kappa` FLOAT64 OPTIONS (description = 'Cohen\\'s kappa')");
  });

  it.each(['', 'a.b.c', 'proj_x.data', 'data-set', 'data set', 'p.d;DROP', '`d`'])(
    'rejects the dataset name %j',
    (dataset) => {
      expect(() => bigQueryDdl({ dataset, store: 'gs://my-bucket' })).toThrow(ValidationError);
    },
  );

  it('rejects a store that is not in Cloud Storage', () => {
    expect(() => bigQueryDdl({ dataset: 'd', store: './ml-tracking' })).toThrow(
      /BigQuery reads only Google Cloud Storage/,
    );
  });
});
