// A bucket's tables are queried through the store driver (DuckDB's own GCS reader downloads an
// extension these machines cannot reach): the same seed on the GCS fake answers what it answers
// on a folder, and a second query downloads only the files whose generation changed.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, type SkippedFile, type Store } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { FOREIGN_FILE, OLD_RUN_ID, seedQueryStore, type Seed } from './_query-store.js';

describe('query() on GCS (the fake)', () => {
  let fake: GcsFake;
  let store: Store;
  let seed: Seed;
  let cache: string;
  // The mirror goes to this cache folder, not the user's.
  const env = () => ({ XDG_CACHE_HOME: cache });
  const downloads = () => fake.stats.byOperation.download?.requests ?? 0;

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'ml-tracking-query-cache-'));
    fake = await startGcsFake();
    store = await openFakeStore(fake, randomUUID());
    seed = await seedQueryStore(store);
  });
  afterAll(async () => {
    await store.close();
    await fake.stop();
    await rm(cache, { recursive: true, force: true });
  });

  it('answers what a folder answers, downloading only the folders the query names', async () => {
    const skipped: SkippedFile[] = [];
    const onSkipped = (file: SkippedFile) => void skipped.push(file);
    fake.resetStats();
    const rows = await query('SELECT kind, model, f1_macro, rmse FROM experiments ORDER BY model', {
      store,
      env: env(),
      onSkipped,
    });
    expect(rows).toEqual([
      {
        kind: 'classification',
        model: 'Forest',
        f1_macro: seed.classificationScores.f1_macro,
        rmse: null,
      },
      { kind: 'classification', model: 'OldModel', f1_macro: 0.5, rmse: null },
      { kind: 'regression', model: 'Ridge', f1_macro: null, rmse: seed.regressionScores.rmse },
    ]);
    // The three trackers, nothing else.
    expect(downloads()).toBe(3);
    expect(skipped).toEqual([]);

    fake.resetStats();
    expect(
      await query('SELECT name FROM runs ORDER BY run_id', { store, env: env(), onSkipped }),
    ).toEqual([{ name: 'old-run' }, { name: 'first' }]);
    expect(skipped.map((file) => file.path)).toEqual([FOREIGN_FILE]);
    // Two run records and the foreign file; the trackers stay mirrored.
    expect(downloads()).toBe(3);
    fake.resetStats();
    expect(
      await query(
        `SELECT tag, count(*) AS points FROM scalars WHERE run_id = '${seed.runId}' GROUP BY tag ORDER BY tag`,
        { store, env: env() },
      ),
    ).toEqual([
      { tag: 'acc', points: 10 },
      { tag: 'loss', points: 10 },
    ]);
    expect(downloads()).toBe(1);
  });

  it('a second query downloads only what changed; a deleted object leaves the views', async () => {
    fake.resetStats();
    await query('SELECT count(*) FROM experiments, runs, scalars', { store, env: env() });
    expect(downloads()).toBe(0);

    const record = await store.readText(runPath(OLD_RUN_ID));
    await store.write(runPath(OLD_RUN_ID), record.replace('old-run', 'renamed-run'));
    await store.delete(FOREIGN_FILE);
    fake.resetStats();
    expect(await query(`SELECT name FROM runs ORDER BY run_id`, { store, env: env() })).toEqual([
      { name: 'renamed-run' },
      { name: 'first' },
    ]);
    expect(downloads()).toBe(1);
  });
});
