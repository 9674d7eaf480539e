import { randomUUID } from 'node:crypto';
import type {
  AppendOptions,
  ListOptions,
  ObjectChunks,
  ObjectData,
  ObjectInfo,
  ReadOptions,
  Store,
  StoreDriver,
  WriteOptions,
} from './types.js';
import { normalizeObjectPath, normalizePrefix } from './_paths.js';
import { ValidationError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Wraps a driver into a {@link Store}: every path is validated once here, so drivers only ever
 * see safe, normalised paths, and conveniences (text, paging) are written once for all drivers.
 */
export function createStore(driver: StoreDriver): Store {
  let closed = false;
  return {
    kind: driver.kind,
    url: driver.url,
    updateIntervalMs: driver.updateIntervalMs ?? 0,
    // async everywhere, so that bad input rejects the promise instead of throwing synchronously
    read: async (path, options = {}) =>
      driver.read(normalizeObjectPath(path), checkReadOptions(options)),
    readText: async (path) => decoder.decode(await driver.read(normalizeObjectPath(path), {})),
    readStream: async (path) => driver.readStream(normalizeObjectPath(path)),
    write: async (path, data, options = {}) =>
      driver.write(normalizeObjectPath(path), toBytesOrChunks(data), checkWriteOptions(options)),
    append: async (path, data, options = {}) =>
      driver.append(normalizeObjectPath(path), toBytes(data), { key: appendKey(options) }),
    list: async (prefix = '', options = {}) =>
      driver.list(normalizePrefix(prefix), checkListOptions(options)),
    listAll: (prefix = '') =>
      driver.listAll?.(normalizePrefix(prefix)) ?? listAll(driver, normalizePrefix(prefix)),
    stat: async (path) => driver.stat(normalizeObjectPath(path)),
    delete: async (path) => driver.delete(normalizeObjectPath(path)),
    listLeftovers: async (before) => (await driver.listLeftovers?.(before)) ?? [],
    deleteLeftover: async (leftover) => (await driver.deleteLeftover?.(leftover)) ?? false,
    objectUrl: (path) => driver.objectUrl(normalizeObjectPath(path)),
    close: async () => {
      if (closed) return;
      closed = true;
      await driver.close?.();
    },
  };
}

async function* listAll(driver: StoreDriver, prefix: string): AsyncIterable<ObjectInfo> {
  let pageToken: string | undefined;
  do {
    const page: Awaited<ReturnType<StoreDriver['list']>> = await driver.list(
      prefix,
      pageToken === undefined ? {} : { pageToken },
    );
    yield* page.objects;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
}

function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new ValidationError(
    'data',
    'it is neither a string nor a Uint8Array',
    'Pass text or bytes.',
  );
}

function toBytesOrChunks(data: ObjectData): Uint8Array | ObjectChunks {
  if (typeof data === 'object' && (Symbol.iterator in data || Symbol.asyncIterator in data)) {
    return data instanceof Uint8Array ? data : checkedChunks(data);
  }
  return toBytes(data);
}

/** Chunks as they stream by: a wrong one fails the write before the object is replaced. */
async function* checkedChunks(chunks: ObjectChunks): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new ValidationError('data', 'a chunk is not a Uint8Array', 'Yield Uint8Array chunks.');
    }
    yield chunk;
  }
}

const APPEND_KEY = /^[A-Za-z0-9._-]{1,128}$/;

function appendKey({ key }: AppendOptions): string {
  if (key === undefined) return randomUUID();
  if (typeof key !== 'string' || !APPEND_KEY.test(key)) {
    throw new ValidationError(
      'key',
      `${JSON.stringify(key)} is not an append key`,
      'Pass 1–128 characters of A-Z, a-z, 0-9, ".", "_" and "-", e.g. the prediction id.',
    );
  }
  return key;
}

function checkWriteOptions(options: WriteOptions): WriteOptions {
  const { ifGeneration } = options;
  if (ifGeneration !== undefined && !/^\S+$/.test(ifGeneration)) {
    throw new ValidationError(
      'ifGeneration',
      `"${ifGeneration}" is not a generation`,
      'Pass the generation returned by stat() or write(), or "0" for create-only.',
    );
  }
  return options;
}

function checkReadOptions(options: ReadOptions): ReadOptions {
  for (const name of ['start', 'end'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new ValidationError(
        name,
        `${String(value)} is not a byte offset`,
        'Pass a whole number of bytes, 0 or more.',
      );
    }
  }
  if ((options.end ?? Infinity) < (options.start ?? 0)) {
    throw new ValidationError(
      'end',
      `end ${String(options.end)} is before start ${String(options.start)}`,
      'Pass an end at or after the start.',
    );
  }
  return options;
}

function checkListOptions(options: ListOptions): ListOptions {
  const { pageSize } = options;
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
    throw new ValidationError(
      'pageSize',
      `${pageSize} is not a positive integer`,
      'Pass e.g. 1000.',
    );
  }
  return options;
}
