/**
 * The run files of a store, cached in the user's cache folder (never in the store): one file per
 * store, named by a hash of the store's URL, holding each run's file bytes with the generation
 * they were read at. Whoever reads runs lists `runs/` anyway; with this cache it reads only the
 * files whose generation differs from the cached one, so a dashboard restarted over 100,000 runs
 * on a bucket makes one listing and a handful of reads instead of 100,000 reads.
 *
 * Never trusted blindly: a file of another format, another store or with a wrong digest is
 * ignored (and rebuilt by the next save); an entry is used only while the store lists its run at
 * the same generation. It is written to a temporary file and renamed, so a reader finds a whole
 * file or none, and it is readable by the user alone (it holds the runs' hyperparameters).
 *
 * Layout: a JSON header line, then `rowsBytes` of JSON rows `[id, generation, updatedMs, project,
 * sweepId|null, byteLength, searchBytes]` (newest run first), then each run's file bytes and
 * search text in row order. Rows are parsed at load (a few strings each: JSON.parse of 100,000
 * rows with their search texts took a quarter of a second); bytes stay one buffer that records
 * and search texts are decoded from on first use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheFolder } from '../_cache-folder.js';
import { RunFile } from './run-file.js';

/** Bump when a row's fields or how they are derived from a record (e.g. the search text) change. */
const FORMAT_VERSION = 2;
const FORMAT = 'ml-tracking run files cache';
/** Cache files of other stores untouched this long are removed when one is saved. */
const UNUSED_FOR_MS = 30 * 86_400_000;

type Row = [string, string, number, string, string | null, number, number];

interface Header {
  format: string;
  version: number;
  store: string;
  runs: number;
  rowsBytes: number;
  textBytes: number;
  sha256: string;
}

/**
 * How far a saved cache may lag behind, as a share of its runs: a restart then reads at most one
 * run in a thousand more than it must, and a store of 100,000 runs whose few running runs change
 * at every heartbeat is not rewritten (100 MB) at every refresh, while a small one always is.
 */
const LAG_SHARE = 1 / 1000;

/**
 * Whether a cache of `runs` runs is worth writing after `changed` runs were read or removed
 * since it was last saved (or loaded); always, when there is none yet and there are runs.
 */
export function worthSaving(changed: number, runs: number, saved: boolean): boolean {
  return changed > 0 && (!saved || changed >= runs * LAG_SHARE);
}

/** The folder of run file caches: `<cache folder>/ml-tracking/run-index`. */
export function runFilesCacheFolder(env: Record<string, string | undefined> = process.env): string {
  return cacheFolder('run-index', env);
}

/** The cache file of the store at `storeUrl` in `folder`. */
export function runFilesCachePath(storeUrl: string, folder = runFilesCacheFolder()): string {
  const hash = createHash('sha256').update(storeUrl).digest('hex').slice(0, 32);
  return join(folder, `${hash}.cache`);
}

/**
 * The cached run files of `storeUrl` by run id, or `undefined` when `path` is missing,
 * unreadable, of another format or store, or does not match its digest.
 */
export async function loadRunFilesCache(
  path: string,
  storeUrl: string,
): Promise<Map<string, RunFile> | undefined> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch {
    return undefined;
  }
  const newline = buffer.indexOf(0x0a);
  if (newline < 0 || newline > 64 * 1024) return undefined;
  const header = parseJson(buffer.toString('utf8', 0, newline));
  if (!isHeader(header) || header.store !== storeUrl) return undefined;
  const bodyStart = newline + 1;
  if (buffer.length !== bodyStart + header.rowsBytes + header.textBytes) return undefined;
  const body = buffer.subarray(bodyStart);
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) return undefined;
  const rows = parseJson(body.toString('utf8', 0, header.rowsBytes));
  if (!Array.isArray(rows) || rows.length !== header.runs) return undefined;
  const files = new Map<string, RunFile>();
  let offset = header.rowsBytes;
  for (const row of rows) {
    if (!isRow(row)) return undefined;
    const [id, generation, updatedMs, project, sweepId, byteLength, searchBytes] = row;
    if (offset + byteLength + searchBytes > body.length) return undefined;
    const bytes = body.subarray(offset, (offset += byteLength));
    const search = body.subarray(offset, (offset += searchBytes));
    files.set(
      id,
      new RunFile(id, generation, updatedMs, project, sweepId ?? undefined, search, bytes),
    );
  }
  return offset === body.length ? files : undefined;
}

/**
 * Writes `files` as the cache of `storeUrl` at `path`: a temporary file, flushed, then renamed;
 * readable by the user alone. Then removes caches of other stores unused for 30 days.
 */
export async function saveRunFilesCache(
  path: string,
  storeUrl: string,
  files: Iterable<RunFile>,
): Promise<void> {
  const folder = join(path, '..');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const rows: Row[] = [];
  const texts: Uint8Array[] = [];
  let textBytes = 0;
  for (const file of files) {
    const search = Buffer.from(file.searchText);
    rows.push([
      file.id,
      file.generation,
      file.updated.getTime(),
      file.project,
      file.sweepId ?? null,
      file.bytes.byteLength,
      search.byteLength,
    ]);
    texts.push(file.bytes, search);
    textBytes += file.bytes.byteLength + search.byteLength;
  }
  const rowsBuffer = Buffer.from(JSON.stringify(rows));
  const digest = createHash('sha256').update(rowsBuffer);
  for (const text of texts) digest.update(text);
  const header: Header = {
    format: FORMAT,
    version: FORMAT_VERSION,
    store: storeUrl,
    runs: rows.length,
    rowsBytes: rowsBuffer.byteLength,
    textBytes,
    sha256: digest.digest('hex'),
  };
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.write(`${JSON.stringify(header)}\n`);
      await handle.write(rowsBuffer);
      // Batches: one writev of 100,000 buffers exceeds the system's limit on vectors.
      for (let at = 0; at < texts.length; at += 1024) {
        await handle.writev(texts.slice(at, at + 1024));
      }
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  await removeUnused(folder, path);
}

/** Caches of stores nobody has opened for a while (temporary folders, old buckets). */
async function removeUnused(folder: string, keep: string): Promise<void> {
  const before = Date.now() - UNUSED_FOR_MS;
  for (const name of await readdir(folder).catch(() => [])) {
    const file = join(folder, name);
    if (file === keep) continue;
    const info = await stat(file).catch(() => undefined);
    if (info !== undefined && info.mtimeMs < before) await rm(file, { force: true });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): value is Header {
  if (typeof value !== 'object' || value === null) return false;
  const header = value as Partial<Header>;
  return (
    header.format === FORMAT &&
    header.version === FORMAT_VERSION &&
    typeof header.store === 'string' &&
    isCount(header.runs) &&
    isCount(header.rowsBytes) &&
    isCount(header.textBytes) &&
    typeof header.sha256 === 'string'
  );
}

function isRow(value: unknown): value is Row {
  return (
    Array.isArray(value) &&
    value.length === 7 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'number' &&
    typeof value[3] === 'string' &&
    (value[4] === null || typeof value[4] === 'string') &&
    isCount(value[5]) &&
    isCount(value[6])
  );
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
