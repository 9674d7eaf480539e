import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MlTrackingError } from '../errors.js';
import { STORE_CHECKS_FOLDER, storeCheckPath } from '../layout/paths.js';
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
 *
 * When a step fails, that failure is the one thrown: the clean-up that follows is attempted
 * (the object may exist) but its own failure, likely the same problem again, is not reported
 * over the first. The clean-up is skipped when the first write never reached the store (the
 * connection was refused or the host was not found): there is nothing to remove, and deleting
 * would wait through the same retries again. (Only an earlier attempt whose answer was lost,
 * followed by refusals, could leave the scratch object behind.)
 *
 * @throws the first failure: a `StoreError` from the store, or an `MlTrackingError` with code
 *   `ERR_STORE_CHECK` when the store answered but wrongly.
 */
export async function checkStore(store: Store): Promise<StoreCheckReport> {
  const path = storeCheckPath(`${randomUUID()}.txt`);
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

  let wrote = false;
  let failure: { error: unknown } | undefined;
  try {
    const written = await time('write', () => store.write(path, 'first line\n'));
    wrote = true;
    await time('append', () => store.append(path, 'second line\n'));
    const appended = await time('append', () => store.append(path, 'third line\n'));
    const text = await time('read', () => store.readText(path));
    expect(text === 'first line\nsecond line\nthird line\n', `read back ${JSON.stringify(text)}`);
    expect(appended.generation !== written.generation, 'the generation did not change on append');
    const page = await time('list', () => store.list(STORE_CHECKS_FOLDER));
    expect(
      page.objects.some((object) => object.path === path),
      `${path} is missing from the listing`,
    );
    await time('conditional write', () =>
      store.write(path, 'replaced\n', { ifGeneration: appended.generation }),
    );
  } catch (error) {
    failure = { error };
  }

  if (wrote || failure === undefined || !neverReachedTheStore(failure.error)) {
    try {
      await time('delete', () => store.delete(path));
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
  return { store: store.url, kind: store.kind, steps };
}

/**
 * Network failures that happen before a request is sent: a refused connection, a host name
 * that does not resolve. Nothing reached the store, so nothing was written.
 */
const BEFORE_SENDING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether the failure (or one of its causes, as the drivers wrap them) is one of those. */
function neverReachedTheStore(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && BEFORE_SENDING.has(code)) return true;
  }
  return false;
}
