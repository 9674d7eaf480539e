// The Sweeps tab in headless Chromium, as a person uses it: the list, then one sweep of 25 trials
// (some stopped early): its configuration, the trials table paged 20 at a time and sorted by the
// best value, the metric chart of the page's trials, and the parallel-coordinates chart.
import { beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { SweepDetail } from '../../src/ui/api.js';
import {
  describeInBrowser,
  eventually,
  expectAttribute,
  expectCount,
  expectText,
  expectTextContaining,
  takeScreenshot,
} from '../support/browser.js';
import {
  asNumbers,
  attributeValues,
  columnCells,
  expectNoProblems,
  newPage,
  numberAttribute,
  readyPage,
  requireBuiltAssets,
  scrollToShow,
  useBrowser,
  useSeededUi,
  visit,
} from './_ui-harness.js';

/**
 * How much of `locator`'s box its ancestors let be seen where it is, without scrolling any of
 * them: the part inside every ancestor that clips its content (overflow other than visible),
 * over its whole area.
 */
const unclippedFraction = (locator: Locator): Promise<number> =>
  locator.evaluate((element) => {
    interface Box {
      left: number;
      top: number;
      right: number;
      bottom: number;
    }
    interface Node {
      parentElement: Node | null;
      getBoundingClientRect(): Box;
    }
    const window = globalThis as unknown as {
      getComputedStyle(node: Node): { overflowX: string; overflowY: string };
    };
    const own = (element as unknown as Node).getBoundingClientRect();
    const visible: Box = { left: own.left, top: own.top, right: own.right, bottom: own.bottom };
    const clip = (box: Box): void => {
      visible.left = Math.max(visible.left, box.left);
      visible.top = Math.max(visible.top, box.top);
      visible.right = Math.min(visible.right, box.right);
      visible.bottom = Math.min(visible.bottom, box.bottom);
    };
    let parent = (element as unknown as Node).parentElement;
    for (; parent !== null; parent = parent.parentElement) {
      const style = window.getComputedStyle(parent);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        clip(parent.getBoundingClientRect());
      }
    }
    const area = (box: Box): number =>
      Math.max(0, box.right - box.left) * Math.max(0, box.bottom - box.top);
    return area(own) === 0 ? 0 : Math.round((area(visible) / area(own)) * 100) / 100;
  });

const trialNumbers = async (page: Page): Promise<number[]> =>
  (await attributeValues(page.getByTestId('trial-row'), 'data-trial')).map(Number);

/** The trials of the table once it shows `count` rows: a page of trials to compute with. */
const trialsShown = (page: Page, count: number): Promise<number[]> =>
  eventually(async () => {
    const trials = await trialNumbers(page);
    expect(trials).toHaveLength(count);
    return trials;
  });

describeInBrowser('dashboard: sweeps', () => {
  const ui = useSeededUi('local', { sweepTrials: 25 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('lists the sweep and opens it: configuration, trials, charts', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { sweep } = ui.seeded;
    try {
      const list = await visit(page, `${ui.base}/sweeps`, 'sweeps');
      await expectAttribute(page.getByTestId('tab-sweeps'), 'aria-current', 'page');
      await expect
        .poll(() => attributeValues(list.getByTestId('sweep-row'), 'data-sweep-id'))
        .toEqual([sweep.id]);
      await expectTextContaining(list.getByTestId('sweep-row'), [sweep.project, '25 / 25']);
      await takeScreenshot(page, 'sweeps');

      await list.getByRole('link', { name: sweep.id }).click();
      await readyPage(page, 'sweep');
      expect(new URL(page.url()).pathname).toBe(`/sweeps/${sweep.id}`);

      await expectTextContaining(page.getByTestId('sweep-config'), [
        'random',
        'accuracy',
        '25 trials',
        'lr',
        'layers',
        /patience\D*3/,
      ]);

      await expectCount(page.getByTestId('trial-row'), 20);
      await expectText(page.getByTestId('page-info'), /^1\D+20 of 25$/);
      await expect.poll(() => page.getByTestId('page-prev').isDisabled()).toBe(true);

      // The metric chart holds this page's trials, early-stopped ones among them by name.
      const chart = page.getByTestId('sweep-chart');
      await chart.and(page.locator('[data-state="drawn"]')).waitFor({ timeout: 10_000 });
      await expectAttribute(chart, 'data-series', '20');
      const onPage = await trialsShown(page, 20);
      const stoppedHere = sweep.earlyStopped.filter((trial) => onPage.includes(trial));
      expect(stoppedHere.length).toBeGreaterThan(0);
      await expectTextContaining(
        chart.locator('.u-legend'),
        stoppedHere.map((trial) => `trial ${trial} (early stopped)`),
      );
      for (const trial of stoppedHere) {
        await expectText(
          page.locator(`[data-testid="trial-row"][data-trial="${trial}"]`),
          /early.stopped/i,
        );
      }

      const parallel = page.getByTestId('parallel-coordinates');
      await parallel.and(page.locator('[data-state="drawn"]')).waitFor({ timeout: 15_000 });
      // One line per trial (25) plus the axes.
      await expect.poll(() => parallel.locator('svg path').count()).toBeGreaterThanOrEqual(25);
      // The screenshot shows the charts, the part of the page no table can.
      await scrollToShow(page, chart);
      await takeScreenshot(page, 'sweep');
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it("shows every trial of the page in the metric chart's legend, none clipped (issue 22)", async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { sweep } = ui.seeded;
    try {
      await page.setViewportSize({ width: 1024, height: 800 });
      await visit(page, `${ui.base}/sweeps/${sweep.id}`, 'sweep');
      const onPage = await trialsShown(page, 20);
      const chart = page.getByTestId('sweep-chart');
      await expectAttribute(chart, 'data-series', '20');
      // One legend entry per trial, each shown in full where it is: a row cut off by the
      // legend's height hid its trials (a window 1024 px wide wraps the legend onto 5 rows).
      const entries = chart.locator('.u-legend .u-series').filter({ hasText: /trial \d+/ });
      await expectCount(entries, 20);
      const labels = await entries.locator('.u-label').allInnerTexts();
      expect(
        labels.map((label) => Number(/trial (\d+)/.exec(label)?.[1])).sort((a, b) => a - b),
      ).toEqual([...onPage].sort((a, b) => a - b));
      for (const entry of await entries.all()) {
        const label = await entry.innerText();
        await expect.poll(() => unclippedFraction(entry), { message: label }).toBe(1);
      }
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('pages through the trials and sorts them by their best value', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { sweep } = ui.seeded;
    try {
      await visit(page, `${ui.base}/sweeps/${sweep.id}`, 'sweep');
      const first = await trialsShown(page, 20);

      await page.getByTestId('page-next').click();
      await expectText(page.getByTestId('page-info'), /^21\D+25 of 25$/);
      await readyPage(page, 'sweep');
      // The first page's rows stay on screen until the second page's arrive.
      const second = await trialsShown(page, 5);
      expect(second.filter((trial) => first.includes(trial))).toEqual([]);
      expect([...first, ...second].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, index) => index),
      );
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      await expect.poll(() => page.getByTestId('page-next').isDisabled()).toBe(true);
      const chart = page.getByTestId('sweep-chart');
      await expectAttribute(chart, 'data-series', '5');

      // Back to page 1 with the browser's back button.
      await page.goBack();
      await expectText(page.getByTestId('page-info'), /^1\D+20 of 25$/);

      await page.getByTestId('sort-best').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('best');
      expect(new URL(page.url()).searchParams.get('order')).toBe('desc');
      await readyPage(page, 'sweep');
      const api = (await (
        await page.request.get(`${ui.base}/api/sweeps/${sweep.id}?limit=100`)
      ).json()) as SweepDetail;
      const bests = api.trials
        .map((trial) => trial.best ?? Number.NEGATIVE_INFINITY)
        .sort((a, b) => b - a);
      const table = page.getByTestId('trials-table');
      await expect
        .poll(async () => asNumbers(await columnCells(table, 'sort-best')))
        .toEqual(bests.slice(0, 20).map((value) => Number(value.toPrecision(4))));
      const topTrial = api.trials.reduce((best, trial) =>
        (trial.best ?? -1) > (best.best ?? -1) ? trial : best,
      );
      await expect.poll(async () => (await trialNumbers(page))[0]).toBe(topTrial.trial);

      await page.getByTestId('sort-best').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('order')).toBe('asc');
      await expect
        .poll(async () => asNumbers(await columnCells(table, 'sort-best')))
        .toEqual(
          [...bests]
            .reverse()
            .slice(0, 20)
            .map((value) => Number(value.toPrecision(4))),
        );
      // The chart follows the page it shows.
      await expectAttribute(chart, 'data-series', '20');
      await expect.poll(() => numberAttribute(chart, 'data-points')).toBeGreaterThan(0);

      // A trial's run page leads back to its sweep; Back returns to the sorted table (shown in
      // that order by the poll of its cells above).
      const [firstTrial] = await trialsShown(page, 20);
      const url = page.url();
      await page
        .locator(`[data-testid="trial-row"][data-trial="${firstTrial}"]`)
        .getByRole('link')
        .click();
      const run = await readyPage(page, 'run');
      expect(new URL(page.url()).pathname).toBe(`/runs/${sweep.trialRunIds[firstTrial!]}`);
      await expectTextContaining(run, [sweep.id, `trial ${firstTrial}`]);
      await page.goBack();
      await readyPage(page, 'sweep');
      expect(page.url()).toBe(url);
      await expect.poll(async () => (await trialNumbers(page))[0]).toBe(firstTrial);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
