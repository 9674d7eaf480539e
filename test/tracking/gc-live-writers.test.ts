/**
 * Issue 18, defect 7: `gc --apply --min-age 0m` deleted the staging files of live writers and
 * the outputs of experiments whose rows were about to be committed, so that a committed row
 * pointed at deleted outputs. A min age under an hour needs `--force`; and even forced, gc never
 * deletes what a committed row references.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectGarbage,
  logExperiment,
  openStore,
  ValidationError,
  type LoggedExperiment,
  type Store,
} from '../../src/index.js';
import { decodeTable } from '../../src/csv/decode.js';
import { runNodeProgram } from '../support/processes.js';

const HOUR_MS = 3_600_000;

function logOne(store: Store, index: number): Promise<LoggedExperiment> {
  return logExperiment({
    kind: 'classification',
    project: 'gc-race',
    parameters: {
      datasetUri: 'memory://data.csv',
      targetColumn: 'label',
      testSet: ['a', 'b', 'c', 'd'],
      model: { name: `M${index}`, params: {} },
    },
    yTrue: ['x', 'y', 'x', 'y'],
    yPred: ['x', 'y', 'y', 'y'],
    plots: false,
    store,
  });
}

describe('gc and live writers (local store)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-gc-race-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('refuses a min age under one hour without force, and deletes nothing', async () => {
    const store = await openStore(join(root, 'floor'));
    const orphan = `scoring/${randomUUID()}.csv`;
    await store.write(orphan, 'prediction_id\n');
    for (const minAgeMs of [0, 30 * 60_000, HOUR_MS - 1]) {
      const error = await collectGarbage(store, { minAgeMs, apply: true }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ parameter: 'minAgeMs' });
      expect((error as Error).message).toMatch(/force/);
    }
    expect(await store.stat(orphan)).toBeDefined();
    // An hour is enough; less is allowed when forced.
    await collectGarbage(store, { minAgeMs: HOUR_MS });
    await collectGarbage(store, { minAgeMs: 0, force: true });
    await store.close();
  });

  it('every logExperiment that succeeds while forced gc --min-age 0 runs has its outputs and its row', async () => {
    const store = await openStore(join(root, 'race'));
    // A tracker and a header exist before the race, as in a store in use.
    await logOne(store, -1);
    const race = { writing: true };
    let passes = 0;
    const gcLoop = (async () => {
      while (race.writing) {
        await collectGarbage(store, { minAgeMs: 0, force: true, apply: true }).catch(
          () => undefined,
        );
        passes += 1;
      }
    })();
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) => logOne(store, index)),
    );
    race.writing = false;
    await gcLoop;
    // One more pass after every writer is done: what is committed must survive it too.
    await collectGarbage(store, { minAgeMs: 0, force: true, apply: true });
    expect(passes).toBeGreaterThan(0);

    const succeeded = settled.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value] : [],
    );
    expect(succeeded.length).toBeGreaterThan(0);
    const rows = decodeTable(await store.readText(succeeded[0]!.tracker));
    const committed = new Set(rows.map((row) => row.prediction_id));
    for (const logged of succeeded) {
      expect(committed.has(logged.predictionId)).toBe(true);
      for (const file of Object.values(logged.files)) {
        expect(await store.stat(file.path), `${file.path} of ${logged.predictionId}`).toBeDefined();
      }
    }
    // No committed row points at a deleted output.
    for (const id of committed) {
      expect(await store.stat(`scoring/${id}.csv`), `scoring of ${id}`).toBeDefined();
      expect(await store.stat(`predictions/classification/${id}.csv`)).toBeDefined();
    }
    await store.close();
  }, 120_000);
});

describe('ml-tracking gc --min-age and --force', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-gc-force-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    runNodeProgram(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), args, {
      cwd,
      env: { ML_TRACKING_STORE: '' },
    });

  it('refuses --min-age under 1h without --force, naming the flag and the fix', async () => {
    const store = await openStore(join(cwd, 'ml-tracking'));
    const orphan = `scoring/${randomUUID()}.csv`;
    await store.write(orphan, 'prediction_id\n');
    // Older than the floor: forced gc may delete it.
    const old = new Date(Date.now() - 2 * HOUR_MS);
    await utimes(join(cwd, 'ml-tracking', ...orphan.split('/')), old, old);

    const refused = await cli(['gc', '--apply', '--min-age', '0m']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('--min-age');
    expect(refused.stderr).toContain('--force');
    expect(await store.stat(orphan)).toBeDefined();

    const forced = await cli(['gc', '--apply', '--min-age', '0m', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await store.stat(orphan)).toBeUndefined();
    await store.close();
  }, 60_000);
});
