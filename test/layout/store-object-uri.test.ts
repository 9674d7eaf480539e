import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { predictionsPath, storeObjectUri } from '../../src/layout/paths.js';
import { openStore } from '../../src/store/open-store.js';

describe('storeObjectUri', () => {
  const path = predictionsPath('classification', '0f8c2a4e-9d1b-4c3e-8a7f-1b2c3d4e5f60');

  it('is the gs:// URL on GCS, under the prefix, never the console URL', () => {
    expect(storeObjectUri('gs://bucket/ml tracking', path)).toBe(`gs://bucket/ml tracking/${path}`);
    expect(storeObjectUri('gs://bucket', path)).toBe(`gs://bucket/${path}`);
  });

  it('is the object URL of a memory store', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    expect(storeObjectUri(store.url, path)).toBe(store.objectUrl(path));
  });

  it('is a file URL of the object locally, also under a folder whose name needs encoding', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'ml-tracking-uri-'));
    try {
      const store = await openStore(join(parent, 'my store #1'));
      const uri = storeObjectUri(store.url, path);
      expect(uri).toBe(store.objectUrl(path));
      expect(fileURLToPath(uri)).toBe(join(parent, 'my store #1', ...path.split('/')));
      expect(storeObjectUri(store.url, 'a b/c#d.csv')).toBe(
        pathToFileURL(join(parent, 'my store #1', 'a b', 'c#d.csv')).href,
      );
      await store.close();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
