/**
 * The stores the run tests record into, opened the way the store contract opens them (a memory
 * store, a temporary folder, the firebase Storage emulator, the GCS fake), and a store wrapper
 * that counts what a logger sends.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type RetryPolicy, type Store } from '../../src/index.js';
import { startGcsEmulator } from '../support/gcs-emulator.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';

export const RUN_STORE_KINDS = ['memory', 'local', 'gcs-emulator', 'gcs-fake'] as const;
export type RunStoreKind = (typeof RUN_STORE_KINDS)[number];

export interface RunStoreSubject {
  store: Store;
  /** Set on the emulator only: why a precondition-dependent check cannot be made there. */
  noPreconditions?: string;
  close(): Promise<void>;
}

/** Opens a fresh, empty store of `kind`. */
export async function openRunStore(kind: RunStoreKind): Promise<RunStoreSubject> {
  switch (kind) {
    case 'memory': {
      const store = await openStore(`memory://runs-${randomUUID()}`);
      return { store, close: () => store.close() };
    }
    case 'local': {
      const root = await mkdtemp(join(tmpdir(), 'ml-tracking-runs-'));
      const store = await openStore(root);
      return {
        store,
        close: async () => {
          await store.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    }
    case 'gcs-emulator': {
      const emulator = await startGcsEmulator();
      const store = await openStore(`gs://runs-bucket/${randomUUID()}`, {
        storage: emulator.createClient(),
      });
      return {
        store,
        noPreconditions:
          'the firebase Storage emulator ignores generation preconditions (and has no compose); the GCS fake covers them',
        close: async () => {
          await store.close();
          await emulator.stop();
        },
      };
    }
    case 'gcs-fake': {
      const fake = await startGcsFake();
      const store = await openStore(`gs://runs-bucket/${randomUUID()}`, {
        storage: fake.createClient(),
      });
      return {
        store,
        close: async () => {
          await store.close();
          await fake.stop();
        },
      };
    }
  }
}

/**
 * Opens a store on an already started GCS fake, with its own client. Like any emulator it takes
 * as many writes of an object per second as it is sent; `updateIntervalMs: 1000` makes the store
 * space them as on Google's service.
 */
export function openFakeStore(
  fake: GcsFake,
  prefix: string,
  options: { retry?: RetryPolicy; updateIntervalMs?: number } = {},
): Promise<Store> {
  return openStore(`gs://runs-bucket/${prefix}`, { storage: fake.createClient(), ...options });
}

/** One call a {@link CountingStore} passed on. */
export interface StoreCall {
  method: 'write' | 'append';
  path: string;
  /** Bytes of the data handed over. */
  bytes: number;
  /** `Date.now()` when the call was made. */
  at: number;
}

/** A store that passes every call on to another and remembers the writes and appends. */
export interface CountingStore extends Store {
  readonly calls: StoreCall[];
}

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Uint8Array) return data.byteLength;
  // Chunks: the run writer never sends them; counted as unknown.
  return Number.NaN;
}

/** Wraps `inner`; its kind and update interval (a logger's rate limit) are the inner store's. */
export function countingStore(inner: Store): CountingStore {
  const calls: StoreCall[] = [];
  return {
    calls,
    kind: inner.kind,
    url: inner.url,
    updateIntervalMs: inner.updateIntervalMs,
    read: (path, options) => inner.read(path, options),
    readText: (path) => inner.readText(path),
    readStream: (path) => inner.readStream(path),
    write: (path, data, options) => {
      calls.push({ method: 'write', path, bytes: byteLength(data), at: Date.now() });
      return inner.write(path, data, options);
    },
    append: (path, data, options) => {
      calls.push({ method: 'append', path, bytes: byteLength(data), at: Date.now() });
      return inner.append(path, data, options);
    },
    list: (prefix, options) => inner.list(prefix, options),
    listAll: (prefix) => inner.listAll(prefix),
    stat: (path) => inner.stat(path),
    delete: (path) => inner.delete(path),
    listLeftovers: (before) => inner.listLeftovers(before),
    deleteLeftover: (leftover) => inner.deleteLeftover(leftover),
    objectUrl: (path) => inner.objectUrl(path),
    close: () => inner.close(),
  };
}
