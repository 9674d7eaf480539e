/**
 * A sweep's progress records (`sweep-files/<sweep>/progress/<trial>.json`) read for the people who
 * look at a sweep (`getSweep`, the dashboard's sweep page), not for the agents. The agents' reader
 * (`readSweepProgress` in `sweep-progress.ts`) leaves a bad record out without a word, since a
 * decision is taken either way; here such a record is named to `onSkipped`, as every reader of a
 * listing names the files it left out. A reader that keeps what it read (the dashboard, polling a
 * live sweep) reads again only the records whose generation changed: a poll of a sweep where
 * nothing moved costs the listing alone.
 */
import { progressFolder } from '../layout/paths.js';
import { CorruptFileError, problemOf, type SkippedFile } from '../skipped-files.js';
import { readIfExists } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import type { TrialProgress } from './sweep-progress.js';

/** One progress record file as read at a generation: its record, or why it was left out. */
export type ProgressFile =
  { generation: string; progress: TrialProgress } | { generation: string; skipped: SkippedFile };

/** A sweep's progress record files by path. */
export type ProgressFiles = ReadonlyMap<string, ProgressFile>;

// As many reads in flight as the agents use for the same records.
const READ_CONCURRENCY = 16;

/**
 * `known` brought up to date with the store: one listing of the sweep's progress folder, then a
 * read of each record that is new or was rewritten since (16 at a time). A record that vanished
 * between the listing and its read is dropped (its trial is being taken over); one that holds no
 * progress record is kept as skipped, and not read again until it changes.
 */
export async function syncTrialProgress(
  store: Store,
  sweepId: string,
  known: ProgressFiles = new Map(),
): Promise<Map<string, ProgressFile>> {
  const files = new Map<string, ProgressFile>();
  const changed: { path: string; generation: string }[] = [];
  // Only `.json` objects, as the agents read them: anything else in the folder is not theirs.
  for await (const { path, generation } of store.listAll(progressFolder(sweepId))) {
    if (!path.endsWith('.json')) continue;
    const seen = known.get(path);
    if (seen?.generation === generation) files.set(path, seen);
    else changed.push({ path, generation });
  }
  await mapConcurrently(changed, READ_CONCURRENCY, async ({ path, generation }) => {
    try {
      // Labelled with the listed generation even if the read found a newer one: the next sync
      // reads it once more, where the opposite could keep stale values for good.
      const progress = await readCheckedTrialProgress(store, path);
      if (progress !== undefined) files.set(path, { generation, progress });
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      files.set(path, { generation, skipped: error.skipped });
    }
  });
  return files;
}

/**
 * Every readable progress record of a sweep: one listing and one read per record. Records that
 * cannot be read are left out and named to `onSkipped`.
 */
export async function readTrialProgress(
  store: Store,
  sweepId: string,
  onSkipped?: (skipped: SkippedFile) => void,
): Promise<TrialProgress[]> {
  const records: TrialProgress[] = [];
  for (const file of (await syncTrialProgress(store, sweepId)).values()) {
    if ('progress' in file) records.push(file.progress);
    else onSkipped?.(file.skipped);
  }
  return records;
}

/**
 * One progress record, checked to be one; `undefined` when the file does not exist.
 * @throws CorruptFileError when it is not JSON, or JSON without a trial's number, run id, values,
 * steps and state (a file of another kind dropped into the folder).
 */
export async function readCheckedTrialProgress(
  store: Store,
  path: string,
): Promise<TrialProgress | undefined> {
  const bytes = await readIfExists(store, path);
  if (bytes === undefined) return undefined;
  const corrupt = (problem: string, cause?: unknown) =>
    new CorruptFileError({ store: store.url, path, problem, cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw corrupt(`it is not valid JSON (${problemOf(error)})`, error);
  }
  if (!isTrialProgress(parsed)) {
    throw corrupt(
      "it is JSON but not a trial's progress record (trial, runId, values, steps, state)",
    );
  }
  return parsed;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Only the fields a reader relies on: the agents may add others (never rename), and an older
// record without them is still one.
function isTrialProgress(value: unknown): value is TrialProgress {
  return (
    isObject(value) &&
    Number.isSafeInteger(value.trial) &&
    (value.trial as number) >= 0 &&
    typeof value.runId === 'string' &&
    isObject(value.values) &&
    isObject(value.steps) &&
    Object.values(value.steps).every((each) => typeof each === 'number') &&
    (value.state === 'running' || value.state === 'ended') &&
    (value.best === undefined || typeof value.best === 'number')
  );
}
