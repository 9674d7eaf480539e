// `ml-tracking query` and `ml-tracking export` as a user runs them: output formats, exit codes
// and one-line errors (in-process), the files export writes, and what a process loads.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { queryViewNames } from '../../src/query/views.js';
import { runProcess } from '../support/processes.js';
import { BUILT_CLI, root } from '../support/programs.js';
import { cli } from '../cli/_in-process.js';
import { FOREIGN_FILE, seedQueryStore, type Seed } from './_query-store.js';

describe('ml-tracking query and export', () => {
  let folder: string;
  let work: string;
  let store: Store;
  let seed: Seed;
  const run = (args: string[]) => cli([...args, '--store', folder], { cwd: work });

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-query-cli-'));
    work = await mkdtemp(join(tmpdir(), 'ml-tracking-query-cli-work-'));
    store = await openStore(folder);
    seed = await seedQueryStore(store);
  });
  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('prints a table by default; a skipped file is a warning on stderr', async () => {
    const result = await run([
      'query',
      `SELECT model, round(coalesce(f1_macro, rmse), 4) AS headline FROM experiments WHERE project = 'soil' ORDER BY model`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model\s+headline$/);
    expect(lines.slice(1, 3).map((line) => line.split(/\s+/)[0])).toEqual(['Forest', 'Ridge']);
    expect(lines.at(-1)).toBe('(2 rows)');
    expect(result.stderr).toBe('');
    const runs = await run(['query', 'SELECT count(*) AS runs FROM runs']);
    expect(runs.code).toBe(0);
    expect(runs.stderr).toMatch(
      new RegExp(
        `^ml-tracking: warning: skipped ${FOREIGN_FILE}: its first line is not a header of this table`,
      ),
    );
  });

  it('--json prints an array of objects at full precision; --csv a header and rows', async () => {
    const sql = `SELECT prediction_id, rmse, logged_at FROM experiments WHERE kind = 'regression'`;
    const json = await run(['query', '--json', sql]);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toEqual([
      {
        prediction_id: seed.regressionId,
        rmse: seed.regressionScores.rmse,
        logged_at: expect.stringMatching(/Z$/) as unknown,
      },
    ]);
    const csv = await run(['query', '--csv', `${sql} UNION ALL SELECT 'a,"b"', NULL, NULL`]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(parse(csv.stdout, { columns: true })).toEqual([
      {
        prediction_id: seed.regressionId,
        rmse: String(seed.regressionScores.rmse),
        logged_at: rows[0]?.logged_at,
      },
      { prediction_id: 'a,"b"', rmse: '', logged_at: '' },
    ]);
    const both = await run(['query', '--json', '--csv', sql]);
    expect(both.code).toBe(2);
  });

  it('--tables lists every view with its columns and types', async () => {
    const result = await run(['query', '--tables', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const views = JSON.parse(result.stdout) as {
      name: string;
      columns: { name: string; type: string }[];
    }[];
    expect(views.map((view) => view.name)).toEqual(queryViewNames());
    expect(views.find((view) => view.name === 'scalars')?.columns).toEqual([
      expect.objectContaining({ name: 'run_id', type: 'VARCHAR' }),
      expect.objectContaining({ name: 'tag', type: 'VARCHAR' }),
      expect.objectContaining({ name: 'step', type: 'BIGINT' }),
      expect.objectContaining({ name: 'value', type: 'DOUBLE' }),
      expect.objectContaining({ name: 'wall_time', type: 'TIMESTAMPTZ' }),
    ]);
    const text = await run(['query', '--tables']);
    expect(text.stdout).toMatch(/^experiments: /);
    expect(text.stdout).toMatch(
      /\n {2}kind +VARCHAR +classification or regression \(the folder the file is in\)\n/,
    );
  });

  it.each([
    [
      'a syntax error',
      'SELEC 1',
      /^ml-tracking: Invalid sql: Parser Error: syntax error at or near "SELEC"\. /,
    ],
    [
      'a refused statement',
      `COPY experiments TO 'x.csv'`,
      /^ml-tracking: Invalid sql: it is a COPY statement, and a query only reads\. /,
    ],
    [
      'an unknown view',
      'SELECT * FROM experiment',
      /^ml-tracking: Invalid sql: there is no view experiment \(did you mean experiments\?\)\. /,
    ],
    [
      'an unknown column',
      'SELECT f1 FROM experiments',
      /^ml-tracking: Invalid sql: Binder Error: Referenced column "f1" not found/,
    ],
  ])('%s exits 2 with one line and no stack', async (_, sql, message) => {
    const result = await run(['query', sql]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('a store folder that does not exist exits 1, as every reading command', async () => {
    const result = await cli(['query', 'SELECT 1', '--store', join(work, 'nowhere')], {
      cwd: work,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ml-tracking: No store at .*nowhere: the folder does not exist\./,
    );
  });

  it('export writes one whole file per view, Parquet by default, that reads back as the query does', async () => {
    const result = await run(['export', '--to', 'out', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const files = await readdir(join(work, 'out'));
    expect(files.sort()).toEqual(
      queryViewNames()
        .map((name) => `${name}.parquet`)
        .sort(),
    );
    const written = JSON.parse(result.stdout) as { table: string; rows: number }[];
    expect(written.find((file) => file.table === 'scalars')?.rows).toBe(20);

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const back = await connection.runAndReadAll(
        `SELECT model, f1_macro, typeof(logged_at) AS type FROM '${join(work, 'out', 'experiments.parquet')}' WHERE model = 'Forest'`,
      );
      expect(back.getRowObjectsJS()).toEqual([
        {
          model: 'Forest',
          f1_macro: seed.classificationScores.f1_macro,
          type: 'TIMESTAMP WITH TIME ZONE',
        },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('export --format csv --tables writes only those views, times as RFC 3339', async () => {
    const result = await run([
      'export',
      '--to',
      'csv',
      '--format',
      'csv',
      '--tables',
      'runs, sweeps',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(join(work, 'csv'))).sort()).toEqual(['runs.csv', 'sweeps.csv']);
    const sweeps = parse<Record<string, string>>(await readFile(join(work, 'csv', 'sweeps.csv')), {
      columns: true,
    });
    expect(sweeps).toEqual([
      expect.objectContaining({ created_at: '2025-01-02T00:00:00.000000Z', max_runs: '4' }),
    ]);
  });

  it.each([
    [
      ['export', '--to', 'x', '--tables', 'experiment'],
      /Invalid --tables: "experiment" is not a table\. Name some of experiments, scoring/,
    ],
    [
      ['export', '--to', 'x', '--format', 'xlsx'],
      /Invalid --format: "xlsx" is not an export format\. Use parquet or csv\./,
    ],
    [['export'], /Invalid --to: it is missing/],
  ])('export %j is refused before anything is written', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readdir(work).then((names) => names.includes('x'))).toBe(false);
  });
});

describe('ml-tracking query in a process', () => {
  const REGISTER = join(root, 'test/support/module-log/register.mjs');
  const loads = async (args: string[]) => {
    const result = await runProcess(process.execPath, ['--import', REGISTER, BUILT_CLI, ...args], {
      cwd: root,
    });
    expect(result.code, result.stderr).toBe(0);
    return result.stderr
      .split('\n')
      .filter((line) => line.startsWith('LOADED ') && line.includes('@duckdb'));
  };

  it('loads DuckDB for a query only, not for --tables or --help', async () => {
    expect(await loads(['query', '--tables'])).toEqual([]);
    expect(await loads(['export', '--help'])).toEqual([]);
    const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-query-process-'));
    try {
      expect(await loads(['query', 'SELECT 1', '--store', folder])).not.toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
