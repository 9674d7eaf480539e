import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import lockfile from 'proper-lockfile';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { VersionedText } from '../outcomes.js';
import type { Leftover, ObjectChunks, ObjectInfo, StoreDriver, WriteOptions } from '../types.js';
import { normalizeObjectPath } from '../_paths.js';
import { describeAll, pageOfPaths } from './_paging.js';

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

/** A lock this process holds. */
interface HeldLock {
  /**
   * The exit path wrote under this lock while the operation that took it was parked at an
   * `await`: the operation must not change the file any more (the process is ending).
   */
  fenced: boolean;
}

/**
 * The lock folders this process made and has not removed, by path. proper-lockfile is given a
 * file system whose `mkdir` and `rmdir` are synchronous, so this map says exactly whether a lock
 * folder on disk is ours at any point the exit path can run: it then writes under a lock this
 * process holds instead of waiting for a release that will never come.
 */
const ownLocks = new Map<string, HeldLock>();
const lockFileSystem = {
  ...fs,
  mkdir(folder: string, callback: (error: NodeJS.ErrnoException | null) => void): void {
    try {
      mkdirSync(folder);
    } catch (error) {
      callback(error as NodeJS.ErrnoException);
      return;
    }
    ownLocks.set(folder, { fenced: false });
    callback(null);
  },
  rmdir(folder: string, callback: (error: NodeJS.ErrnoException | null) => void): void {
    ownLocks.delete(folder);
    try {
      rmdirSync(folder);
    } catch (error) {
      callback(error as NodeJS.ErrnoException);
      return;
    }
    callback(null);
  },
};

/**
 * The last append keys that landed in each file this process appended to, so that an append is
 * applied once per key within the process (as the GCS ledger does across processes): the exit
 * path sends again the batch whose asynchronous append may have landed just before.
 */
const landedKeys = new Map<string, string[]>();
const KEYS_PER_FILE = 64;
const FILES_REMEMBERED = 256;

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
 *
 * The step that changes a file (the append's write, the rename, the unlink) is synchronous, so
 * that when the process ends (where only synchronous code runs, see {@link localSyncWrites}) an
 * operation of this process has either changed the file or never will.
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
  /** The store paths of the visible files whose path starts with `prefix`, unsorted. */
  const pathsUnder = async (prefix: string): Promise<string[]> => {
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    try {
      return (await walk(root, folder)).filter((path) => path.startsWith(prefix));
    } catch (error) {
      return fail('list', prefix, error);
    }
  };

  async function withLock<T>(
    operation: string,
    path: string,
    action: (lock: HeldLock) => Promise<T>,
  ) {
    try {
      await Promise.all([ensureFolder(dirname(full(path))), ensureFolder(locks)]);
      const lockfilePath = lockPath(root, path);
      let compromised = false;
      const release = await lockfile.lock(full(path), {
        ...LOCK_OPTIONS,
        lockfilePath,
        fs: lockFileSystem,
        // The lock was removed while held (`gc --force` on a store in use, which the user was
        // warned about): proper-lockfile's default throws from a timer, which ends the process.
        // The operation finishes; only its exclusion was lost.
        onCompromised: () => {
          compromised = true;
        },
      });
      try {
        return await action(ownLocks.get(lockfilePath) ?? { fenced: true });
      } finally {
        await release().catch((error: unknown) => {
          if (!compromised) throw error;
        });
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
        await writeDurably(temporary, data);
        return await withLock('write', path, async (lock) => {
          await checkGeneration(path, writeOptions);
          mutate(lock, path, () => {
            renameSync(temporary, full(path));
          });
          return mustExist(await statInfo(path), path);
        });
      } catch (error) {
        return fail('write', path, error);
      } finally {
        await rm(temporary, { force: true });
      }
    },
    append: (path, data, { key }) =>
      withLock('append', path, async (lock) => {
        const target = full(path);
        const existed = (await statInfo(path)) !== undefined;
        const handle = await open(target, 'a');
        try {
          const size = (await handle.stat()).size;
          // The key landed already (the exit path wrote it, or an earlier call whose caller saw
          // it fail after the bytes were down): apply it once.
          const wrote = mutate(lock, path, () =>
            appendOnce(handle.fd, target, size, data, key, existed),
          );
          if (wrote) {
            try {
              // A tracker row is the commit point of an experiment: make it survive a power cut.
              await handle.datasync();
            } catch (error) {
              if (!lock.fenced) takeBack(handle.fd, target, size, key, existed);
              throw error;
            }
          }
        } finally {
          await handle.close();
        }
        return mustExist(await statInfo(path), path);
      }),
    list: async (prefix, listOptions) =>
      pageOfPaths(await pathsUnder(prefix), listOptions, statInfo),
    // One walk for the whole listing: paging through `list` walked the folder once per page
    // (100 walks of 100,000 files for the runs folder).
    async *listAll(prefix) {
      yield* describeAll(await pathsUnder(prefix), statInfo);
    },
    stat: statInfo,
    delete: (path) =>
      withLock('delete', path, (lock) => {
        try {
          mutate(lock, path, () => {
            unlinkSync(full(path));
          });
          return Promise.resolve(true);
        } catch (error) {
          if (isMissing(error)) return Promise.resolve(false);
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

/** The lock file of `path`: one flat folder of locks named by a digest, nothing beside the data. */
function lockPath(root: string, path: string): string {
  return join(root, BOOKKEEPING, 'locks', `${createHash('sha1').update(path).digest('hex')}.lock`);
}

/** Runs the synchronous step that changes a file, unless the exit path took the lock over. */
function mutate<T>(lock: HeldLock, path: string, change: () => T): T {
  if (lock.fenced) {
    throw new Error(`the process is ending and wrote ${path} itself; this operation stops`);
  }
  return change();
}

/**
 * Appends `data` at the end of the open file unless `key` landed in it already; resolves whether
 * it wrote. Synchronous from the key check to the key's record, so no exit can fall in between.
 * A failed write (disk full, I/O error) may have written part of the bytes: they are taken back,
 * so that what follows starts on a clean line.
 */
function appendOnce(
  fd: number,
  file: string,
  size: number,
  data: Uint8Array,
  key: string,
  existed: boolean,
): boolean {
  if (landedKeys.get(file)?.includes(key)) return false;
  try {
    for (let offset = 0; offset < data.byteLength;) {
      offset += writeSync(fd, data, offset, data.byteLength - offset);
    }
  } catch (error) {
    takeBack(fd, file, size, key, existed);
    throw error;
  }
  rememberKey(file, key);
  return true;
}

function takeBack(fd: number, file: string, size: number, key: string, existed: boolean): void {
  if (existed) ftruncateSync(fd, size);
  else rmSync(file, { force: true });
  const keys = landedKeys.get(file);
  if (keys?.includes(key)) keys.splice(keys.indexOf(key), 1);
}

function rememberKey(file: string, key: string): void {
  const keys = landedKeys.get(file) ?? [];
  landedKeys.delete(file);
  keys.unshift(key);
  keys.length = Math.min(keys.length, KEYS_PER_FILE);
  // Most recently appended last: the oldest file is forgotten first.
  landedKeys.set(file, keys);
  if (landedKeys.size > FILES_REMEMBERED) {
    const oldest = landedKeys.keys().next().value;
    if (oldest !== undefined) landedKeys.delete(oldest);
  }
}

/** Synchronous writes to a local store, for the moment a process ends (see {@link localSyncWrites}). */
export interface LocalSyncWrites {
  /** Appends once per `key`, under the object's lock. */
  appendSync(path: string, data: string | Uint8Array, key: string): void;
  /** Replaces the object atomically; with `ifGeneration`, a compare-and-swap (`ConflictError`). */
  writeSync(path: string, data: string | Uint8Array, options?: WriteOptions): void;
  /** The object's text and generation, or `undefined` when it does not exist. */
  readTextSync(path: string): VersionedText | undefined;
}

/**
 * Synchronous writes to `store` when it is a local folder that exists, else `undefined`. For the
 * 'exit' event (`process.exit()`, an uncaught exception), where no promise settles any more: the
 * run writer keeps its last points with these.
 *
 * They keep the asynchronous driver's guarantees. Each takes the object's lock like any writer
 * (waiting for it, within the lock's staleness, by blocking the thread), so no other process
 * interleaves. When it is this process that holds the lock, through an operation parked at an
 * `await` that will never resume, they write under that lock and fence the operation, which then
 * changes nothing if it does resume (a signal's path lets the event loop turn a little longer).
 * An append whose key this process already appended is skipped.
 */
export function localSyncWrites(store: { kind: string; url: string }): LocalSyncWrites | undefined {
  if (store.kind !== 'local') return undefined;
  const root = fileURLToPath(store.url);
  // A store folder removed meanwhile is not created again on the way out.
  if (!existsSync(root)) return undefined;
  const full = (path: string): string => join(root, ...normalizeObjectPath(path).split('/'));
  const generationOf = (file: string): string | undefined => {
    const big = statSync(file, { bigint: true, throwIfNoEntry: false });
    return big && `${big.ino}.${big.size}.${big.mtimeNs}`;
  };

  function withLockSync<T>(path: string, action: () => T): T {
    const file = full(path);
    const lockfilePath = lockPath(root, normalizeObjectPath(path));
    const parked = ownLocks.get(lockfilePath);
    if (parked !== undefined) {
      parked.fenced = true;
      return action();
    }
    makeFolderSync(dirname(file));
    makeFolderSync(join(root, BOOKKEEPING, 'locks'));
    const deadline = Date.now() + LOCK_OPTIONS.stale + 2_000;
    let release: (() => void) | undefined;
    while (release === undefined) {
      try {
        release = lockfile.lockSync(file, {
          realpath: false,
          stale: LOCK_OPTIONS.stale,
          lockfilePath,
        });
      } catch (error) {
        // Held by another process: released within milliseconds, or stale after a crash.
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline)
          throw error;
        pause(5);
      }
    }
    try {
      return action();
    } finally {
      release();
    }
  }

  return {
    appendSync(path, data, key) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      withLockSync(path, () => {
        const file = full(path);
        const existed = existsSync(file);
        const fd = openSync(file, 'a');
        try {
          const size = statSync(file).size;
          if (appendOnce(fd, file, size, bytes, key, existed)) fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
      });
    },
    writeSync(path, data, options = {}) {
      makeFolderSync(join(root, BOOKKEEPING, 'staging'));
      const temporary = join(root, BOOKKEEPING, 'staging', `${randomBytes(8).toString('hex')}.tmp`);
      try {
        const fd = openSync(temporary, 'wx');
        try {
          writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
          fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
        withLockSync(path, () => {
          const actual = generationOf(full(path)) ?? '0';
          if (options.ifGeneration !== undefined && actual !== options.ifGeneration) {
            throw new ConflictError({
              operation: 'write',
              store: store.url,
              path,
              expectedGeneration: options.ifGeneration,
              actualGeneration: actual === '0' ? undefined : actual,
            });
          }
          renameSync(temporary, full(path));
        });
      } finally {
        rmSync(temporary, { force: true });
      }
    },
    readTextSync(path) {
      const file = full(path);
      const generation = generationOf(file);
      if (generation === undefined) return undefined;
      try {
        return { text: readFileSync(file, 'utf8'), generation, updated: statSync(file).mtime };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

/** Blocks the thread for `ms` milliseconds: the exit path has no event loop to wait on. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** {@link makeFolder}, synchronously (the exit path). */
function makeFolderSync(folder: string): void {
  try {
    mkdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(folder) === folder) throw error;
    makeFolderSync(dirname(folder));
    try {
      mkdirSync(folder);
    } catch (retry) {
      if ((retry as NodeJS.ErrnoException).code !== 'EEXIST') throw retry;
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

async function writeDurably(file: string, data: Uint8Array | ObjectChunks): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    if (data instanceof Uint8Array) await handle.write(data);
    else for await (const chunk of data) await handle.write(chunk);
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
