/*
 * commitKeyed on a memory store, a local folder and the GCS fake: a change lands once however
 * often its writer retries. The cases that matter are the lost answers: a write that committed,
 * then another writer committed on top before the retry (the retry must find its own key, not add
 * its change again), and on the fake, answers really lost after commit (`when: 'after'`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitKeyed, decline, type KeyedCommitOptions } from '../../src/records/keyed-commit.js';
import { ConflictError, StoreError } from '../../src/errors.js';
import type { ObjectData, ObjectInfo, Store, WriteOptions } from '../../src/store/types.js';
import { lostUploadAnswers, startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore, openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

/** A log of keys, one a line: the change of writer `key` adds its line. */
const addLine = (key: string): KeyedCommitOptions<never> => ({
  hasKey: (text) => text.split('\n').includes(key),
  apply: (current) => `${current?.text ?? ''}${key}\n`,
  contentType: 'text/plain',
});
const FAST = { attempts: 20, minDelayMs: 1, maxDelayMs: 20 };

const linesOf = async (store: Store, path: string) =>
  (await store.readText(path)).split('\n').filter((line) => line !== '');

/** `inner` with its `write` replaced; every other method is the inner store's. */
function withWrite(
  inner: Store,
  write: (path: string, data: ObjectData, options?: WriteOptions) => Promise<ObjectInfo>,
): Store {
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/**
 * `inner` whose next write commits, then lets `meanwhile` run (another writer committing on top)
 * and loses its answer: it throws `lost()` as the store would, having given up.
 */
function losingNextAnswer(inner: Store, meanwhile: () => Promise<unknown>, lost: () => Error) {
  let armed = true;
  return withWrite(inner, async (path, data, options) => {
    const info = await inner.write(path, data, options);
    if (!armed) return info;
    armed = false;
    await meanwhile();
    throw lost();
  });
}

const KINDS = ['memory', 'local', 'gcs-fake'] as const;

for (const kind of KINDS) {
  describe(`commitKeyed on ${kind}`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());
    const newPath = () => `coordination/${randomUUID()}.txt`;

    it('creates an absent object, then reports already for the same key and writes nothing', async () => {
      const path = newPath();
      const first = await commitKeyed(store, path, addLine('run-a'));
      expect(first.status).toBe('applied');
      const before = await store.stat(path);
      const again = await commitKeyed(store, path, addLine('run-a'));
      expect(again).toMatchObject({ status: 'already', generation: before?.generation });
      expect((await store.stat(path))?.generation).toBe(before?.generation);
      expect(await linesOf(store, path)).toEqual(['run-a']);
    });

    it('declined: resolves with the value and writes nothing', async () => {
      const path = newPath();
      await commitKeyed(store, path, addLine('run-a'));
      const before = await store.stat(path);
      const result = await commitKeyed(store, path, {
        hasKey: () => false,
        apply: (current) => decline(current?.text.trim()),
      });
      expect(result).toMatchObject({ status: 'declined', value: 'run-a', attempts: 1 });
      expect((await store.stat(path))?.generation).toBe(before?.generation);
    });

    it('what apply throws ends the commit at once, nothing written', async () => {
      const path = newPath();
      let calls = 0;
      const refused = new Error('taken');
      await expect(
        commitKeyed(store, path, {
          hasKey: () => false,
          apply: () => {
            calls += 1;
            throw refused;
          },
        }),
      ).rejects.toBe(refused);
      expect(calls).toBe(1);
      expect(await store.stat(path)).toBeUndefined();
    });

    it('twelve concurrent committers: every key exactly once', async () => {
      const path = newPath();
      const keys = Array.from({ length: 12 }, (_, index) => `run-${index}`);
      const results = await Promise.all(
        keys.map((key) => commitKeyed(store, path, { ...addLine(key), retry: FAST })),
      );
      expect(results.map((result) => result.status)).toEqual(keys.map(() => 'applied'));
      expect((await linesOf(store, path)).sort()).toEqual([...keys].sort());
    });

    it('an answer lost after commit, another writer on top, then a conflict: already, not twice', async () => {
      const path = newPath();
      await commitKeyed(store, path, addLine('first'));
      // What the GCS driver reports when its retry of a committed write meets another's write.
      const losing = losingNextAnswer(
        store,
        () => commitKeyed(store, path, addLine('other')),
        () =>
          new ConflictError({
            operation: 'write',
            store: store.url,
            path,
            expectedGeneration: '1',
          }),
      );
      const result = await commitKeyed(losing, path, { ...addLine('mine'), retry: FAST });
      expect(result).toMatchObject({ status: 'already', attempts: 2 });
      expect(await linesOf(store, path)).toEqual(['first', 'mine', 'other']);
    });

    it('an answer lost after commit and the store giving up: already, settled by one read', async () => {
      const path = newPath();
      const losing = losingNextAnswer(
        store,
        () => commitKeyed(store, path, addLine('other')),
        () =>
          new StoreError('Cannot write: 503 after 12 attempts', {
            operation: 'write',
            store: store.url,
            path,
          }),
      );
      const result = await commitKeyed(losing, path, addLine('mine'));
      expect(result).toMatchObject({ status: 'already', attempts: 1 });
      expect(await linesOf(store, path)).toEqual(['mine', 'other']);
    });

    it('a store failure before anything landed is thrown, nothing written', async () => {
      const path = newPath();
      const failure = new StoreError('Cannot write: 403', {
        operation: 'write',
        store: store.url,
        path,
      });
      const failing = withWrite(store, () => Promise.reject(failure));
      await expect(commitKeyed(failing, path, addLine('mine'))).rejects.toBe(failure);
      expect(await store.stat(path)).toBeUndefined();
    });

    it('gives up with a ConflictError when others keep saving first through every attempt', async () => {
      const path = newPath();
      await commitKeyed(store, path, addLine('first'));
      let n = 0;
      // Before each of our writes, another writer saves: ours always meets a new generation.
      const crowded = withWrite(store, async (target, data, options) => {
        n += 1;
        await commitKeyed(store, path, addLine(`other-${n}`));
        return store.write(target, data, options);
      });
      const attempts = { attempts: 3, minDelayMs: 1, maxDelayMs: 5 };
      await expect(
        commitKeyed(crowded, path, { ...addLine('mine'), retry: attempts }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(n).toBe(3);
      expect(await linesOf(store, path)).toEqual(['first', 'other-1', 'other-2', 'other-3']);
    });
  });
}

describe('commitKeyed on the GCS fake losing answers after commit', () => {
  let fake: GcsFake;
  const stores: Store[] = [];
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await fake.stop();
  });
  const open = async (retry?: { attempts: number; minDelayMs: number; maxDelayMs: number }) => {
    const store = await openFakeStore(fake, 'keyed', retry === undefined ? {} : { retry });
    stores.push(store);
    return store;
  };

  it('a store that gives up on the lost answer: already, one object, the key once', async () => {
    const store = await open({ attempts: 1, minDelayMs: 1, maxDelayMs: 1 });
    const path = `lost/${randomUUID()}.txt`;
    fake.injectFault({ operation: 'upload', status: 503, when: 'after' });
    const result = await commitKeyed(store, path, addLine('mine'));
    expect(fake.pendingFaults()).toBe(0);
    expect(result.status).toBe('already');
    expect(await linesOf(store, path)).toEqual(['mine']);
  });

  it('eight committers, one handle each, a quarter of the uploads losing their answer: every key once', async () => {
    const handles = await Promise.all(Array.from({ length: 8 }, () => open()));
    const path = `lost/${randomUUID()}.txt`;
    fake.injectFault(lostUploadAnswers(1000));
    try {
      const results = await Promise.all(
        handles.map((handle, index) =>
          commitKeyed(handle, path, { ...addLine(`run-${index}`), retry: FAST }),
        ),
      );
      const lines = await linesOf(handles[0]!, path);
      expect(lines.sort()).toEqual(handles.map((_, index) => `run-${index}`).sort());
      // Every writer's change is in, once, whether this call wrote it or found it there.
      expect(results.every((r) => r.status === 'applied' || r.status === 'already')).toBe(true);
    } finally {
      fake.clearFaults();
    }
  });
});
