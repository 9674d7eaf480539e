/*
 * The local driver's synchronous writes (what a run writes on its way out, in the 'exit' event):
 * exactly once per append key with the asynchronous appends of the same process, whatever await
 * they are parked at, and compare-and-swap like `Store.write`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, openStore, type Store } from '../../src/index.js';
import { localSyncWrites, type LocalSyncWrites } from '../../src/store/drivers/local.js';

let folder: string;
let store: Store;
let local: LocalSyncWrites;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-local-sync-'));
  store = await openStore(folder);
  local = localSyncWrites(store)!;
});
afterEach(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('localSyncWrites', () => {
  it('is offered for a local folder only, and not for one that was removed', async () => {
    expect(localSyncWrites(await openStore('memory://sync'))).toBeUndefined();
    expect(localSyncWrites({ kind: 'local', url: `${store.url}-gone` })).toBeUndefined();
  });

  it('does not append again a key that an asynchronous append already landed', async () => {
    await store.append('scalars/run.csv', 'row 1\n', { key: 'run.s1' });
    local.appendSync('scalars/run.csv', 'row 1\n', 'run.s1');
    local.appendSync('scalars/run.csv', 'row 2\n', 'run.s2');
    expect(await store.readText('scalars/run.csv')).toBe('row 1\nrow 2\n');
  });

  // The exit path sends again every batch whose asynchronous append had not answered: wherever
  // that append stood (waiting for the lock, holding it, its bytes written but not answered), each
  // key lands once.
  for (let turns = 0; turns < 12; turns += 1) {
    it(`appends each key once with 20 appends in flight for ${turns} turns of the event loop`, async () => {
      const keys = Array.from({ length: 20 }, (_, index) => `run.s${index}`);
      const inFlight = keys.map((key) =>
        store.append('scalars/run.csv', `${key}\n`, { key }).then(
          () => 'landed',
          // An append whose lock the exit path wrote under is fenced off: it changes nothing.
          (error: unknown) => String(error),
        ),
      );
      for (let index = 0; index < turns; index += 1) await turn();
      for (const key of keys) local.appendSync('scalars/run.csv', `${key}\n`, key);
      const outcomes = await Promise.all(inFlight);
      for (const outcome of outcomes) expect(outcome).toMatch(/^landed$|process is ending/);
      const rows = (await store.readText('scalars/run.csv')).trimEnd().split('\n');
      expect(rows.sort()).toEqual([...keys].sort());
    });
  }

  it('writes atomically, and with ifGeneration only on that generation', async () => {
    const first = await store.write('runs/run.csv', 'one\n');
    local.writeSync('runs/run.csv', 'two\n', { ifGeneration: first.generation });
    expect(local.readTextSync('runs/run.csv')?.text).toBe('two\n');
    expect(() => {
      local.writeSync('runs/run.csv', 'three\n', { ifGeneration: first.generation });
    }).toThrow(ConflictError);
    const current = local.readTextSync('runs/run.csv')!;
    expect(current.generation).toBe((await store.stat('runs/run.csv'))?.generation);
    expect(local.readTextSync('runs/absent.csv')).toBeUndefined();
    // Nothing is left in the staging folder.
    expect(await store.listLeftovers(new Date(Date.now() + 60_000))).toEqual([]);
  });
});
