// The views of `query()` against known values on a local folder: both kinds' trackers (schema 1
// and 2), runs (schema 1 and 2), scalars, predictions, scoring, confusion, sweeps, and the files
// a store collects that are not tables (a foreign file, a link out of the store, a bad line).
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRow } from '../../src/csv/encode.js';
import { headerOf, RUNS_COLUMNS } from '../../src/layout/tables.js';
import {
  openStore,
  query,
  ValidationError,
  type SkippedFile,
  type Store,
} from '../../src/index.js';
import { queryViews } from '../../src/query/views.js';
import { FOREIGN_FILE, OLD_RUN_ID, seedQueryStore, SWEEP_ID, type Seed } from './_query-store.js';

/** Every object of the store with its generation. */
async function listing(store: Store): Promise<string[]> {
  const objects: string[] = [];
  for await (const object of store.listAll('')) objects.push(`${object.path} ${object.generation}`);
  return objects;
}

describe('query() views on a local store', () => {
  let folder: string;
  let outside: string;
  let store: Store;
  let seed: Seed;
  let before: string[];
  const skipped: SkippedFile[] = [];
  const ask = (sql: string) => query(sql, { store, onSkipped: (file) => void skipped.push(file) });

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-query-'));
    outside = await mkdtemp(join(tmpdir(), 'ml-tracking-query-outside-'));
    store = await openStore(folder);
    seed = await seedQueryStore(store);
    before = await listing(store);
    // A run record outside the store, linked from inside: a query must not follow it out.
    const secret = join(outside, 'secret.csv');
    await writeFile(
      secret,
      `${encodeRow(headerOf(RUNS_COLUMNS))}${encodeRow(['20250103T000000000Z-5ec12e75', 'secret-project'])}`,
    );
    await symlink(secret, join(folder, 'runs', '20250103T000000000Z-5ec12e75.csv'));
  });
  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('experiments holds every tracker row of both kinds, schema 1 and 2, typed by the contract', async () => {
    const rows = await ask(
      'SELECT prediction_id, kind, model, f1_macro, rmse, plot_roc, logged_at, date, test_set_size, git_dirty, hyperparameters FROM experiments ORDER BY logged_at',
    );
    expect(rows.map((row) => [row.prediction_id, row.kind, row.model])).toEqual([
      ['old-prediction', 'classification', 'OldModel'],
      [seed.regressionId, 'regression', 'Ridge'],
      [seed.classificationId, 'classification', 'Forest'],
    ]);
    const [old, regression, classification] = rows;
    expect(old).toMatchObject({
      f1_macro: 0.5,
      rmse: null,
      plot_roc: null,
      logged_at: '2025-01-01T10:00:00.000Z',
      date: '2025-01-01',
      test_set_size: 10,
      git_dirty: false,
      hyperparameters: '{"depth":3}',
    });
    expect(regression?.rmse).toBe(seed.regressionScores.rmse);
    expect(regression?.f1_macro).toBeNull();
    expect(classification?.f1_macro).toBe(seed.classificationScores.f1_macro);
    expect(classification?.test_set_size).toBe(4);
    expect(classification?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // JSON columns answer JSON operators.
    expect(
      await ask(
        `SELECT hyperparameters->>'$.trees' AS trees FROM experiments WHERE model = 'Forest'`,
      ),
    ).toEqual([{ trees: '10' }]);
  });

  it('scoring, predictions and confusion hold what logExperiment computed', async () => {
    expect(
      await ask(
        `SELECT value FROM scoring WHERE prediction_id = '${seed.classificationId}' AND metric = 'f1_macro' AND class IS NULL`,
      ),
    ).toEqual([{ value: seed.classificationScores.f1_macro }]);
    expect(
      await ask(
        'SELECT kind, count(*) AS samples, sum(residual) AS residuals, count(*) FILTER (WHERE correct) AS correct FROM predictions GROUP BY kind ORDER BY kind',
      ),
    ).toEqual([
      { kind: 'classification', samples: 4, residuals: null, correct: 3 },
      { kind: 'regression', samples: 4, residuals: 1, correct: 0 },
    ]);
    expect(
      await ask(
        `SELECT y_true, y_pred FROM predictions WHERE kind = 'regression' AND sample_id = 'b'`,
      ),
    ).toEqual([{ y_true: '2', y_pred: '3' }]);
    expect(
      await ask(
        `SELECT actual, predicted, count FROM confusion WHERE count > 0 ORDER BY actual, predicted`,
      ),
    ).toEqual([
      { actual: 'x', predicted: 'x', count: 1 },
      { actual: 'x', predicted: 'y', count: 1 },
      { actual: 'y', predicted: 'y', count: 2 },
    ]);
  });

  it('runs reads both schemas; a foreign file is skipped and named; a link out of the store is not read', async () => {
    skipped.length = 0;
    const runs = await ask(
      'SELECT run_id, name, status, working_directory, started_at FROM runs ORDER BY run_id',
    );
    expect(runs.map((row) => row.run_id)).toEqual([OLD_RUN_ID, seed.runId]);
    expect(runs[0]).toMatchObject({
      name: 'old-run',
      working_directory: null,
      started_at: '2025-01-01T00:00:00.000Z',
    });
    expect(runs[1]).toMatchObject({ name: 'first', status: 'finished' });
    // The link is no object of the store (its listing leaves links out), so it is not read.
    expect(skipped).toEqual([
      {
        path: FOREIGN_FILE,
        problem: expect.stringMatching(/not a header of this table/) as unknown,
      },
    ]);
    expect(await ask(`SELECT count(*) AS n FROM runs WHERE project = 'secret-project'`)).toEqual([
      { n: 0 },
    ]);
  });

  it('scalars holds every point the run logged; a line that is no row is left out', async () => {
    expect(
      await ask(
        `SELECT tag, count(*) AS points, min(step) AS first, max(step) AS last, max(value) AS top FROM scalars WHERE run_id = '${seed.runId}' GROUP BY tag ORDER BY tag`,
      ),
    ).toEqual([
      { tag: 'acc', points: 10, first: 0, last: 9, top: 0.9 },
      { tag: 'loss', points: 10, first: 0, last: 9, top: 1 },
    ]);
    // The same rows whatever the query reads: count(*) reads no column, and the bad line still
    // does not count.
    expect(await ask('SELECT count(*) AS points FROM scalars')).toEqual([{ points: 20 }]);
    const [point] = await ask(`SELECT wall_time FROM scalars LIMIT 1`);
    expect(point?.wall_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('sweeps reads its record; an empty folder is a view with every declared column and no row', async () => {
    expect(
      await ask('SELECT sweep_id, method, max_runs, early_stopping, search_space FROM sweeps'),
    ).toEqual([
      {
        sweep_id: SWEEP_ID,
        method: 'grid',
        max_runs: 4,
        early_stopping: true,
        search_space: '{"lr":[0.1,0.01]}',
      },
    ]);
    expect(await ask('SELECT * FROM model_runs')).toEqual([]);
    const described = await ask('DESCRIBE model_runs');
    const declared = queryViews().find((view) => view.name === 'model_runs')?.columns ?? [];
    expect(described.map((row) => row.column_name)).toEqual(declared.map((column) => column.name));
    expect(described.find((row) => row.column_name === 'end_time')?.column_type).toBe(
      'TIMESTAMP WITH TIME ZONE',
    );
  });

  it('values are plain JSON: big integers as text, dates as YYYY-MM-DD', async () => {
    expect(
      await ask(
        `SELECT 9007199254740993::HUGEINT AS big, 42::BIGINT AS small, DATE '2026-01-02' AS day`,
      ),
    ).toEqual([{ big: '9007199254740993', small: 42, day: '2026-01-02' }]);
  });

  it('a statement that does not parse or names no view is a ValidationError on sql', async () => {
    await expect(ask('SELEC 1')).rejects.toMatchObject({
      name: 'ValidationError',
      parameter: 'sql',
      message: expect.stringMatching(
        /^Invalid sql: Parser Error: syntax error at or near "SELEC"/,
      ) as unknown,
    });
    const error = await ask('SELECT * FROM experiment').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(
      'there is no view experiment (did you mean experiments?)',
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('queries write nothing to the store', async () => {
    expect(await listing(store)).toEqual(before);
  });
});

describe('query() on a store with nothing in it', () => {
  it('every view answers no row, with its declared columns', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-query-empty-'));
    try {
      for (const view of queryViews()) {
        expect(await query(`SELECT * FROM ${view.name}`, { store: folder })).toEqual([]);
      }
      const columns = await query(
        `SELECT table_name, count(*) AS columns FROM duckdb_columns() WHERE internal = false GROUP BY table_name`,
        { store: folder },
      );
      expect(Object.fromEntries(columns.map((row) => [row.table_name, row.columns]))).toEqual(
        Object.fromEntries(queryViews().map((view) => [view.name, view.columns.length])),
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
