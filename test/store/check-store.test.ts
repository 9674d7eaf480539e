import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MlTrackingError, StoreError, checkStore, openStore, type Store } from '../../src/index.js';

type Operation = 'write' | 'append' | 'delete';

/** A memory store whose `write`, `append` or `delete` fail as told, recording every call. */
async function storeFailingOn(failures: Partial<Record<Operation, Error>>) {
  const store = await openStore(`memory://${randomUUID()}`);
  const calls: Operation[] = [];
  const fail = (operation: Operation) => {
    calls.push(operation);
    const failure = failures[operation];
    if (failure) throw failure;
  };
  const failing: Store = {
    ...store,
    write: async (...args) => {
      fail('write');
      return store.write(...args);
    },
    append: async (...args) => {
      fail('append');
      return store.append(...args);
    },
    delete: async (...args) => {
      fail('delete');
      return store.delete(...args);
    },
  };
  return { store: failing, calls, inner: store };
}

/** What the GCS driver throws when every attempt met a host that refuses connections. */
function refused(operation: string): StoreError {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
  });
  return new StoreError(
    `Cannot ${operation} checks/x.txt in gs://bucket after 12 attempts (${cause.message}).`,
    { operation, store: 'gs://bucket', path: 'checks/x.txt', cause },
  );
}

describe('checkStore', () => {
  it('proves a working store works and leaves nothing behind', async () => {
    const { store, calls, inner } = await storeFailingOn({});
    const report = await checkStore(store);
    expect(report.steps.map((step) => step.step)).toEqual([
      'write',
      'append',
      'append',
      'read',
      'list',
      'conditional write',
      'delete',
    ]);
    expect(calls.at(-1)).toBe('delete');
    expect((await inner.list('checks/')).objects).toEqual([]);
  });

  it('reports the first failure, not the clean-up that failed after it', async () => {
    const append = new StoreError('Cannot append checks/x.txt in gs://bucket (HTTP 403).', {
      operation: 'append',
      store: 'gs://bucket',
    });
    const cleanUp = new StoreError('Cannot delete checks/x.txt in gs://bucket (HTTP 403).', {
      operation: 'delete',
      store: 'gs://bucket',
    });
    const { store, calls } = await storeFailingOn({ append, delete: cleanUp });
    await expect(checkStore(store)).rejects.toBe(append);
    // The write landed, so the clean-up was still attempted.
    expect(calls).toEqual(['write', 'append', 'delete']);
  });

  it('a clean-up that fails after every step passed is the failure reported', async () => {
    const cleanUp = new Error('clean-up failed');
    const { store } = await storeFailingOn({ delete: cleanUp });
    await expect(checkStore(store)).rejects.toBe(cleanUp);
  });

  it('does not clean up after a write that never reached the store', async () => {
    const write = refused('write');
    const { store, calls } = await storeFailingOn({ write, delete: refused('delete') });
    await expect(checkStore(store)).rejects.toBe(write);
    expect(calls).toEqual(['write']);
  });

  it('cleans up after a write that failed once the request had been sent', async () => {
    // The answer of a write can be lost after the object was written: delete it to be sure.
    const write = new MlTrackingError('Cannot write: socket hang up', { code: 'ERR_STORE' });
    const { store, calls } = await storeFailingOn({ write });
    await expect(checkStore(store)).rejects.toBe(write);
    expect(calls).toEqual(['write', 'delete']);
  });
});
