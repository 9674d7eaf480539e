// The runs page right after the dashboard restarts: it lists the runs of its cache at once (a
// listing of 100,000 runs takes seconds), says it is checking the store, and then, without a
// reload, shows what changed while it was down: a run started, a run ended, a run deleted. The
// store's listing is held back until the test has seen the cached list, so that the test does
// not depend on which comes first. On a local folder, with the cache in a folder of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openStore, startRun, type Store } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { startUiServer } from '../../src/ui/server/start-ui-server.js';
import { describeInBrowser, expectText } from '../support/browser.js';
import {
  attributeValues,
  expectNoProblems,
  newPage,
  requireBuiltAssets,
  useBrowser,
  visit,
} from './_ui-harness.js';

const names = (page: Page): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId('run-item'), 'data-run-id');

/** `store`, whose listings wait until `release()`. */
function heldListings(store: Store): { store: Store; release: () => void } {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'list') {
        return async (...args: Parameters<Store['list']>) => {
          await released;
          return target.list(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: held, release };
}

describeInBrowser('dashboard: the runs page after a restart', () => {
  const chromium = useBrowser();
  let root: string;
  let store: Store;
  const previousCacheHome = process.env.XDG_CACHE_HOME;

  beforeAll(async () => {
    requireBuiltAssets();
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-restart-'));
    process.env.XDG_CACHE_HOME = join(root, 'cache');
    store = await openStore(join(root, 'store'));
  });
  afterAll(async () => {
    if (previousCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousCacheHome;
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the cached runs at once, then what changed while it was down, without a reload', async () => {
    const kept = await startRun({ store, project: 'soil', name: 'kept', closeOnExit: false });
    await kept.finish();
    const deleted = await startRun({ store, project: 'soil', name: 'deleted', closeOnExit: false });
    await deleted.finish();
    const ending = await startRun({ store, project: 'soil', name: 'ending', closeOnExit: false });
    await ending.flush();

    // The first start reads every run and keeps them in its cache.
    const first = await startUiServer({ store, port: 0 });
    try {
      await expect
        .poll(async () => {
          const answer = await fetch(`${first.url.replace(/\/$/, '')}/api/runs`);
          return ((await answer.json()) as { checkedAt: string | null }).checkedAt;
        })
        .not.toBeNull();
    } finally {
      await first.close();
    }

    // While it is down: a run ends, one starts, one is deleted.
    await ending.finish();
    const started = await startRun({ store, project: 'soil', name: 'started', closeOnExit: false });
    await started.finish();
    await store.delete(runPath(deleted.id));

    const held = heldListings(store);
    const second = await startUiServer({ store: held.store, port: 0 });
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${second.url.replace(/\/$/, '')}/runs`, 'runs');
      await expect.poll(() => names(page)).toEqual([ending.id, deleted.id, kept.id]);
      await expectText(page.getByTestId('runs-checking'), /checking the store/);

      held.release();
      await expect.poll(() => names(page)).toEqual([started.id, ending.id, kept.id]);
      await expect.poll(() => page.getByTestId('runs-checking').count()).toBe(0);
      expectNoProblems(watched);
    } finally {
      held.release();
      await page.context().close();
      await second.close();
    }
  });
});
