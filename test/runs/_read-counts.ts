/** A store wrapper that counts the run files read and the listing pages asked for through it. */
import type { Store } from '../../src/index.js';

export interface ReadCounts {
  store: Store;
  /** `readText`/`read` calls of files under `runs/`. */
  recordReads: () => number;
  /** `list` calls (pages) and `listAll` calls. */
  listings: () => number;
}

/** Wraps `store`; everything else passes through unchanged. */
export function countingReads(store: Store): ReadCounts {
  let reads = 0;
  let listings = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readText' || property === 'read') {
        return (path: string, ...rest: unknown[]) => {
          if (path.startsWith('runs/')) reads += 1;
          return (target[property] as (...args: unknown[]) => unknown).call(target, path, ...rest);
        };
      }
      if (property === 'list' || property === 'listAll') {
        return (...args: unknown[]) => {
          listings += 1;
          return (target[property] as (...args: unknown[]) => unknown).apply(target, args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: counted, recordReads: () => reads, listings: () => listings };
}
