import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Storage } from '@google-cloud/storage';
import { ValidationError } from '../errors.js';
import { createStore } from './create-store.js';
import { parseGcsUrl } from './gcs-location.js';
import { createLocalDriver } from './drivers/local.js';
import { createMemoryDriver } from './drivers/memory.js';
import type { RetryPolicy, Store, StoreDriver } from './types.js';

/** The folder used when no store is named and `ML_TRACKING_STORE` is unset. */
export const DEFAULT_STORE_FOLDER = 'ml-tracking';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Base folder for relative local paths. @default process.cwd() */
  cwd?: string;
  /** Environment to read `ML_TRACKING_STORE` from. @default process.env */
  env?: Record<string, string | undefined>;
  /** A ready `@google-cloud/storage` client for `gs://` stores (tests, custom credentials). */
  storage?: Storage;
  /** Retry policy of the GCS driver. */
  retry?: RetryPolicy;
  /** The GCS driver's `updateIntervalMs` (see `Store.updateIntervalMs`). */
  updateIntervalMs?: number;
}

// Memory stores live as long as the process, so `memory://name` opened twice is one store.
const memoryDrivers = new Map<string, StoreDriver>();

/**
 * Opens the store a URL names:
 * - `gs://bucket[/prefix]`: Google Cloud Storage, with Application Default Credentials (or the
 *   emulator in `STORAGE_EMULATOR_HOST`); the client library is loaded only then;
 * - a path or `file://` URL: a local folder;
 * - `memory://[name]`: in-process, for tests and dry runs.
 *
 * With no URL, `ML_TRACKING_STORE` decides, else the folder `./ml-tracking`.
 *
 * @example
 * const store = await openStore('gs://my-bucket/ml-tracking');
 * await store.append('notes.txt', 'one line\n');
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const target = url ?? nonEmpty(env.ML_TRACKING_STORE) ?? DEFAULT_STORE_FOLDER;
  if (typeof target !== 'string' || target.trim() === '') {
    throw new ValidationError('store', 'the store URL is empty', storeHint());
  }

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  // One letter before a colon is a Windows drive, not a scheme.
  if (scheme === undefined || scheme.length === 1) {
    return createStore(createLocalDriver({ root: resolve(cwd, target) }));
  }
  switch (scheme) {
    case 'file':
      return createStore(createLocalDriver({ root: localPathOf(target) }));
    case 'memory':
      return createStore(memoryDriver(target));
    case 'gs':
      return createStore(await gcsDriver(target, options));
    default:
      throw new ValidationError('store', `"${scheme}:" stores are not supported`, storeHint());
  }
}

function memoryDriver(url: string): StoreDriver {
  const name = url.slice('memory://'.length).replace(/\/+$/, '') || 'default';
  let driver = memoryDrivers.get(name);
  if (!driver) {
    driver = createMemoryDriver({ name });
    memoryDrivers.set(name, driver);
  }
  return driver;
}

async function gcsDriver(url: string, options: OpenStoreOptions): Promise<StoreDriver> {
  const { bucket, prefix } = parseGcsUrl(url);
  const { createGcsDriver } = await import('./drivers/gcs.js');
  return createGcsDriver({
    bucket,
    ...(prefix === '' ? {} : { prefix }),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.updateIntervalMs === undefined
      ? {}
      : { updateIntervalMs: options.updateIntervalMs }),
  });
}

function localPathOf(url: string): string {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new ValidationError(
      'store',
      `"${url}" is not a valid file URL`,
      'Write it as file:///absolute/path or give a plain path.',
      { cause: error },
    );
  }
  if (!isAbsolute(path)) {
    throw new ValidationError(
      'store',
      `"${url}" is not absolute`,
      'Use file:///absolute/path or a plain relative path.',
    );
  }
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function storeHint(): string {
  return 'Use gs://bucket[/folder], a folder path or file:// URL, or memory://name.';
}
