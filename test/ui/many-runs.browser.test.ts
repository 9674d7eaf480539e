// More runs than the Runs tab lists at once (it asks for 100 at a time): "Load more" brings the
// rest without repeating any, a text filter searches all of them, and a selected run that the
// first page does not hold still gets its chart after a reload. On a memory store, where
// logging 130 runs takes a moment.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openStore, startRun, type Store } from '../../src/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import { describeInBrowser, expectTextContaining } from '../support/browser.js';
import {
  attributeValues,
  expectNoProblems,
  newPage,
  readyPage,
  requireBuiltAssets,
  useBrowser,
  visit,
} from './_ui-harness.js';

const RUNS = 130;
const name = (index: number): string => `sample-${String(index).padStart(3, '0')}`;

const listed = (page: Page): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId('run-item'), 'data-run-id');

describeInBrowser('dashboard: more runs than one page of the list', () => {
  const chromium = useBrowser();
  let store: Store;
  let server: UiServer;
  let base: string;
  /** Run ids, oldest first. */
  const ids: string[] = [];

  beforeAll(async () => {
    requireBuiltAssets();
    store = await openStore(`memory://ui-many-runs-${randomUUID()}`);
    for (let index = 0; index < RUNS; index++) {
      const run = await startRun({
        store,
        project: index % 2 === 0 ? 'even' : 'odd',
        name: name(index),
        hyperparameters: { index },
        closeOnExit: false,
      });
      for (let step = 0; step < 3; step++) run.addScalar('loss', index + step, step);
      await run.finish();
      ids.push(run.id);
    }
    server = await startUiServer({ store, port: 0 });
    base = server.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('lists 100, then the rest on "Load more", each run once', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${base}/runs`, 'runs');
      // Newest first: the 30 oldest are not on the first page.
      await expect.poll(() => listed(page)).toEqual([...ids].reverse().slice(0, 100));
      await page.getByTestId('load-more').click();
      await expect.poll(() => listed(page)).toEqual([...ids].reverse());
      // Gone in the render that listed the last run.
      expect(await page.getByTestId('load-more').count()).toBe(0);

      // The filter searches every run, not only those loaded.
      await page.getByTestId('run-filter-text').fill(name(7));
      await expect.poll(() => listed(page)).toEqual([ids[7]]);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('charts a selected run that the first page of the list does not hold', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      const oldest = ids[0]!;
      const newest = ids[RUNS - 1]!;
      await visit(page, `${base}/runs?select=${newest},${oldest}`, 'runs');
      const chart = page.locator('[data-testid="chart"][data-tag="loss"][data-state="drawn"]');
      await chart.waitFor();
      await expect.poll(() => chart.getAttribute('data-series')).toBe('2');
      // Their names, not only their ids, in the legend: the newest's comes with the list, the
      // oldest's by a request of its own after the chart's data; either may arrive first.
      await expectTextContaining(chart, [name(0), name(RUNS - 1)]);
      await readyPage(page, 'runs');
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
