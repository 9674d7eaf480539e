/**
 * A store that reading commands require to be there: a local folder that does not exist is a
 * mistyped path far more often than an empty store, so it is an error rather than "No runs.".
 * Other stores are taken as they are: a bucket's folder has no existence of its own (an empty one
 * is an empty store), and a missing bucket fails the first read with its own message.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../errors.js';
import type { Store } from './types.js';

/** @throws NotFoundError when `store` is a local folder that does not exist. */
export async function requireExistingStore(store: Store): Promise<void> {
  if (!store.url.startsWith('file:')) return;
  const folder = fileURLToPath(store.url);
  const found = await stat(folder).catch(() => undefined);
  if (found?.isDirectory() === true) return;
  throw new NotFoundError({
    operation: 'open store',
    store: store.url,
    path: '',
    message: `No store at ${folder}: ${found === undefined ? 'the folder does not exist' : 'it is a file, not a folder'}.`,
    hint: 'Check --store (or ML_TRACKING_STORE). A store is made by the first thing recorded into it, e.g. `ml-tracking demo`.',
  });
}
