/**
 * "Absent" and "someone else wrote first" as values, not exceptions: most callers branch on them
 * as a normal outcome (a claim not taken yet, a compare-and-swap lost to another writer), the way
 * unstorage's `getItem` returns `null`. Every other failure still throws.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { ObjectData, ObjectInfo, Store, WriteOptions } from './types.js';

/** An object's text and the generation it was read at: what a compare-and-swap needs. */
export interface VersionedText {
  text: string;
  /** Pass back as `ifGeneration` to replace exactly what was read. */
  generation: string;
  /** When the store last wrote it, by the store's own clock. */
  updated: Date;
}

/**
 * The object's text with its generation, or `undefined` when it does not exist. The generation is
 * the one seen before the read: if the object changed in between, a compare-and-swap on it fails,
 * which is what a writer that read stale text needs.
 */
export async function readTextIfExists(
  store: Store,
  path: string,
): Promise<VersionedText | undefined> {
  const info = await store.stat(path);
  if (info === undefined) return undefined;
  try {
    return { text: await store.readText(path), generation: info.generation, updated: info.updated };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * The object's text, or `undefined` when it does not exist: one request, where
 * {@link readTextIfExists} makes two to know the generation a compare-and-swap needs.
 */
export async function readStringIfExists(store: Store, path: string): Promise<string | undefined> {
  try {
    return await store.readText(path);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The object's bytes, or `undefined` when it does not exist. */
export async function readIfExists(store: Store, path: string): Promise<Uint8Array | undefined> {
  try {
    return await store.read(path);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Writes only if the object is at `ifGeneration` (`"0"`: only if it does not exist). Resolves the
 * new object's info, or `undefined` when another writer was first.
 */
export async function writeIfGeneration(
  store: Store,
  path: string,
  data: ObjectData,
  ifGeneration: string,
  options: Omit<WriteOptions, 'ifGeneration'> = {},
): Promise<ObjectInfo | undefined> {
  try {
    return await store.write(path, data, { ...options, ifGeneration });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}
