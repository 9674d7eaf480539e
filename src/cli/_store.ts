import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

/** Opens the store named by `--store` (or the default), runs `action`, and always closes it. */
export async function withStore<T>(
  url: string | undefined,
  action: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(url);
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}
