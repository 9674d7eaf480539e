import { tmpdir } from 'node:os';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore, StoreError, type Store } from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';

describe('gcs driver on the fake', () => {
  let fake: GcsFake;
  let store: Store;
  beforeAll(async () => {
    fake = await startGcsFake();
    store = await openStore('gs://driver-bucket/base', {
      storage: fake.createClient(),
      retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5 },
    });
  });
  afterAll(async () => {
    await store.close();
    await fake.stop();
  });

  it('sends only the new bytes when appending to a large object', async () => {
    await store.write('big.csv', 'x'.repeat(2 * 1024 * 1024));
    fake.resetStats();
    await store.append('big.csv', 'one more row\n');
    expect(fake.stats.bytesReceived).toBeLessThan(4 * 1024);
    expect(fake.stats.byOperation.compose?.requests).toBe(1);
    expect((await store.stat('big.csv'))?.size).toBe(2 * 1024 * 1024 + 13);
  });

  it('retries transient failures and then succeeds', async () => {
    fake.injectFault({ status: 503, times: 2 });
    await store.write('retried.txt', 'ok');
    expect(await store.readText('retried.txt')).toBe('ok');
  });

  it('gives up after the attempts run out with a typed error naming the operation and path', async () => {
    fake.injectFault({ status: 503, times: 3 });
    const error = await store.append('tracker.csv', 'row\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      operation: 'append',
      path: 'tracker.csv',
      store: 'gs://driver-bucket/base',
    });
    expect((error as Error).message).toMatch(
      /append tracker\.csv in gs:\/\/driver-bucket\/base after 3 attempts \(HTTP 503/,
    );
  });

  it('lets an append lose the race for its object five times as often as the network may fail', async () => {
    // The store allows 3 attempts for a failing network; 412 is another writer's compose landing
    // first. Among dozens of writers an append loses more often than that and must still land.
    await store.write('contended.csv', 'header\n');
    fake.injectFault({ operation: 'compose', status: 412, times: 10 });
    await store.append('contended.csv', 'row\n');
    expect(await store.readText('contended.csv')).toBe('header\nrow\n');

    fake.injectFault({ operation: 'compose', status: 412, times: 15 });
    const error = await store.append('contended.csv', 'late\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/after 15 attempts \(HTTP 412/);
    expect(await store.readText('contended.csv')).toBe('header\nrow\n');
  });

  it('does not retry what cannot succeed: a permission error fails at once', async () => {
    // One 403 only: a retry would succeed, so an error proves there was a single attempt.
    fake.injectFault({ status: 403, times: 1 });
    const error = await store.write('forbidden.txt', 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/HTTP 403.*Check the credentials/);
    expect((error as Error).message).not.toMatch(/attempts/);
  });

  it('keeps append parts out of listings and removes them', async () => {
    await store.append('folder/a.csv', 'a\n');
    await store.append('folder/a.csv', 'b\n');
    expect((await store.list('')).objects.map((object) => object.path)).not.toContainEqual(
      expect.stringContaining('append-parts'),
    );
    expect(
      [...fake.objects('driver-bucket').keys()].filter((name) => name.includes('append-parts')),
    ).toEqual([]);
  });
});

describe('how often the gcs driver lets one object be rewritten (updateIntervalMs)', () => {
  // The client reads the emulator's address from the environment: none here.
  beforeAll(() => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', undefined);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  const open = async (storage: Storage, updateIntervalMs?: number) => {
    const store = await openStore('gs://interval-bucket', {
      storage,
      ...(updateIntervalMs === undefined ? {} : { updateIntervalMs }),
    });
    await store.close();
    return store.updateIntervalMs;
  };

  it("is a second on Google's service, which takes about one update of an object per second", async () => {
    expect(await open(new Storage({ projectId: 'p' }))).toBe(1000);
  });

  it('is 0 on an emulator (an endpoint on this machine), which takes any number', async () => {
    expect(await open(new Storage({ apiEndpoint: 'http://127.0.0.1:9', projectId: 'p' }))).toBe(0);
    expect(await open(new Storage({ apiEndpoint: 'http://localhost:9', projectId: 'p' }))).toBe(0);
  });

  it('is what the caller says when told', async () => {
    expect(await open(new Storage({ apiEndpoint: 'http://127.0.0.1:9' }), 1000)).toBe(1000);
    expect(await open(new Storage({ projectId: 'p' }), 0)).toBe(0);
  });

  it('is 0 on local and memory stores', async () => {
    expect((await openStore('memory://interval')).updateIntervalMs).toBe(0);
    expect((await openStore(tmpdir())).updateIntervalMs).toBe(0);
  });
});
