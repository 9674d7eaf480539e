/**
 * The objects of `Experiment` classes in the store: a project's experiment tracker (a
 * `ModelTracker` file, rewritten whole by a keyed compare-and-swap on its generation) and the files an
 * experiment run writes into its outputs folder. The only experiment code that touches store
 * paths; the paths themselves come from the data contract (`layout/paths.ts`).
 */
import { commitKeyed, type KeyedCommitOptions, type KeyedCommitResult } from './keyed-commit.js';
import { ValidationError } from '../errors.js';
import { experimentOutputsFolder, storeObjectUri } from '../layout/paths.js';
import type { ObjectData, ObjectInfo, Store } from '../store/types.js';

const trackerContentType = (path: string): string =>
  path.endsWith('.json') ? 'application/json' : 'text/csv';

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
  return store.write(path, text, { ifGeneration, contentType: trackerContentType(path) });
}

/**
 * Changes a tracker file by a keyed commit (see `records/keyed-commit.ts`): `hasKey` finds
 * the writer's own row (its run id), so a retry after a lost answer never adds the row twice.
 */
export function commitTrackerFile<Value>(
  store: Store,
  path: string,
  change: Pick<KeyedCommitOptions<Value>, 'hasKey' | 'apply'>,
): Promise<KeyedCommitResult<Value>> {
  return commitKeyed(store, path, { ...change, contentType: trackerContentType(path) });
}

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
