// A query only reads, and only the store: every statement that writes, copies out, attaches,
// loads, changes a setting or reads a file elsewhere is refused, and none leaves a file behind.
// (DuckDB's folder confinement alone lets COPY, EXPORT and ATTACH write into the store itself.)
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import type { QueryEngine } from '../../src/query/_engine.js';
import { openStoreEngine } from '../../src/query/_store-engine.js';
import { seedQueryStore } from './_query-store.js';

/** Every file under `folder`, recursively, with links as links. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.map((entry) => join(entry.parentPath, entry.name)).sort();
}

describe('a query engine is read-only and confined to the store', () => {
  let folder: string;
  let outside: string;
  let store: Store;
  let engine: QueryEngine;
  let before: string[];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-confined-'));
    outside = await mkdtemp(join(tmpdir(), 'ml-tracking-confined-outside-'));
    store = await openStore(folder);
    await seedQueryStore(store);
    await writeFile(join(outside, 'secret.csv'), 'secret\nhunter2\n');
    await symlink(join(outside, 'secret.csv'), join(folder, 'link.csv'));
    before = await filesUnder(folder);
    // One engine for every statement, as `query` opens it.
    engine = await openStoreEngine(store, { confined: true });
  });
  afterAll(async () => {
    await engine.close();
    await store.close();
    await rm(folder, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  // {store} and {outside} stand for the folders, made when the tests start.
  const refused: [string, string, RegExp][] = [
    [
      'COPY into the store',
      `COPY (SELECT * FROM experiments) TO '{store}/copy.csv'`,
      /COPY statement/,
    ],
    [
      'COPY out of the store',
      `COPY (SELECT * FROM experiments) TO '{outside}/copy.csv'`,
      /COPY statement|Permission Error/,
    ],
    ['EXPORT DATABASE', `EXPORT DATABASE '{store}/exported'`, /EXPORT statement/],
    ['ATTACH', `ATTACH '{store}/attached.duckdb' AS other`, /ATTACH statement/],
    ['CREATE TABLE', 'CREATE TABLE copy AS SELECT * FROM experiments', /CREATE statement/],
    ['CREATE VIEW', 'CREATE VIEW mine AS SELECT 1', /CREATE statement/],
    ['CREATE MACRO', 'CREATE MACRO twice(x) AS x * 2', /CREATE/],
    ['DROP VIEW', 'DROP VIEW experiments', /DROP statement/],
    [
      'INSERT',
      `INSERT INTO experiments (prediction_id) VALUES ('x')`,
      /INSERT statement|is not an table/,
    ],
    ['PRAGMA', 'PRAGMA enable_profiling', /PRAGMA statement/],
    ['INSTALL', 'INSTALL httpfs', /statement/],
    ['LOAD', 'LOAD httpfs', /LOAD statement/],
    ['SET', 'SET enable_external_access = true', /SET statement/],
    ['RESET', 'RESET allowed_directories', /SET statement/],
    ['two statements', `SELECT 1; COPY (SELECT 1) TO 'x.csv'`, /2 statements/],
    ['read_text outside', `SELECT * FROM read_text('/etc/passwd')`, /Permission Error/],
    ['read_csv outside', `SELECT * FROM read_csv('{outside}/secret.csv')`, /Permission Error/],
    [
      'a ../ path',
      `SELECT * FROM read_text('{store}/../{outsideName}/secret.csv')`,
      /Permission Error/,
    ],
    ['a link out of the store', `SELECT * FROM read_text('{store}/link.csv')`, /Permission Error/],
    ['glob outside', `SELECT * FROM glob('/etc/*')`, /Permission Error/],
  ];

  it.each(refused)('refuses %s', async (_, template, problem) => {
    const sql = template
      .replaceAll('{store}', folder)
      .replaceAll('{outsideName}', basename(outside))
      .replaceAll('{outside}', outside);
    await expect(engine.select(sql)).rejects.toMatchObject({
      name: 'ValidationError',
      parameter: 'sql',
      message: expect.stringMatching(problem) as unknown,
    });
  });

  it('still answers a read of the views, its settings unchanged', async () => {
    expect(await engine.select('SELECT count(*) AS n FROM experiments')).toEqual({
      columns: ['n'],
      rows: [{ n: 3 }],
    });
    expect(
      (await engine.select(`SELECT current_setting('enable_external_access') AS external`)).rows,
    ).toEqual([{ external: false }]);
  });

  it('left no file in the store or beside the secret', async () => {
    expect(await filesUnder(folder)).toEqual(before);
    expect(await readdir(outside)).toEqual(['secret.csv']);
  });
});
