import { createHash, randomBytes } from 'node:crypto';
import { Storage, type Bucket, type File, type GetFilesOptions } from '@google-cloud/storage';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGcsHandlers, GcsState, startGcsFake, type GcsFake } from './index.js';

let fake: GcsFake;
let storage: Storage;
let bucketCount = 0;

/** A fresh bucket per test keeps tests independent (buckets exist implicitly). */
function newBucket(): Bucket {
  bucketCount += 1;
  return storage.bucket(`bucket-${bucketCount}`);
}

function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

async function text(file: File): Promise<string> {
  const [data] = await file.download();
  return data.toString('utf8');
}

async function generationOf(file: File): Promise<string> {
  const [metadata] = await file.getMetadata();
  return String(metadata.generation);
}

/** The status of whatever the client threw, however it chose to wrap it. */
function statusOf(err: unknown): unknown {
  const e = err as { code?: unknown; response?: { status?: unknown } };
  return e.response?.status ?? e.code;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  fake = await startGcsFake();
  storage = fake.createClient();
});

afterAll(async () => {
  await fake.stop();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('uploads and reads', () => {
  it('saves with simple and resumable uploads and downloads the same bytes', async () => {
    const bucket = newBucket();
    const csv = 'step,loss\n1,0.5\n';
    const png = randomBytes(70_000);
    await bucket.file('runs/a.csv').save(csv, { resumable: false, contentType: 'text/csv' });
    await bucket.file('runs/a.png').save(png, { resumable: true, contentType: 'image/png' });

    expect(await text(bucket.file('runs/a.csv'))).toBe(csv);
    const [downloaded] = await bucket.file('runs/a.png').download();
    expect(downloaded.equals(png)).toBe(true);

    const stored = fake.objects(bucket.name);
    expect([...stored.keys()]).toEqual(['runs/a.csv', 'runs/a.png']);
    expect(Buffer.from(stored.get('runs/a.png')?.data ?? []).equals(png)).toBe(true);
    const [g1, g2] = [...stored.values()].map((o) => BigInt(o.generation));
    expect(g2).toBeGreaterThan(g1 ?? 0n);
  });

  it('serves byte ranges, including suffix ranges', async () => {
    const file = newBucket().file('data.bin');
    await file.save('0123456789', { resumable: false });
    const [middle] = await file.download({ start: 2, end: 5 });
    expect(middle.toString()).toBe('2345');
    const [tail] = await file.download({ start: 7 });
    expect(tail.toString()).toBe('789');

    const response = await fetch(
      `${fake.host}/storage/v1/b/${file.bucket.name}/o/data.bin?alt=media`,
      { headers: { Range: 'bytes=-3' } },
    );
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 7-9/10');
    expect(await response.text()).toBe('789');
  });

  it('answers downloads with x-goog-hash and x-goog-generation', async () => {
    const file = newBucket().file('a b/ü.csv');
    await file.save('x,y\n', { resumable: false });
    const response = await fetch(
      `${fake.host}/storage/v1/b/${file.bucket.name}/o/${encodeURIComponent(file.name)}?alt=media`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-goog-hash')).toMatch(/^crc32c=[^,]+,md5=.+$/);
    expect(response.headers.get('x-goog-generation')).toBe(await generationOf(file));
  });

  it('returns the object resource from getMetadata', async () => {
    const file = newBucket().file('dir/m.csv');
    const data = Buffer.from('a,b\n1,2\n');
    await file.save(data, {
      resumable: false,
      contentType: 'text/csv',
      metadata: { metadata: { run: 'r1' } },
    });
    const [metadata] = await file.getMetadata();
    expect(metadata).toMatchObject({
      kind: 'storage#object',
      name: 'dir/m.csv',
      bucket: file.bucket.name,
      metageneration: '1',
      size: String(data.byteLength),
      contentType: 'text/csv',
      md5Hash: md5(data),
      metadata: { run: 'r1' },
    });
    expect(metadata.generation).toMatch(/^\d+$/);
    expect(metadata.crc32c).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(Number.isNaN(Date.parse(String(metadata.timeCreated)))).toBe(false);
    expect(metadata.componentCount).toBeUndefined();
  });

  it('lists with prefix, delimiter and paging in lexicographic order', async () => {
    const bucket = newBucket();
    const names = [
      'runs/b/1.csv',
      'other.csv',
      'runs/a/2.csv',
      'runs/c.csv',
      'runs/a/1.csv',
      'runs/b-x.csv',
    ];
    for (const name of names) await bucket.file(name).save(name, { resumable: false });

    const [files, , response] = await bucket.getFiles({
      prefix: 'runs/',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files.map((f) => f.name)).toEqual(['runs/b-x.csv', 'runs/c.csv']);
    expect((response as { prefixes?: string[] }).prefixes).toEqual(['runs/a/', 'runs/b/']);

    const seen: string[] = [];
    let query: GetFilesOptions = { maxResults: 2, autoPaginate: false };
    let pages = 0;
    for (;;) {
      const [page, next] = await bucket.getFiles(query);
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((f) => f.name));
      pages += 1;
      // Typed as always present, but null after the last page.
      if ((next as unknown) === null) break;
      query = next;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());

    const [all] = await bucket.getFiles();
    expect(all.map((f) => f.name)).toEqual([...names].sort());
  });

  it('deletes, then answers 404 with the GCS error shape', async () => {
    const file = newBucket().file('gone.csv');
    await file.save('x', { resumable: false });
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    expect(statusOf(await failure(file.delete()))).toBe(404);

    const err = (await failure(file.getMetadata())) as { code: number; message: string };
    expect(err.code).toBe(404);
    expect(err.message).toContain('No such object');
    expect(statusOf(await failure(file.download()))).toBe(404);

    const response = await fetch(`${fake.host}/storage/v1/b/${file.bucket.name}/o/gone.csv`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        code: 404,
        message: `No such object: ${file.bucket.name}/gone.csv`,
        errors: [
          {
            message: `No such object: ${file.bucket.name}/gone.csv`,
            domain: 'global',
            reason: 'notFound',
          },
        ],
      },
    });
  });

  it('routes the bare paths a STORAGE_EMULATOR_HOST client uses', async () => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', fake.host);
    const envClient = new Storage({ retryOptions: { autoRetry: false } });
    const file = envClient.bucket(newBucket().name).file('env/x.csv');
    await file.save('from env\n', { resumable: false });
    await file.save('from env, resumable\n', { resumable: true });
    expect(await text(file)).toBe('from env, resumable\n');
    expect((await file.getMetadata())[0].size).toBe('20');
    await envClient.bucket(file.bucket.name).combine(['env/x.csv', 'env/x.csv'], file.name);
    expect(await text(envClient.bucket(file.bucket.name).file('env/x.csv'))).toBe(
      'from env, resumable\n'.repeat(2),
    );
  });

  it('createClient ignores a STORAGE_EMULATOR_HOST meant for someone else', async () => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', 'http://127.0.0.1:9');
    const file = fake.createClient().bucket(newBucket().name).file('pinned.csv');
    await file.save('pinned', { resumable: false });
    expect(await text(file)).toBe('pinned');
  });
});

describe('preconditions', () => {
  it('ifGenerationMatch: 0 creates only when absent (simple upload: ApiError 412)', async () => {
    const file = newBucket().file('once.csv');
    const only = { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } } as const;
    await file.save('first', only);
    const err = (await failure(file.save('second', only))) as {
      code: number;
      errors: { reason: string }[];
    };
    expect(err.code).toBe(412);
    expect(err.errors[0]?.reason).toBe('conditionNotMet');
    expect(await text(file)).toBe('first');
  });

  it('ifGenerationMatch: 0 on a resumable upload fails as a GaxiosError with status 412', async () => {
    const file = newBucket().file('once.png');
    const only = { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } } as const;
    await file.save(randomBytes(1000), only);
    const err = (await failure(file.save(randomBytes(1000), only))) as {
      response?: { status: number };
    };
    expect(err.response?.status).toBe(412);
  });

  it('checks ifGenerationMatch and ifGenerationNotMatch on reads and deletes', async () => {
    const file = newBucket().file('g.csv');
    await file.save('v1', { resumable: false });
    const generation = await generationOf(file);
    const stale = String(BigInt(generation) - 1n);

    expect(statusOf(await failure(file.getMetadata({ ifGenerationMatch: stale })))).toBe(412);
    await file.getMetadata({ ifGenerationMatch: generation });
    expect(statusOf(await failure(file.getMetadata({ ifGenerationNotMatch: generation })))).toBe(
      304,
    );

    expect(statusOf(await failure(file.delete({ ifGenerationMatch: stale })))).toBe(412);
    expect(fake.objects(file.bucket.name).has('g.csv')).toBe(true);
    await file.delete({ ifGenerationMatch: generation });
    expect(fake.objects(file.bucket.name).has('g.csv')).toBe(false);
  });

  it('overwrites only the expected generation', async () => {
    const file = newBucket().file('cas.csv');
    await file.save('v1', { resumable: false });
    const generation = await generationOf(file);
    await file.save('v2', {
      resumable: false,
      preconditionOpts: { ifGenerationMatch: generation },
    });
    const err = await failure(
      file.save('v3', { resumable: false, preconditionOpts: { ifGenerationMatch: generation } }),
    );
    expect(statusOf(err)).toBe(412);
    expect(await text(file)).toBe('v2');
  });
});

describe('compose', () => {
  it('appends in place with ifGenerationMatch and rejects a stale generation with 412', async () => {
    const bucket = newBucket();
    const log = bucket.file('log.csv');
    await log.save('a\n', { resumable: false });
    const part = bucket.file('log.csv.part-1');
    await part.save('b\n', { resumable: false });
    const generation = await generationOf(log);

    // CombineOptions extends PreconditionOptions: preconditions are top-level options
    // (not `preconditionOpts`) and go to the compose query string.
    const [combined] = await bucket.combine([log, part], log, { ifGenerationMatch: generation });
    expect(combined).toBe(log);
    expect(await text(bucket.file('log.csv'))).toBe('a\nb\n');
    const [metadata] = await bucket.file('log.csv').getMetadata();
    expect(BigInt(String(metadata.generation))).toBeGreaterThan(BigInt(generation));
    expect(metadata.componentCount).toBe(2);
    // Composite objects have a CRC32C but no MD5 in GCS.
    expect(metadata.md5Hash).toBeUndefined();

    const err = (await failure(
      bucket.combine([bucket.file('log.csv'), part], bucket.file('log.csv'), {
        ifGenerationMatch: generation,
      }),
    )) as { code: number };
    expect(err.code).toBe(412);
    expect(await text(bucket.file('log.csv'))).toBe('a\nb\n');

    const next = String(metadata.generation);
    await bucket.combine([bucket.file('log.csv'), part], bucket.file('log.csv'), {
      ifGenerationMatch: next,
    });
    expect(await text(bucket.file('log.csv'))).toBe('a\nb\nb\n');
    expect((await bucket.file('log.csv').getMetadata())[0].componentCount).toBe(3);
  });

  it("sends a source File's known generation, so a stale File is a 404 source", async () => {
    const bucket = newBucket();
    const log = bucket.file('log.csv');
    await log.save('a\n', { resumable: false }); // sets log.metadata.generation
    await bucket.combine([log, bucket.file('log.csv')], 'log.csv'); // log.metadata is not refreshed
    const err = await failure(bucket.combine([log, bucket.file('log.csv')], 'log.csv'));
    expect(statusOf(err)).toBe(404);
  });

  it('lets exactly one of several racing appends with the same generation win', async () => {
    const bucket = newBucket();
    await bucket.file('race.csv').save('h\n', { resumable: false });
    const generation = await generationOf(bucket.file('race.csv'));
    const parts = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const part = bucket.file(`race.part-${i}`);
        await part.save(`${i}\n`, { resumable: false });
        return part;
      }),
    );
    const results = await Promise.allSettled(
      parts.map((part) =>
        bucket.combine([bucket.file('race.csv'), part], 'race.csv', {
          ifGenerationMatch: generation,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(statusOf(r.reason)).toBe(412);
    expect((await text(bucket.file('race.csv'))).split('\n')).toHaveLength(3);
  });

  it('rejects more than 32 sources with 400 and a missing source with 404', async () => {
    const bucket = newBucket();
    await bucket.file('s').save('x', { resumable: false });
    const tooMany = Array.from({ length: 33 }, () => 's');
    expect(statusOf(await failure(bucket.combine(tooMany, 'dest')))).toBe(400);
    await bucket.combine(tooMany.slice(0, 32), 'dest');
    expect(await text(bucket.file('dest'))).toBe('x'.repeat(32));
    expect(statusOf(await failure(bucket.combine(['s', 'missing'], 'dest')))).toBe(404);
  });
});

describe('faults', () => {
  it('answers an injected 503 once, then serves normally', async () => {
    const file = newBucket().file('f.csv');
    await file.save('x', { resumable: false });
    fake.injectFault({ operation: 'metadata', status: 503 });
    expect(statusOf(await failure(file.getMetadata()))).toBe(503);
    await file.getMetadata();
  });

  it('drops the connection for a reset fault, then serves normally', async () => {
    const file = newBucket().file('r.csv');
    fake.injectFault({ operation: 'upload', status: 'reset' });
    const err = (await failure(file.save('x', { resumable: false }))) as {
      code?: string;
      message: string;
    };
    expect(err.code ?? err.message).toMatch(/ECONNRESET|socket hang up/);
    expect(fake.objects(file.bucket.name).size).toBe(0);
    await file.save('x', { resumable: false });
    expect(await text(file)).toBe('x');
  });

  it('repeats a fault `times` times and leaves other operations alone', async () => {
    const file = newBucket().file('t.csv');
    await file.save('x', { resumable: false });
    fake.injectFault({ operation: 'download', status: 429, times: 2 });
    await file.getMetadata();
    expect(statusOf(await failure(file.download()))).toBe(429);
    expect(statusOf(await failure(file.download()))).toBe(429);
    expect(await text(file)).toBe('x');
  });

  it('fails a resumable upload whose session request is faulted', async () => {
    const file = newBucket().file('big.png');
    fake.injectFault({ operation: 'upload', status: 500 });
    expect(statusOf(await failure(file.save(randomBytes(10), { resumable: true })))).toBe(500);
    await file.save(randomBytes(10), { resumable: true });
  });
});

describe('stats', () => {
  it('counts requests and uploaded bytes per operation', async () => {
    const bucket = newBucket();
    const data = randomBytes(100_000);

    fake.resetStats();
    await bucket.file('s.bin').save(data, { resumable: false });
    expect(fake.stats.requests).toBe(1);
    const upload = fake.stats.byOperation.upload;
    expect(upload?.requests).toBe(1);
    expect(upload?.bytesReceived).toBeGreaterThan(data.byteLength);
    expect(upload?.bytesReceived).toBeLessThan(data.byteLength + 2_000);

    fake.resetStats();
    await bucket.file('r.bin').save(data, { resumable: true });
    expect(fake.stats.byOperation.upload?.requests).toBe(2);
    expect(fake.stats.bytesReceived).toBeGreaterThan(data.byteLength);
    expect(fake.stats.bytesReceived).toBeLessThan(data.byteLength + 3_000);

    fake.resetStats();
    await bucket.file('s.bin').getMetadata();
    await bucket.combine(['s.bin', 'r.bin'], 'c.bin');
    await bucket.file('c.bin').download();
    await bucket.getFiles();
    await bucket.file('c.bin').delete();
    expect(fake.stats.requests).toBe(5);
    for (const operation of ['metadata', 'compose', 'download', 'list', 'delete']) {
      expect(fake.stats.byOperation[operation]?.requests, operation).toBe(1);
    }
  });
});

describe('credentials', () => {
  it('never asks the auth library for a token or a project', async () => {
    const client = fake.createClient();
    const auth = client.authClient;
    const spies = [
      vi.spyOn(auth, 'getClient'),
      vi.spyOn(auth, 'getAccessToken'),
      vi.spyOn(auth, 'getRequestHeaders'),
      vi.spyOn(auth, 'authorizeRequest'),
      vi.spyOn(auth, 'getProjectId'),
      vi.spyOn(auth, 'request'),
    ];
    const bucket = client.bucket(newBucket().name);
    await bucket.file('a').save('a', { resumable: false });
    await bucket.file('b').save('b', { resumable: true });
    await bucket.combine(['a', 'b'], 'a');
    await bucket.file('a').download();
    await bucket.getFiles();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('as plain msw handlers', () => {
  it('serves a client through setupServer without the HTTP transport', async () => {
    const state = new GcsState();
    const server = setupServer(...createGcsHandlers(state));
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const client = new Storage({
        apiEndpoint: 'http://gcs.invalid',
        projectId: 'p',
        retryOptions: { autoRetry: false },
      });
      const file = client.bucket('msw').file('x.csv');
      await file.save('via msw', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      expect(await text(file)).toBe('via msw');
      expect(state.get('msw', 'x.csv')?.data.toString()).toBe('via msw');
    } finally {
      server.close();
    }
  });
});
