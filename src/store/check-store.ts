import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MlTrackingError } from '../errors.js';
import type { Store } from './types.js';

/** One step of {@link checkStore} and how long it took. */
export interface StoreCheckStep {
  step: string;
  milliseconds: number;
}

/** What {@link checkStore} found. */
export interface StoreCheckReport {
  store: string;
  kind: string;
  steps: StoreCheckStep[];
}

/**
 * Proves a store works end to end — write, append twice, read back, list, conditional write,
 * delete — on a scratch object under `checks/`, which it removes afterwards. Use it to check
 * credentials and permissions before a long training run.
 */
export async function checkStore(store: Store): Promise<StoreCheckReport> {
  const path = `checks/${randomUUID()}.txt`;
  const steps: StoreCheckStep[] = [];
  const time = async <T>(step: string, action: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await action();
    steps.push({ step, milliseconds: performance.now() - start });
    return result;
  };
  const expect = (condition: boolean, what: string): void => {
    if (!condition) {
      throw new MlTrackingError(`Store check failed on ${store.url}: ${what}.`, {
        code: 'ERR_STORE_CHECK',
      });
    }
  };

  try {
    const written = await time('write', () => store.write(path, 'first line\n'));
    await time('append', () => store.append(path, 'second line\n'));
    const appended = await time('append', () => store.append(path, 'third line\n'));
    const text = await time('read', () => store.readText(path));
    expect(text === 'first line\nsecond line\nthird line\n', `read back ${JSON.stringify(text)}`);
    expect(appended.generation !== written.generation, 'the generation did not change on append');
    const page = await time('list', () => store.list('checks/'));
    expect(
      page.objects.some((object) => object.path === path),
      `${path} is missing from the listing`,
    );
    await time('conditional write', () =>
      store.write(path, 'replaced\n', { ifGeneration: appended.generation }),
    );
  } finally {
    await time('delete', () => store.delete(path));
  }
  return { store: store.url, kind: store.kind, steps };
}
