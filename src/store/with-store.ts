import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './types.js';

/**
 * Runs `action` on a store given as a URL (opened here and closed afterwards) or as an opened
 * store (left open: it belongs to the caller), the way every public function takes `store`.
 */
export async function withStore<T>(
  store: string | Store | undefined,
  action: (opened: Store) => Promise<T>,
  options: OpenStoreOptions = {},
): Promise<T> {
  if (typeof store === 'object') return action(store);
  const opened = await openStore(store, options);
  try {
    return await action(opened);
  } finally {
    await opened.close();
  }
}
