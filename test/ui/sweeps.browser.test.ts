// The Sweeps tab in headless Chromium, as a person uses it: the list, then one sweep of 25 trials
// (some stopped early): its configuration, the trials table paged 20 at a time and sorted by the
// best value, the metric chart of the page's trials, and the parallel-coordinates chart.
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SweepDetail } from '../../src/ui/api.js';
import { describeInBrowser, takeScreenshot } from '../support/browser.js';
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

const trialNumbers = async (page: Page): Promise<number[]> =>
  (await attributeValues(page.getByTestId('trial-row'), 'data-trial')).map(Number);

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
      await expect
        .poll(() => page.getByTestId('tab-sweeps').getAttribute('aria-current'))
        .toBe('page');
      expect(await attributeValues(list.getByTestId('sweep-row'), 'data-sweep-id')).toEqual([
        sweep.id,
      ]);
      const row = await list.getByTestId('sweep-row').innerText();
      expect(row).toContain(sweep.project);
      expect(row).toContain('25 / 25');
      await takeScreenshot(page, 'sweeps');

      await list.getByRole('link', { name: sweep.id }).click();
      await readyPage(page, 'sweep');
      expect(new URL(page.url()).pathname).toBe(`/sweeps/${sweep.id}`);

      const config = await page.getByTestId('sweep-config').innerText();
      expect(config).toContain('random');
      expect(config).toContain('accuracy');
      expect(config).toContain('25 trials');
      expect(config).toContain('lr');
      expect(config).toContain('layers');
      expect(config).toMatch(/patience\D*3/);

      expect(await page.getByTestId('trial-row').count()).toBe(20);
      expect(await page.getByTestId('page-info').innerText()).toMatch(/^1\D+20 of 25$/);
      expect(await page.getByTestId('page-prev').isDisabled()).toBe(true);

      // The metric chart holds this page's trials, early-stopped ones among them by name.
      const chart = page.getByTestId('sweep-chart');
      await chart.and(page.locator('[data-state="drawn"]')).waitFor({ timeout: 10_000 });
      expect(await chart.getAttribute('data-series')).toBe('20');
      const onPage = await trialNumbers(page);
      const stoppedHere = sweep.earlyStopped.filter((trial) => onPage.includes(trial));
      expect(stoppedHere.length).toBeGreaterThan(0);
      const legend = await chart.locator('.u-legend').innerText();
      for (const trial of stoppedHere) expect(legend).toContain(`trial ${trial} (early stopped)`);
      for (const trial of stoppedHere) {
        expect(
          await page.locator(`[data-testid="trial-row"][data-trial="${trial}"]`).innerText(),
        ).toMatch(/early.stopped/i);
      }

      const parallel = page.getByTestId('parallel-coordinates');
      await parallel.and(page.locator('[data-state="drawn"]')).waitFor({ timeout: 15_000 });
      // One line per trial (25) plus the axes.
      expect(await parallel.locator('svg path').count()).toBeGreaterThanOrEqual(25);
      // The screenshot shows the charts, the part of the page no table can.
      await scrollToShow(page, chart);
      await takeScreenshot(page, 'sweep');
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
      const first = await trialNumbers(page);
      expect(first).toHaveLength(20);

      await page.getByTestId('page-next').click();
      await expect.poll(() => page.getByTestId('page-info').innerText()).toMatch(/^21\D+25 of 25$/);
      await readyPage(page, 'sweep');
      await expect.poll(() => trialNumbers(page)).toHaveLength(5);
      const second = await trialNumbers(page);
      expect(second.filter((trial) => first.includes(trial))).toEqual([]);
      expect([...first, ...second].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, index) => index),
      );
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      expect(await page.getByTestId('page-next').isDisabled()).toBe(true);
      const chart = page.getByTestId('sweep-chart');
      await expect.poll(() => chart.getAttribute('data-series')).toBe('5');

      // Back to page 1 with the browser's back button.
      await page.goBack();
      await expect.poll(() => page.getByTestId('page-info').innerText()).toMatch(/^1\D+20 of 25$/);

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
      expect((await trialNumbers(page))[0]).toBe(topTrial.trial);

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
      await expect.poll(() => chart.getAttribute('data-series')).toBe('20');
      expect(await numberAttribute(chart, 'data-points')).toBeGreaterThan(0);

      // A trial's run page leads back to its sweep; Back returns to the sorted table.
      const [firstTrial] = await trialNumbers(page);
      const url = page.url();
      await page
        .locator(`[data-testid="trial-row"][data-trial="${firstTrial}"]`)
        .getByRole('link')
        .click();
      const run = await readyPage(page, 'run');
      expect(new URL(page.url()).pathname).toBe(`/runs/${sweep.trialRunIds[firstTrial!]}`);
      const runText = await run.innerText();
      expect(runText).toContain(sweep.id);
      expect(runText).toContain(`trial ${firstTrial}`);
      await page.goBack();
      await readyPage(page, 'sweep');
      expect(page.url()).toBe(url);
      expect((await trialNumbers(page))[0]).toBe(firstTrial);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
