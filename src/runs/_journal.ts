/**
 * The local journal: where a run's last writes wait when its process ends before they could reach
 * the store (on GCS no synchronous upload exists, and an 'exit' handler runs only synchronous
 * code). One JSON file per ended run, written synchronously and renamed into place, holding the
 * appends with the keys the writer gave them and the final record. `uploadJournal()` (the next
 * `startRun` on that store, or `ml-tracking sync`) sends them under the same keys, so an upload
 * repeated after a crash or run twice at once lands each batch once, and removes a file only
 * after everything in it landed. Nothing in it is a credential: the store's URL (safe to print),
 * object paths and the run's own data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cacheFolder } from '../_cache-folder.js';

/** The environment variable that moves the journal (tests, read-only home folders). */
export const JOURNAL_FOLDER_VARIABLE = 'ML_TRACKING_JOURNAL_DIR';

/** One append as the writer would have sent it. */
export interface JournalAppend {
  path: string;
  /** The append key: the same key is applied once (see `Store.append`). */
  key: string;
  text: string;
}

/** What one ended run left to write. */
export interface JournalEntry {
  /** The store's URL, as `Store.url` gives it. */
  store: string;
  runId: string;
  /** In the order they must land (per object). */
  appends: JournalAppend[];
  /** The final record, written unless another writer closed the run meanwhile. */
  record?: { path: string; text: string };
}

/** A journal file as found on disk. */
export interface JournalFile {
  file: string;
  entry: JournalEntry;
}

/**
 * The journal folder: `$ML_TRACKING_JOURNAL_DIR`, else the user's cache folder
 * (`$XDG_CACHE_HOME`, `~/.cache`; `~/Library/Caches` on macOS; `%LOCALAPPDATA%` on Windows)
 * + `ml-tracking/journal`.
 */
export function journalFolder(env: Record<string, string | undefined> = process.env): string {
  const explicit = env[JOURNAL_FOLDER_VARIABLE];
  if (explicit !== undefined && explicit.trim() !== '') return resolve(explicit);
  return cacheFolder('journal', env);
}

/** The prefix of the journal files of one store. */
const storePrefix = (storeUrl: string): string =>
  createHash('sha256').update(storeUrl).digest('hex').slice(0, 16);

/**
 * Writes `entry` into the journal before returning: a temporary file, flushed to disk, then
 * renamed, so that a reader never finds half an entry. Readable by the user alone (it holds the
 * run's data).
 */
export function writeJournalEntry(entry: JournalEntry, folder = journalFolder()): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const name = `${storePrefix(entry.store)}-${entry.runId}-${randomBytes(4).toString('hex')}`;
  const temporary = join(folder, `${name}.tmp`);
  const file = join(folder, `${name}.json`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      const bytes = Buffer.from(JSON.stringify({ version: 1, ...entry }));
      for (let offset = 0; offset < bytes.length;) {
        offset += writeSync(fd, bytes, offset);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  return file;
}

/**
 * The journal files, of one store when `storeUrl` is given, oldest first by name within a run.
 * A file that is not an entry is reported in `unreadable` and left where it is.
 */
export async function readJournal(
  folder: string,
  storeUrl?: string,
): Promise<{ files: JournalFile[]; unreadable: { file: string; problem: string }[] }> {
  const names = await readdir(folder).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const prefix = storeUrl === undefined ? '' : `${storePrefix(storeUrl)}-`;
  const files: JournalFile[] = [];
  const unreadable: { file: string; problem: string }[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || !name.startsWith(prefix)) continue;
    const file = join(folder, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // Removed by an upload running at the same time: nothing left to do for it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const entry = parseEntry(text);
    if (entry === undefined) unreadable.push({ file, problem: 'not a journal entry' });
    else if (storeUrl === undefined || entry.store === storeUrl) files.push({ file, entry });
  }
  return { files, unreadable };
}

/** Removes a journal file once everything in it landed. */
export async function removeJournalFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

function parseEntry(text: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, store, runId, appends, record } = value as Record<string, unknown>;
  const isText = (item: unknown): item is string => typeof item === 'string';
  const isAppend = (item: unknown): item is JournalAppend =>
    typeof item === 'object' &&
    item !== null &&
    ['path', 'key', 'text'].every((field) => isText((item as Record<string, unknown>)[field]));
  const isRecord = (item: unknown): item is { path: string; text: string } =>
    typeof item === 'object' &&
    item !== null &&
    isText((item as Record<string, unknown>).path) &&
    isText((item as Record<string, unknown>).text);
  if (version !== 1 || !isText(store) || !isText(runId)) return undefined;
  if (!Array.isArray(appends) || !appends.every(isAppend)) return undefined;
  if (record !== undefined && !isRecord(record)) return undefined;
  return { store, runId, appends, ...(record !== undefined && { record }) };
}
