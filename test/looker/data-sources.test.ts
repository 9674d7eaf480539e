import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { allTables, type ColumnType } from '../../src/layout/tables.js';
import {
  dataSourceAlias,
  lookerDataSources,
  lookerFieldType,
} from '../../src/looker/data-sources.js';

const JSON_PATH = fileURLToPath(new URL('../../dashboards/data-sources.json', import.meta.url));

/** The JSON file as it should be: the data sources, formatted the way prettier wants it. */
async function expectedJson(): Promise<string> {
  const text = JSON.stringify(
    {
      $comment:
        'Generated from src/looker/data-sources.ts (from src/layout/tables.ts); do not edit. Regenerate with UPDATE_DASHBOARDS=1 npx vitest run test/looker',
      dataSources: lookerDataSources(),
    },
    null,
    2,
  );
  const config = (await resolveConfig(JSON_PATH)) ?? {};
  return format(text, { ...config, filepath: JSON_PATH });
}

describe('lookerDataSources', () => {
  it('has one data source per folder of the contract, with every column in order', () => {
    const sources = lookerDataSources();
    const tables = allTables();
    expect(sources.map((source) => source.folder)).toEqual(tables.map((table) => table.folder));
    for (const [index, table] of tables.entries()) {
      const source = sources[index]!;
      expect(source.fields.map((field) => [field.name, field.columnType])).toEqual(
        table.columns.map((column) => [column.name, column.type]),
      );
      for (const field of source.fields) expect(field.type).toBe(lookerFieldType(field.columnType));
    }
  });

  it('names the aliases short and unique', () => {
    const aliases = lookerDataSources().map((source) => source.alias);
    expect(aliases).toEqual([
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
    ]);
    expect(dataSourceAlias('projects/classification')).toBe('tracking_classification');
  });

  it('names every data source in words, never by its folder (a new table needs a title)', () => {
    for (const source of lookerDataSources()) {
      expect(source.name, source.folder).toMatch(
        /^ml-tracking [A-Z][a-z ]+(?: \((?:classification|regression)\))?$/,
      );
    }
  });

  it('maps every column type to its Looker Studio type', () => {
    const expected: Record<ColumnType, string> = {
      text: 'TEXT',
      number: 'NUMBER',
      integer: 'NUMBER',
      boolean: 'BOOLEAN',
      datetime: 'DATETIME',
      date: 'DATE',
      json: 'TEXT',
      url: 'URL',
    };
    for (const [type, looker] of Object.entries(expected)) {
      expect(lookerFieldType(type as ColumnType)).toBe(looker);
    }
  });

  it('suggests image, date and date-time calculated fields on the tracking tables', () => {
    const tracking = lookerDataSources().find(
      (source) => source.alias === 'tracking_classification',
    )!;
    const formulas = Object.fromEntries(
      tracking.calculatedFields.map((field) => [field.name, field.formula]),
    );
    expect(formulas.date_day).toBe('PARSE_DATE("%Y-%m-%d", date)');
    expect(formulas.logged_at_time).toContain('PARSE_DATETIME(');
    expect(formulas.plot_confusion_matrix_image).toMatch(/^IMAGE\(.*plot_confusion_matrix/);
    // Every plot column gets its image field, titled in words (not its column name).
    for (const field of tracking.fields.filter((f) => f.name.startsWith('plot_'))) {
      expect(formulas[`${field.name}_image`], field.name).toMatch(
        new RegExp(`^IMAGE\\(REGEXP_REPLACE\\(${field.name}, .*, "[A-Z][^_]*"\\)$`),
      );
    }
    expect(formulas.plot_roc_image).toContain('"ROC curve"');
    // Every calculated field refers only to fields of its own data source.
    for (const source of lookerDataSources()) {
      const names = new Set(source.fields.map((field) => field.name));
      for (const calculated of source.calculatedFields) {
        // Functions and keywords are upper case; the lower-case words outside strings are fields.
        const words = calculated.formula.replace(/"[^"]*"/g, '').match(/\b[a-z_]+\b/g) ?? [];
        for (const word of words) {
          expect(names, `${source.alias}.${calculated.name} uses ${word}`).toContain(word);
        }
      }
    }
  });

  it('dashboards/data-sources.json is in sync with the code', async () => {
    const expected = await expectedJson();
    if (process.env.UPDATE_DASHBOARDS === '1') await writeFile(JSON_PATH, expected);
    const actual = await readFile(JSON_PATH, 'utf8').catch(() => '');
    expect(
      actual === expected,
      'dashboards/data-sources.json is stale: run UPDATE_DASHBOARDS=1 npx vitest run test/looker',
    ).toBe(true);
  });
});
