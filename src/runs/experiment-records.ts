/**
 * The objects of `Experiment` classes in the store: a project's experiment tracker (a
 * `ModelTracker` file, rewritten whole by a compare-and-swap on its generation) and the files an
 * experiment run writes into its outputs folder. The only experiment code that touches store
 * paths; the paths themselves come from the data contract (`layout/paths.ts`).
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { experimentOutputsFolder, storeObjectUri } from '../layout/paths.js';
import type { ObjectData, ObjectInfo, Store } from '../store/types.js';

/** A tracker file as read: its text and the generation to compare-and-swap it at. */
export interface StoredTrackerFile {
  text: string;
  /** The generation the text was read at (or an older one: see {@link readTrackerFile}). */
  generation: string;
}

/**
 * Reads a tracker file; `undefined` when there is none (a new tracker is created with
 * generation `"0"`, create-only). The generation is taken before the text is read: if someone
 * writes in between, the text is newer than the generation and the next conditional write loses
 * (and is retried), where the other order could overwrite a row unseen.
 */
export async function readTrackerFile(
  store: Store,
  path: string,
): Promise<StoredTrackerFile | undefined> {
  for (;;) {
    const info = await store.stat(path);
    if (info === undefined) return undefined;
    try {
      return { text: await store.readText(path), generation: info.generation };
    } catch (error) {
      // Deleted between stat and read: look again rather than report a tracker that is gone.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}

/**
 * Writes a tracker file only if it is still at `ifGeneration` (`"0"`: only if absent).
 * @throws ConflictError when another writer got there first.
 */
export function writeTrackerFile(
  store: Store,
  path: string,
  text: string,
  ifGeneration: string,
): Promise<ObjectInfo> {
  const contentType = path.endsWith('.json') ? 'application/json' : 'text/csv';
  return store.write(path, text, { ifGeneration, contentType });
}

/** Whether `error` is a lost compare-and-swap, the one failure worth a re-read and retry. */
export const isTrackerConflict = (error: unknown): error is ConflictError =>
  error instanceof ConflictError;

/** Where an experiment run's files go: the folder in the store and its URI for people and tools. */
export interface ExperimentOutputsLocation {
  /** Store path of the folder, ending with `/`. */
  folder: string;
  /** `gs://…`, `file://…` or `memory://…` URI of the folder (what the tracker row records). */
  uri: string;
}

/** The outputs folder of one experiment run. */
export function experimentOutputsLocation(
  store: Store,
  project: string,
  modelName: string,
  runId: string,
): ExperimentOutputsLocation {
  const folder = experimentOutputsFolder(project, modelName, runId);
  return { folder, uri: storeObjectUri(store.url, folder) };
}

/**
 * Checks a file name given to `outputs.write()`: relative, `/`-separated, without `.`/`..`
 * segments, so a name can never leave the run's folder (also in a local temporary folder, which
 * the store's own path check does not guard).
 */
export function checkOutputName(name: unknown): string {
  const fix = 'Pass a relative file name such as "plots/loss.png" or "model.json".';
  if (typeof name !== 'string' || name === '') {
    throw new ValidationError('name', 'the output file name is missing', fix);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
  if (/[\u0000-\u001f\u007f\\]/.test(name) || name.startsWith('/')) {
    throw new ValidationError(
      'name',
      `${JSON.stringify(name)} is absolute or has a backslash or control character`,
      fix,
    );
  }
  if (name.split('/').some((segment) => segment === '' || segment.startsWith('.'))) {
    throw new ValidationError(
      'name',
      `${JSON.stringify(name)} has an empty segment or one that starts with "."`,
      fix,
    );
  }
  return name;
}

/** Writes one file of an experiment run into its outputs folder. */
export function writeExperimentOutput(
  store: Store,
  location: ExperimentOutputsLocation,
  name: string,
  data: ObjectData,
): Promise<ObjectInfo> {
  return store.write(`${location.folder}${checkOutputName(name)}`, data);
}
