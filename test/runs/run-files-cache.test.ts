/**
 * The run files cache that the dashboard's index and `listRuns({ cache: true })` keep in the
 * user's cache folder: a restart lists once and reads only the runs that changed since (counted
 * through the store, and on the GCS fake as the requests a bucket is billed for), and a cache
 * that is damaged, of another format or of another store is never used.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listRuns, startRun, type Store } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { runFilesCachePath } from '../../src/runs/run-files-cache.js';
import { RunIndex } from '../../src/ui/server/run-index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { countingReads } from './_read-counts.js';
import { openFakeStore, openRunStore, type RunStoreSubject } from './_run-stores.js';

/** Starts and finishes a run named `name` in `project`. */
async function finishedRun(store: Store, name: string, project = 'soil'): Promise<string> {
  const run = await startRun({ store, project, name, closeOnExit: false });
  await run.finish();
  return run.id;
}

const names = async (index: RunIndex): Promise<string[]> =>
  (await index.runs()).map((run) => run.record.name);

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-run-cache-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe.each(['local', 'gcs-fake'] as const)('run files cache on a %s store', (kind) => {
  let fake: GcsFake | undefined;
  let subject: RunStoreSubject | undefined;
  let opened = 0;
  beforeAll(async () => {
    if (kind === 'gcs-fake') fake = await startGcsFake();
  });
  afterAll(async () => {
    await fake?.stop();
  });
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });

  /** A fresh, empty store of this kind (on the one fake, under a prefix of its own). */
  async function freshStore(): Promise<Store> {
    if (fake === undefined) {
      subject = await openRunStore('local');
      return subject.store;
    }
    const store = await openFakeStore(fake, `cache-${process.pid}-${(opened += 1)}`);
    subject = { store, close: () => store.close() };
    return store;
  }

  it('a restart answers from the cache, then lists once and reads only the runs that changed', async () => {
    const store = await freshStore();
    const cacheFile = join(folder, 'index.cache');
    const first = await finishedRun(store, 'first');
    const running = await startRun({ store, project: 'soil', name: 'running', closeOnExit: false });
    await running.flush();
    const doomed = await finishedRun(store, 'doomed');
    await finishedRun(store, 'kept');

    const before = new RunIndex(store, { cacheFile });
    await before.refresh();
    expect(await names(before)).toEqual(['kept', 'doomed', 'running', 'first']);
    // Readable by its user alone: it holds the runs' hyperparameters and commands.
    if (process.platform !== 'win32') expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);

    // While the dashboard is down: a run ends, one starts, one is deleted.
    await running.finish();
    const late = await finishedRun(store, 'late');
    await store.delete(runPath(doomed));

    const counted = countingReads(store);
    fake?.resetStats();
    const after = new RunIndex(counted.store, { cacheFile, maxAgeMs: 60_000 });
    // At once from the cache, marked as not yet checked against the store.
    const cached = await after.runs();
    expect(cached.map((run) => run.record.name)).toEqual(['kept', 'doomed', 'running', 'first']);
    expect(cached.find((run) => run.id === running.id)?.record.status).toBe('running');
    expect(after.checkedAt).toBeUndefined();

    await after.refresh();
    expect(after.checkedAt).toBeInstanceOf(Date);
    expect(await names(after)).toEqual(['late', 'kept', 'running', 'first']);
    // The ended run and the new one: not the two unchanged.
    expect(counted.recordReads()).toBe(2);
    expect(counted.listings()).toBe(1);
    if (fake !== undefined) {
      // What a bucket bills a refresh for: one listing page and one request per changed run.
      expect(fake.stats.byOperation.list?.requests).toBe(1);
      expect(fake.stats.byOperation.download?.requests).toBe(2);
      expect(fake.stats.requests).toBe(3);
    }
    expect((await after.get(running.id))?.record.status).toBe('finished');
    expect((await after.get(late))?.record.name).toBe('late');
    expect(await after.get(doomed)).toBeUndefined();
    expect(await after.get(first)).toBeDefined();

    // Nothing changed since: the next start reads nothing at all.
    const again = countingReads(store);
    const third = new RunIndex(again.store, { cacheFile });
    await third.refresh();
    expect(await names(third)).toEqual(['late', 'kept', 'running', 'first']);
    expect(again.recordReads()).toBe(0);
  });

  it('ignores a damaged, foreign or other store’s cache file, and writes a good one', async () => {
    const store = await freshStore();
    const cacheFile = join(folder, 'index.cache');
    await finishedRun(store, 'one');
    await finishedRun(store, 'two');
    await new RunIndex(store, { cacheFile }).refresh();
    const good = await readFile(cacheFile);

    const otherFile = join(folder, 'other.cache');
    const otherSubject = kind === 'local' ? await openRunStore('local') : undefined;
    const other = otherSubject?.store ?? (await openFakeStore(fake!, `cache-other-${process.pid}`));
    try {
      await finishedRun(other, 'foreign');
      await new RunIndex(other, { cacheFile: otherFile }).refresh();
    } finally {
      await (otherSubject ?? { close: () => other.close() }).close();
    }

    const flipped = Buffer.from(good);
    const at = flipped.length - 3;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0x20, at);
    const damages: [string, () => Promise<void>][] = [
      ['a byte flipped in a record', () => writeFile(cacheFile, flipped)],
      ['cut short', () => writeFile(cacheFile, good.subarray(0, good.length - 10))],
      ['not a cache', () => writeFile(cacheFile, 'run_id,status\n')],
      ['empty', () => writeFile(cacheFile, '')],
      ['another store’s cache', () => copyFile(otherFile, cacheFile)],
    ];
    for (const [damage, apply] of damages) {
      await apply();
      const counted = countingReads(store);
      const index = new RunIndex(counted.store, { cacheFile });
      expect(await names(index), damage).toEqual(['two', 'one']);
      await index.refresh();
      expect(counted.recordReads(), damage).toBe(2);
      // Rebuilt: the next start reads nothing.
      const next = countingReads(store);
      await new RunIndex(next.store, { cacheFile }).refresh();
      expect(next.recordReads(), damage).toBe(0);
    }
  });

  it('listRuns({ cache: true }) reads only what changed and answers as listRuns does', async () => {
    const store = await freshStore();
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = folder;
    try {
      await finishedRun(store, 'a', 'soil');
      const b = await finishedRun(store, 'b', 'maize');
      const c = await startRun({ store, project: 'soil', name: 'c', closeOnExit: false });
      await c.flush();

      const counted = countingReads(store);
      const plain = await listRuns({ store: counted.store });
      expect(counted.recordReads()).toBe(3);
      // Without `cache`, nothing is left in the cache folder.
      expect(await readdir(folder)).toEqual([]);

      expect(await listRuns({ store: counted.store, cache: true })).toEqual(plain);
      expect(counted.recordReads()).toBe(6);
      expect(await listRuns({ store: counted.store, cache: true })).toEqual(plain);
      expect(counted.recordReads()).toBe(6);

      await c.finish();
      await store.delete(runPath(b));
      const soil = await listRuns({ store: counted.store, cache: true, project: 'soil' });
      expect(soil.map((run) => [run.name, run.status])).toEqual([
        ['c', 'finished'],
        ['a', 'finished'],
      ]);
      expect(counted.recordReads()).toBe(7);
      expect(await listRuns({ store: counted.store, cache: true })).toEqual(
        await listRuns({ store }),
      );
      const cacheFile = runFilesCachePath(store.url, join(folder, 'ml-tracking', 'run-index'));
      expect((await stat(cacheFile)).isFile()).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });

  it('a cache folder that cannot be written costs reads, not answers', async () => {
    const store = await freshStore();
    await finishedRun(store, 'only');
    const blocked = join(folder, 'blocked');
    // A file where the folder should be: even root cannot create a folder inside it.
    await writeFile(blocked, 'not a folder');
    const counted = countingReads(store);
    const index = new RunIndex(counted.store, { cacheFile: join(blocked, 'index.cache') });
    await index.refresh();
    expect(await names(index)).toEqual(['only']);
    await index.refresh();
    expect(counted.recordReads()).toBe(1);
  });
});
