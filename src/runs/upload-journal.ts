/**
 * `uploadJournal()`: sends what ended runs left in the local journal (see `_journal.ts`) to their
 * stores. `startRun` calls it in the background for its store; `ml-tracking sync` calls it for
 * one store or all.
 */
import { StoreError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { journalFolder, readJournal, removeJournalFile, type JournalEntry } from './_journal.js';
import { decodeRunRecord } from './run-record.js';

/** Options of {@link uploadJournal}. */
export interface UploadJournalOptions {
  /** Only the entries of this store (a URL or an opened store). @default every store named */
  store?: string | Store;
  /** @default `$ML_TRACKING_JOURNAL_DIR`, else the user's cache folder + `ml-tracking/journal` */
  folder?: string;
  /** Base folder of a relative store path. @default process.cwd() */
  cwd?: string;
}

/** What {@link uploadJournal} did. */
export interface JournalUploadReport {
  /** Entries that landed and were removed from the journal. */
  uploaded: { store: string; runId: string; appends: number; recordWritten: boolean }[];
  /** Entries kept for a later upload, with why. */
  failed: { store: string; runId: string; file: string; error: string }[];
  /** Files in the journal folder that are not entries; left alone. */
  unreadable: { file: string; problem: string }[];
}

/**
 * Uploads the journal's entries, each exactly once: the appends go under the keys their writer
 * gave them (a key that landed already is not applied again, see `Store.append`), the final
 * record replaces the stored one only while that still says `running`, and an entry is removed
 * only after all of it landed. Uploads that run at once, or again after one was killed, add
 * nothing twice.
 */
export async function uploadJournal(
  options: UploadJournalOptions = {},
): Promise<JournalUploadReport> {
  const given =
    typeof options.store === 'string'
      ? await openStore(options.store, options.cwd === undefined ? {} : { cwd: options.cwd })
      : options.store;
  const report: JournalUploadReport = { uploaded: [], failed: [], unreadable: [] };
  try {
    const { files, unreadable } = await readJournal(options.folder ?? journalFolder(), given?.url);
    report.unreadable = unreadable;
    const byStore = new Map<string, typeof files>();
    for (const file of files)
      byStore.set(file.entry.store, [...(byStore.get(file.entry.store) ?? []), file]);
    for (const [url, entries] of byStore) {
      let store = given;
      try {
        store ??= await openStore(url);
      } catch (error) {
        for (const { file, entry } of entries) report.failed.push(failure(file, entry, error));
        continue;
      }
      try {
        for (const { file, entry } of entries) {
          try {
            const recordWritten = await land(store, entry);
            await removeJournalFile(file);
            report.uploaded.push({
              store: url,
              runId: entry.runId,
              appends: entry.appends.length,
              recordWritten,
            });
          } catch (error) {
            report.failed.push(failure(file, entry, error));
          }
        }
      } finally {
        if (store !== given) await store.close();
      }
    }
  } finally {
    if (typeof options.store === 'string') await given?.close();
  }
  return report;
}

/** Sends one entry; resolves whether the record was written (not closed by another writer). */
async function land(store: Store, entry: JournalEntry): Promise<boolean> {
  for (const append of entry.appends) {
    await store.append(append.path, append.text, { key: append.key });
  }
  if (entry.record === undefined) return false;
  const { path, text } = entry.record;
  // Compare-and-swap on what was read: a concurrent upload of the same entry, or a writer that
  // closes the run in between, makes this round read again.
  for (let round = 0; round < 5; round += 1) {
    const current = await readTextIfExists(store, path);
    // Closed already: by an earlier upload of this entry, or by another writer (never reopened).
    const stored = current && decodeRunRecord(current.text);
    if (stored !== undefined && stored.status !== 'running') return false;
    if ((await writeIfGeneration(store, path, text, current?.generation ?? '0')) !== undefined) {
      return true;
    }
  }
  throw new StoreError(
    `Cannot write the final record ${path} in ${store.url}: it changed on every attempt. Run ml-tracking sync again.`,
    { operation: 'write', store: store.url, path },
  );
}

function failure(file: string, entry: JournalEntry, error: unknown) {
  return {
    store: entry.store,
    runId: entry.runId,
    file,
    error: error instanceof Error ? error.message : String(error),
  };
}
