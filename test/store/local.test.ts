import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('local folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-local-'));
  return {
    store: await openStore(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('local store', () => {
  it('leaves no lock or staging files in data folders', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ml-tracking-local-'));
    const store = await openStore(`file://${root}`);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.append('projects/a.csv', `${i}\n`)),
    );
    await store.write('projects/b.csv', 'b');
    expect((await readdir(join(root, 'projects'))).sort()).toEqual(['a.csv', 'b.csv']);
    await rm(root, { recursive: true, force: true });
  });

  it('lists every object while hidden folders (locks) come and go beside them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ml-tracking-local-'));
    const store = await openStore(root);
    const trackers = [1, 2, 3].map((index) => `projects/classification/p_20261124_${index}.csv`);
    for (const path of trackers) await store.write(path, 'header\n');
    const folder = join(root, 'projects', 'classification');
    const churn = { on: true };
    // What a lock library does beside a file: a folder made and removed over and over.
    const churning = (async () => {
      for (let round = 0; churn.on; round += 1) {
        const lock = join(folder, `.p_20261124_3.csv.${round % 4}.lock`);
        await mkdir(join(lock, 'inner'), { recursive: true });
        await writeFile(join(lock, 'inner', 'owner'), 'pid');
        await rm(lock, { recursive: true, force: true });
      }
    })();
    const listed: number[] = [];
    for (let attempt = 0; attempt < 300; attempt += 1) {
      listed.push((await store.list('projects/classification/p_')).objects.length);
    }
    churn.on = false;
    await churning;
    expect(new Set(listed)).toEqual(new Set([3]));
    await rm(root, { recursive: true, force: true });
  });

  it('keeps its locks and staging files under .ml-tracking/, out of data folders', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ml-tracking-local-'));
    const store = await openStore(root);
    await store.append('projects/a.csv', 'row\n');
    await store.write('projects/b.csv', 'b');
    expect((await readdir(join(root, '.ml-tracking'))).sort()).toEqual(['locks', 'staging']);
    expect((await store.list()).objects.map((object) => object.path)).toEqual([
      'projects/a.csv',
      'projects/b.csv',
    ]);
    await rm(root, { recursive: true, force: true });
  });

  it('fails with one clear StoreError, not a hang, where folders cannot be made (/proc)', async () => {
    const store = await openStore('/proc/1/ml-tracking');
    await expect(store.write('projects/a.csv', 'x')).rejects.toThrow(
      /cannot create the folder \/proc\/1\/ml-tracking/,
    );
  });
});
