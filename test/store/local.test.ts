import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
});
