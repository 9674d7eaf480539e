import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import lockfile from 'proper-lockfile';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { ObjectInfo, StoreDriver, WriteOptions } from '../types.js';
import { byPath, pageOf } from './_paging.js';

/** Options of {@link createLocalDriver}. */
export interface LocalDriverOptions {
  /** The folder that holds the store; created on first write. */
  root: string;
}

// Generous: a lock is held for one small write, but many processes may queue for it.
const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 200, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
} as const;

/**
 * A store in a local folder. Whole-object writes go to a hidden temporary file in the same
 * folder that is then renamed over the target (rename is atomic on POSIX file systems); appends
 * are one `O_APPEND` write under an exclusive lock. The lock is taken by every mutation so that
 * an append can never land in a file that a concurrent write is replacing.
 *
 * Generations are made of the inode, the size and the modification time in nanoseconds: every
 * append changes the size, every write creates a new inode. (Two rewrites of the same size within
 * one file-system clock tick that also reuse an inode would look alike; conditional writes of
 * tracker files never rewrite at that rate.)
 */
export function createLocalDriver(options: LocalDriverOptions): StoreDriver {
  const { root } = options;
  const url = pathToFileURL(root).href;
  const full = (path: string): string => join(root, ...path.split('/'));
  const fail = (operation: string, path: string, cause: unknown): never => {
    if (isMissing(cause)) throw new NotFoundError({ operation, store: url, path, cause });
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`Cannot ${operation} ${path} in ${url}: ${describe(cause)}.`, {
      operation,
      store: url,
      path,
      cause,
    });
  };

  async function withLock<T>(operation: string, path: string, action: () => Promise<T>) {
    const file = full(path);
    try {
      await mkdir(dirname(file), { recursive: true });
      const release = await lockfile.lock(file, {
        ...LOCK_OPTIONS,
        lockfilePath: join(dirname(file), `.${basename(file)}.lock`),
      });
      try {
        return await action();
      } finally {
        await release();
      }
    } catch (error) {
      return fail(operation, path, error);
    }
  }

  async function statInfo(path: string): Promise<ObjectInfo | undefined> {
    try {
      return toInfo(path, await stat(full(path), { bigint: true }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      return fail('stat', path, error);
    }
  }

  return {
    kind: 'local',
    url,
    async read(path) {
      try {
        return await readFile(full(path));
      } catch (error) {
        return fail('read', path, error);
      }
    },
    async readStream(path): Promise<Readable> {
      try {
        const handle = await open(full(path), 'r');
        return handle.createReadStream();
      } catch (error) {
        return fail('read', path, error);
      }
    },
    write: (path, data, writeOptions) =>
      withLock('write', path, async () => {
        await checkGeneration(path, writeOptions);
        const file = full(path);
        const staging = join(
          dirname(file),
          `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`,
        );
        try {
          await writeDurably(staging, data, 'wx');
          await rename(staging, file);
        } catch (error) {
          await rm(staging, { force: true });
          throw error;
        }
        return mustExist(await statInfo(path), path);
      }),
    append: (path, data) =>
      withLock('append', path, async () => {
        await writeDurably(full(path), data, 'a');
        return mustExist(await statInfo(path), path);
      }),
    async list(prefix, listOptions) {
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const paths = (await walk(root, folder)).filter((path) => path.startsWith(prefix));
      const objects = (await Promise.all(paths.map(statInfo))).filter(
        (object): object is ObjectInfo => object !== undefined,
      );
      return pageOf(objects.sort(byPath), listOptions);
    },
    stat: statInfo,
    delete: (path) =>
      withLock('delete', path, async () => {
        try {
          await unlink(full(path));
          return true;
        } catch (error) {
          if (isMissing(error)) return false;
          throw error;
        }
      }),
    objectUrl: (path) => pathToFileURL(full(path)).href,
  };

  async function checkGeneration(path: string, { ifGeneration }: WriteOptions): Promise<void> {
    if (ifGeneration === undefined) return;
    const current = await statInfo(path);
    const actual = current?.generation ?? '0';
    if (actual !== ifGeneration) {
      throw new ConflictError({
        operation: 'write',
        store: url,
        path,
        expectedGeneration: ifGeneration,
        actualGeneration: current?.generation,
      });
    }
  }
}

async function writeDurably(file: string, data: Uint8Array, flags: 'wx' | 'a'): Promise<void> {
  const handle = await open(file, flags);
  try {
    await handle.write(data);
    // A tracker row is the commit point of an experiment: make it survive a power cut.
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Every visible file under `root/folder`, as store paths; hidden entries are bookkeeping. */
async function walk(root: string, folder: string): Promise<string[]> {
  const start = folder === '' ? root : join(root, ...folder.split('/'));
  let entries;
  try {
    entries = await readdir(start, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep))
    .filter((segments) => !segments.some((segment) => segment.startsWith('.')))
    .map((segments) => segments.join('/'));
}

function toInfo(path: string, big: BigIntStats): ObjectInfo {
  return {
    path,
    size: Number(big.size),
    generation: `${big.ino}.${big.size}.${big.mtimeNs}`,
    updated: new Date(Number(big.mtimeMs)),
  };
}

function mustExist(info: ObjectInfo | undefined, path: string): ObjectInfo {
  if (!info) throw new Error(`${path} vanished right after it was written`);
  return info;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
