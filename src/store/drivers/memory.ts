import { Readable } from 'node:stream';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { ObjectInfo, StoreDriver } from '../types.js';
import { concatChunks } from './_chunks.js';
import { byPath, pageOf } from './_paging.js';

interface MemoryObject {
  data: Uint8Array;
  generation: number;
  updated: Date;
}

/** Options of {@link createMemoryDriver}. */
export interface MemoryDriverOptions {
  /** A name to tell stores apart in URLs and messages. @default "default" */
  name?: string;
}

/* eslint-disable @typescript-eslint/require-await -- async so that failures reject, never throw */

/**
 * An in-process store for tests and dry runs. JavaScript runs one task at a time, so every
 * operation below is atomic without locks: none of them awaits between reading and writing.
 * An append here never loses its answer, so it is exactly-once without looking at its key.
 */
export function createMemoryDriver(options: MemoryDriverOptions = {}): StoreDriver {
  const url = `memory://${options.name ?? 'default'}`;
  const objects = new Map<string, MemoryObject>();
  let lastGeneration = 0;

  const info = (path: string, object: MemoryObject): ObjectInfo => ({
    path,
    size: object.data.byteLength,
    generation: String(object.generation),
    updated: object.updated,
  });
  const get = (operation: string, path: string): MemoryObject => {
    const object = objects.get(path);
    if (!object) throw new NotFoundError({ operation, store: url, path });
    return object;
  };
  const put = (path: string, data: Uint8Array): ObjectInfo => {
    const object = { data, generation: ++lastGeneration, updated: new Date() };
    objects.set(path, object);
    return info(path, object);
  };

  return {
    kind: 'memory',
    url,
    read: async (path, { start, end }) => get('read', path).data.slice(start, end),
    readStream: async (path) => Readable.from([get('read', path).data.slice()]),
    write: async (path, chunks, { ifGeneration }) => {
      // Gathered before the check, so that the check and the write happen in one task.
      const data = chunks instanceof Uint8Array ? chunks.slice() : await concatChunks(chunks);
      const current = objects.get(path);
      const currentGeneration = current ? String(current.generation) : '0';
      if (ifGeneration !== undefined && ifGeneration !== currentGeneration) {
        throw new ConflictError({
          operation: 'write',
          store: url,
          path,
          expectedGeneration: ifGeneration,
          actualGeneration: current ? currentGeneration : undefined,
        });
      }
      return put(path, data);
    },
    append: async (path, data) => {
      const current = objects.get(path)?.data ?? new Uint8Array();
      const joined = new Uint8Array(current.byteLength + data.byteLength);
      joined.set(current);
      joined.set(data, current.byteLength);
      return put(path, joined);
    },
    list: async (prefix, listOptions) => {
      const matching = [...objects]
        .filter(([path]) => path.startsWith(prefix))
        .map(([path, object]) => info(path, object))
        .sort(byPath);
      return pageOf(matching, listOptions);
    },
    stat: async (path) => {
      const object = objects.get(path);
      return object ? info(path, object) : undefined;
    },
    delete: async (path) => objects.delete(path),
    objectUrl: (path) => `${url}/${path}`,
  };
}
