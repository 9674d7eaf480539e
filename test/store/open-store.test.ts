import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, ValidationError } from '../../src/index.js';

describe('openStore', () => {
  it.each([
    ['s3://bucket/x', /"s3:" stores are not supported/],
    ['gs://', /has no bucket name/],
    ['gs:///folder', /has no bucket name/],
    ['gs://My_Bucket', /not a valid bucket name/],
    ['gs://bucket/../other', /"\." or "\.\."/],
    ['file://relative/path', /not absolute|not a valid file URL/],
    ['   ', /empty/],
  ])('rejects %j with a ValidationError naming the store', async (url, message) => {
    const error = await openStore(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ parameter: 'store' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/gs:\/\/|folder|Write it/);
  });

  it('defaults to ./ml-tracking in the working directory, or ML_TRACKING_STORE', async () => {
    const cwd = join(tmpdir(), randomUUID());
    expect((await openStore(undefined, { cwd, env: {} })).url).toBe(
      pathToFileURL(join(cwd, 'ml-tracking')).href,
    );
    expect(
      (await openStore(undefined, { cwd, env: { ML_TRACKING_STORE: 'memory://from-env' } })).url,
    ).toBe('memory://from-env');
    expect((await openStore('runs', { cwd })).url).toBe(pathToFileURL(join(cwd, 'runs')).href);
  });

  it('memory://name is one store per name within a process', async () => {
    const name = `memory://${randomUUID()}`;
    await (await openStore(name)).write('a.txt', 'shared');
    expect(await (await openStore(name)).readText('a.txt')).toBe('shared');
    expect(await (await openStore(`memory://${randomUUID()}`)).stat('a.txt')).toBeUndefined();
  });

  it('opens gs:// stores lazily with a bucket and a prefix', async () => {
    const store = await openStore('gs://my-bucket/team/ml-tracking/');
    expect(store.url).toBe('gs://my-bucket/team/ml-tracking');
    expect(store.objectUrl('projects/regression/a b.csv')).toBe(
      'https://storage.cloud.google.com/my-bucket/team/ml-tracking/projects/regression/a%20b.csv',
    );
    await store.close();
  });
});
