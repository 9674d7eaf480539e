/**
 * A local copy of a bucket's table folders, for the engine to read. DuckDB's own GCS reader
 * downloads an extension at first use, which locked-down machines cannot reach; the store driver
 * reads with the credentials the rest of ml-tracking uses. The copy lives in the user's cache
 * folder, with the generation of every file it holds, so a second query downloads only what
 * changed since the first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import lockfile from 'proper-lockfile';
import { cacheFolder } from '../_cache-folder.js';
import { isMlTrackingError } from '../errors.js';
import type { Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { isTableFile } from './_table-files.js';

/** What {@link mirrorTables} copied. */
export interface Mirror {
  /** The local folder that stands for the store's root. */
  root: string;
  /** The table files of the folders asked for, as store paths. */
  paths: string[];
  /** Files downloaded by this call (the others were current already). */
  downloaded: number;
}

// Downloads at once: enough to hide a bucket's round trips.
const DOWNLOADS_AT_ONCE = 8;
const MANIFEST = '.generations.json';

/** The mirror folder of a store: one per store URL, under the user's cache folder. */
export function mirrorFolder(storeUrl: string, env?: Record<string, string | undefined>): string {
  const key = createHash('sha256').update(storeUrl).digest('hex').slice(0, 24);
  return join(cacheFolder('query-mirror', env), key);
}

/**
 * Brings the mirror of `folders` up to date with the store: downloads files whose generation
 * changed (each to a temporary name, then renamed, so a file is never half there), removes those
 * the store no longer has. Processes that mirror one store at once take turns.
 */
export async function mirrorTables(
  store: Store,
  folders: readonly string[],
  root: string,
): Promise<Mirror> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(root, {
    realpath: false,
    stale: 30_000,
    update: 5_000,
    retries: { retries: 600, factor: 1.2, minTimeout: 20, maxTimeout: 500 },
  });
  try {
    const manifestPath = join(root, MANIFEST);
    const known = await readManifest(manifestPath);
    const listed: { path: string; generation: string }[] = [];
    for (const folder of folders) {
      for await (const object of store.listAll(folder)) {
        if (isTableFile(folder, object.path)) listed.push(object);
      }
    }
    const stale = await Promise.all(
      listed.map(async (object) =>
        known[object.path] === object.generation &&
        (await stat(join(root, object.path)).catch(() => undefined)) !== undefined
          ? undefined
          : object,
      ),
    );
    const downloads = stale.filter((object) => object !== undefined);
    // Folders not listed this time keep their files: a query of the experiments leaves the runs
    // mirrored for the next query of the runs.
    const listedNow = (path: string) => folders.some((folder) => path.startsWith(folder));
    const current: Record<string, string> = Object.fromEntries(
      Object.entries(known).filter(([path]) => !listedNow(path)),
    );
    for (const object of listed) {
      if (known[object.path] === object.generation) current[object.path] = object.generation;
    }
    const vanished = new Set<string>();
    await mapConcurrently(downloads, DOWNLOADS_AT_ONCE, async (object) => {
      // Deleted between the listing and the read (`ml-tracking gc`): as if never listed.
      if (await download(store, object.path, join(root, object.path))) {
        current[object.path] = object.generation;
      } else vanished.add(object.path);
    });
    const kept = new Set(listed.map((object) => object.path).filter((path) => !vanished.has(path)));
    for (const path of [...Object.keys(known), ...vanished]) {
      if (listedNow(path) && !kept.has(path)) await rm(join(root, path), { force: true });
    }
    const temporary = `${manifestPath}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(current));
    await rename(temporary, manifestPath);
    return { root, paths: [...kept], downloaded: downloads.length };
  } finally {
    await release();
  }
}

async function readManifest(path: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    // None yet, or cut short by a crash: everything is downloaded again.
    return {};
  }
}

/**
 * Streams one object to `file`, through a temporary name in the same folder; `false` when the
 * object is gone.
 */
async function download(store: Store, path: string, file: string): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await pipeline(await store.readStream(path), createWriteStream(temporary, { mode: 0o600 }));
    await rename(temporary, file);
    return true;
  } catch (error) {
    await rm(temporary, { force: true });
    if (isMlTrackingError(error, 'ERR_NOT_FOUND')) return false;
    throw error;
  }
}
