import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError, type Store } from '../../src/index.js';

/** What a store's backend can do; the contract only skips what a backend cannot do at all. */
export interface StoreCapabilities {
  /**
   * Why generation preconditions cannot be tested on this backend, or `undefined` when they
   * can. Only the firebase Storage emulator sets this: it ignores `ifGenerationMatch`.
   */
  noPreconditions?: string;
  /**
   * Why a range that starts past the end cannot be tested, or `undefined` when it can. The
   * firebase emulator answers it with the whole object; GCS answers 416.
   */
  noRangePastEnd?: string;
}

export interface ContractSubject {
  store: Store;
  capabilities?: StoreCapabilities;
  cleanup?: () => Promise<void>;
}

/**
 * The behaviour every store driver must have (the unstorage pattern): one suite, run against
 * memory, local, the GCS emulator and the GCS fake.
 */
export function describeStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`store contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: Store;
    // Every test works in its own folder so that tests never see each other's objects.
    const folder = () => `contract/${randomUUID()}`;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    it('reads back what it wrote, as text and as bytes', async () => {
      const path = `${folder()}/hello.txt`;
      await store.write(path, 'héllo, wörld\n');
      expect(await store.readText(path)).toBe('héllo, wörld\n');
      expect(Buffer.from(await store.read(path)).toString('utf8')).toBe('héllo, wörld\n');
    });

    it('keeps binary data intact, every byte value included', async () => {
      const path = `${folder()}/bytes.bin`;
      const bytes = Uint8Array.from({ length: 512 }, (_, index) => (index * 7) % 256);
      await store.write(path, bytes);
      expect(Buffer.from(await store.read(path)).equals(Buffer.from(bytes))).toBe(true);
    });

    it('round-trips a 5 MB object, whole and streamed', async () => {
      const path = `${folder()}/large.csv`;
      const row = 'abcdefghijklmnopqrstuvwxyz,0123456789\n';
      const large = row.repeat(Math.ceil((5 * 1024 * 1024) / row.length));
      const info = await store.write(path, large);
      expect(info.size).toBe(Buffer.byteLength(large));
      expect(await store.readText(path)).toBe(large);
      expect(await text(await store.readStream(path))).toBe(large);
    }, 60_000);

    it('reads a byte range: only those bytes, clipped at the end, empty past it', async () => {
      const path = `${folder()}/range.csv`;
      await store.write(path, 'header,row\n0123456789\n');
      const text = async (start?: number, end?: number) =>
        Buffer.from(
          await store.read(path, {
            ...(start === undefined ? {} : { start }),
            ...(end === undefined ? {} : { end }),
          }),
        ).toString('utf8');
      expect(await text(0, 6)).toBe('header');
      expect(await text(7, 10)).toBe('row');
      expect(await text(11)).toBe('0123456789\n');
      expect(await text(0, 4096)).toBe('header,row\n0123456789\n');
      expect(await text(3, 3)).toBe('');
      if (subject.capabilities?.noRangePastEnd === undefined) expect(await text(100, 200)).toBe('');
      else console.log(`range past the end not checked: ${subject.capabilities.noRangePastEnd}`);
      await expect(store.read(`${folder()}/missing.csv`, { start: 0, end: 10 })).rejects.toThrow(
        NotFoundError,
      );
      await expect(store.read(path, { start: 5, end: 2 })).rejects.toThrow(ValidationError);
    });

    it('streams a whole version of an object appended to while its stream is open', async () => {
      const path = `${folder()}/growing.csv`;
      await store.append(path, 'header\n');
      const stream = await store.readStream(path);
      await store.append(path, 'row-1\n');
      // The version before the append, or the one after: never a failure, never half a row.
      expect(['header\n', 'header\nrow-1\n']).toContain(await text(stream));
    });

    it('stats objects: size, a generation that changes on every write, update time', async () => {
      const path = `${folder()}/stat.txt`;
      expect(await store.stat(path)).toBeUndefined();
      const before = Date.now();
      const first = await store.write(path, '12345');
      const stat = await store.stat(path);
      expect(stat).toMatchObject({ path, size: 5, generation: first.generation });
      expect(stat?.updated.getTime()).toBeGreaterThan(before - 60_000);
      const second = await store.write(path, '1234567');
      expect(second.generation).not.toBe(first.generation);
      expect((await store.stat(path))?.size).toBe(7);
    });

    it('throws NotFoundError naming the path for a missing object', async () => {
      const path = `${folder()}/missing.csv`;
      await expect(store.read(path)).rejects.toThrow(NotFoundError);
      await expect(store.read(path)).rejects.toMatchObject({ path, code: 'ERR_NOT_FOUND' });
      await expect(store.readStream(path)).rejects.toThrow(NotFoundError);
    });

    it('lists by string prefix in path order, page by page', async () => {
      const base = folder();
      const names = ['b.csv', 'a.csv', 'c/d.csv', 'ab.csv', 'e.csv'];
      for (const name of names) await store.write(`${base}/${name}`, name);
      await store.write(`${base}-sibling/x.csv`, 'not under the prefix');

      const all: string[] = [];
      for await (const object of store.listAll(`${base}/`)) all.push(object.path);
      expect(all).toEqual(
        ['a.csv', 'ab.csv', 'b.csv', 'c/d.csv', 'e.csv'].map((n) => `${base}/${n}`),
      );

      const paged: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(`${base}/`, {
          pageSize: 2,
          ...(pageToken ? { pageToken } : {}),
        });
        expect(page.objects.length).toBeLessThanOrEqual(2);
        paged.push(...page.objects.map((object) => object.path));
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken !== undefined);
      expect(paged).toEqual(all);
      expect(pages).toBe(3);

      const partial = await store.list(`${base}/a`);
      expect(partial.objects.map((object) => object.path)).toEqual([
        `${base}/a.csv`,
        `${base}/ab.csv`,
      ]);
      expect((await store.list(`${base}/nothing-here/`)).objects).toEqual([]);
    });

    it('deletes objects and says whether there was one', async () => {
      const path = `${folder()}/gone.txt`;
      await store.write(path, 'x');
      expect(await store.delete(path)).toBe(true);
      expect(await store.stat(path)).toBeUndefined();
      expect(await store.delete(path)).toBe(false);
    });

    it('appends, creating the object first when absent', async () => {
      const path = `${folder()}/tracker.csv`;
      const created = await store.append(path, 'a,b\n');
      const appended = await store.append(path, '1,2\n');
      await store.append(path, new TextEncoder().encode('3,4\n'));
      expect(await store.readText(path)).toBe('a,b\n1,2\n3,4\n');
      expect(appended.generation).not.toBe(created.generation);
      expect(appended.size).toBe(8);
    });

    it('never shows a reader half an object while writers replace it', async () => {
      const path = `${folder()}/atomic.txt`;
      const versions = ['a', 'b', 'c'].map((letter) => letter.repeat(256 * 1024));
      await store.write(path, versions[0]!);
      const writes = versions.concat(versions).map((version) => store.write(path, version));
      const reads = Array.from({ length: 12 }, () => store.readText(path));
      for (const content of await Promise.all(reads)) expect(versions).toContain(content);
      await Promise.all(writes);
    });

    it('create-only write succeeds once, then fails with ConflictError', async (context) => {
      context.skip(
        subject.capabilities?.noPreconditions !== undefined,
        subject.capabilities?.noPreconditions,
      );
      const path = `${folder()}/once.csv`;
      await store.write(path, 'first', { ifGeneration: '0' });
      const error = await store
        .write(path, 'second', { ifGeneration: '0' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ path, expectedGeneration: '0', code: 'ERR_CONFLICT' });
      expect(await store.readText(path)).toBe('first');
    });

    it('compare-and-swap write succeeds on the current generation only', async (context) => {
      context.skip(
        subject.capabilities?.noPreconditions !== undefined,
        subject.capabilities?.noPreconditions,
      );
      const path = `${folder()}/cas.csv`;
      const first = await store.write(path, 'v1');
      const second = await store.write(path, 'v2', { ifGeneration: first.generation });
      const error = await store
        .write(path, 'v3', { ifGeneration: first.generation })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({
        path,
        expectedGeneration: first.generation,
        actualGeneration: second.generation,
      });
      expect(await store.readText(path)).toBe('v2');
    });

    it('loses no row when 40 appends race on one object', async (context) => {
      context.skip(
        subject.capabilities?.noPreconditions !== undefined,
        subject.capabilities?.noPreconditions,
      );
      const path = `${folder()}/race.csv`;
      const rows = Array.from({ length: 40 }, (_, index) => `row-${index},${'x'.repeat(50)}\n`);
      await Promise.all(rows.map((row) => store.append(path, row)));
      const lines = (await store.readText(path)).split('\n').filter(Boolean);
      expect(lines).toHaveLength(40);
      expect(new Set(lines)).toEqual(new Set(rows.map((row) => row.trimEnd())));
    }, 60_000);

    it('rejects paths that escape the store root, naming the parameter', async () => {
      for (const bad of ['../etc/passwd', 'a/../../b', '/abs.csv', '', 'a//b', 'a\\b']) {
        await expect(store.write(bad, 'x')).rejects.toThrow(ValidationError);
      }
      await expect(store.read('../x')).rejects.toMatchObject({ parameter: 'path' });
    });

    it('gives every object a URL a person can open', () => {
      const url = store.objectUrl('projects/classification/soil_20261124_1.csv');
      expect(url).toMatch(/^(file|memory|https?):\/\//);
      expect(url).toContain('soil_20261124_1.csv');
    });
  });
}
