import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import {
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  unlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import lockfile from 'proper-lockfile';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { Leftover, ObjectChunks, ObjectInfo, StoreDriver, WriteOptions } from '../types.js';
import { pageOfPaths } from './_paging.js';

/** Options of {@link createLocalDriver}. */
export interface LocalDriverOptions {
  /** The folder that holds the store; created on first write. */
  root: string;
}

/** The driver's own bookkeeping, hidden from listings like every `.` name: locks, staging files. */
const BOOKKEEPING = '.ml-tracking';

// Generous: a lock is held for one small write, but many processes may queue for it. A held
// lock's mtime is refreshed every `stale / 2` ms, so only a dead writer's lock goes stale.
const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 200, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
} as const;

/** Leftovers of earlier versions, which kept locks and staging files beside the data. */
const LEGACY_LEFTOVER = /^\..+(\.lock|\.[0-9a-f]{12}\.tmp)$/;

/**
 * A store in a local folder. Whole-object writes go to a staging file under `.ml-tracking/`
 * that is then renamed over the target (rename is atomic on POSIX file systems); appends are one
 * `O_APPEND` write under an exclusive lock, cut back to the previous size if the write fails, so
 * a reader never sees half an append. The lock is taken by every mutation so that an append can
 * never land in a file that a concurrent write is replacing. Locks and staging files live under
 * `.ml-tracking/` so that data folders hold only data and listings never meet them.
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
  const locks = join(root, BOOKKEEPING, 'locks');
  const staging = join(root, BOOKKEEPING, 'staging');
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
    try {
      await Promise.all([ensureFolder(dirname(full(path))), ensureFolder(locks)]);
      const release = await lockfile.lock(full(path), {
        ...LOCK_OPTIONS,
        // One flat folder of locks named by a digest: any path length, nothing beside the data.
        lockfilePath: join(locks, `${createHash('sha1').update(path).digest('hex')}.lock`),
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
    async read(path, { start, end }) {
      try {
        if (start === undefined && end === undefined) return await readFile(full(path));
        const handle = await open(full(path), 'r');
        try {
          const from = start ?? 0;
          const size = (await handle.stat()).size;
          const length = Math.max(0, Math.min(end ?? size, size) - from);
          const bytes = Buffer.alloc(length);
          const { bytesRead } = await handle.read(bytes, 0, length, from);
          return bytes.subarray(0, bytesRead);
        } finally {
          await handle.close();
        }
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
    async write(path, data, writeOptions) {
      // The bytes go to the staging file before the lock is taken: the lock covers only the
      // generation check and the rename, so a large table never holds up other writers.
      await ensureFolder(staging).catch((error: unknown) => fail('write', path, error));
      const temporary = join(staging, `${randomBytes(8).toString('hex')}.tmp`);
      try {
        await writeDurably(temporary, data, 'wx');
        return await withLock('write', path, async () => {
          await checkGeneration(path, writeOptions);
          await rename(temporary, full(path));
          return mustExist(await statInfo(path), path);
        });
      } catch (error) {
        return fail('write', path, error);
      } finally {
        await rm(temporary, { force: true });
      }
    },
    append: (path, data) =>
      withLock('append', path, async () => {
        const before = (await statInfo(path))?.size;
        try {
          await writeDurably(full(path), data, 'a');
        } catch (error) {
          // A failed write (disk full, I/O error) may have written part of the bytes: take them
          // back, so that what follows starts on a clean line.
          if (before !== undefined) await truncate(full(path), before);
          else await rm(full(path), { force: true });
          throw error;
        }
        return mustExist(await statInfo(path), path);
      }),
    async list(prefix, listOptions) {
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      let paths: string[];
      try {
        paths = (await walk(root, folder)).filter((path) => path.startsWith(prefix));
      } catch (error) {
        return fail('list', prefix, error);
      }
      return pageOfPaths(paths, listOptions, statInfo);
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
    listLeftovers: (before) => findLeftovers(root, before),
    async deleteLeftover(leftover: Leftover) {
      if (!isLeftoverPath(leftover.path)) {
        throw new StoreError(`${leftover.path} in ${url} is not a leftover of the local store.`, {
          operation: 'delete leftover',
          store: url,
          path: leftover.path,
        });
      }
      const target = join(root, ...leftover.path.split('/'));
      const existed = (await stat(target).catch(() => undefined)) !== undefined;
      await rm(target, { recursive: true, force: true });
      return existed;
    },
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

/**
 * `mkdir -p` one level at a time. Node's own recursive mkdir never returns under a folder such
 * as `/proc/1`, where every level refuses with an error it takes for "try the parent again".
 */
async function ensureFolder(folder: string): Promise<void> {
  try {
    await makeFolder(folder);
  } catch (error) {
    // Not a NotFoundError: the object is not missing, its folder cannot be made.
    throw new Error(
      `cannot create the folder ${folder} (${describe(error)}); give a store folder you can write to`,
      { cause: error },
    );
  }
}

async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(folder) === folder) throw error;
    await makeFolder(dirname(folder));
    await mkdir(folder).catch((retry: unknown) => {
      if ((retry as NodeJS.ErrnoException).code !== 'EEXIST') throw retry;
    });
  }
}

async function writeDurably(
  file: string,
  data: Uint8Array | ObjectChunks,
  flags: 'wx' | 'a',
): Promise<void> {
  const handle = await open(file, flags);
  try {
    if (data instanceof Uint8Array) await handle.write(data);
    else for await (const chunk of data) await handle.write(chunk);
    // A tracker row is the commit point of an experiment: make it survive a power cut.
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Every visible file under `root/folder`, as store paths. Hidden entries are bookkeeping and are
 * never entered, so a lock that comes and goes cannot disturb a listing; a folder that vanishes
 * while it is read was emptied by a delete and holds nothing. Any other error is thrown: a
 * listing never passes a failure off as "empty".
 */
async function walk(root: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (segments: string[]): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, ...segments), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    const folders: string[][] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) folders.push([...segments, entry.name]);
      else if (entry.isFile()) found.push([...segments, entry.name].join('/'));
    }
    await Promise.all(folders.map(visit));
  };
  await visit(folder === '' ? [] : folder.split('/'));
  return found;
}

/** Locks, staging files and legacy leftovers untouched since `before`. */
async function findLeftovers(root: string, before: Date): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const consider = async (path: string) => {
    const info = await stat(join(root, ...path.split('/'))).catch(() => undefined);
    if (info && info.mtime < before) {
      found.push({ path, size: info.isFile() ? info.size : 0, updated: info.mtime });
    }
  };
  for (const folder of ['locks', 'staging']) {
    const names = await readdir(join(root, BOOKKEEPING, folder)).catch(() => []);
    await Promise.all(names.map((name) => consider(`${BOOKKEEPING}/${folder}/${name}`)));
  }
  const legacy: string[] = [];
  const visit = async (segments: string[]): Promise<void> => {
    const entries = await readdir(join(root, ...segments), { withFileTypes: true }).catch(() => []);
    const folders: string[][] = [];
    for (const entry of entries) {
      if (LEGACY_LEFTOVER.test(entry.name)) legacy.push([...segments, entry.name].join('/'));
      else if (entry.isDirectory() && !entry.name.startsWith('.'))
        folders.push([...segments, entry.name]);
    }
    await Promise.all(folders.map(visit));
  };
  await visit([]);
  await Promise.all(legacy.map(consider));
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isLeftoverPath(path: string): boolean {
  const segments = path.split('/');
  const name = segments.at(-1) ?? '';
  if (segments.includes('..') || segments.includes('')) return false;
  if (segments[0] === BOOKKEEPING) {
    return segments.length === 3 && (segments[1] === 'locks' || segments[1] === 'staging');
  }
  return LEGACY_LEFTOVER.test(name);
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
