// The Runs tab and a run's page in headless Chromium, as a person uses them: the sidebar (sweep
// trials left out, filters), runs overlaid one chart per tag, the chart controls, the selection in
// the URL (reload, back button), a run's record, log and command, and a live run gaining points
// without a reload.
import { beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startRun } from '../../src/index.js';
import { describeInBrowser, takeScreenshot } from '../support/browser.js';
import { FAILED_RUN_ERROR } from '../support/ui-store.js';
import {
  asNumbers,
  attributeValues,
  expectNoProblems,
  markWindow,
  newPage,
  numberAttribute,
  readWindowMarker,
  readyPage,
  requireBuiltAssets,
  useBrowser,
  useSeededUi,
  visit,
} from './_ui-harness.js';

const runIdsListed = (page: Page): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId('run-item'), 'data-run-id');

const selection = (page: Page): string[] =>
  (new URL(page.url()).searchParams.get('select') ?? '').split(',').filter((id) => id !== '');

/** The chart of `tag`, once drawn. */
async function drawnChart(page: Page, tag: string): Promise<Locator> {
  const chart = page.locator(`[data-testid="chart"][data-tag="${tag}"]`);
  await chart.and(page.locator('[data-state="drawn"]')).waitFor({ timeout: 10_000 });
  return chart;
}

/** Waits for `data-draws` of `chart` to pass `before`: the chart was drawn again. */
async function redrawnAfter(chart: Locator, before: number): Promise<void> {
  await expect
    .poll(() => numberAttribute(chart, 'data-draws'), { timeout: 10_000 })
    .toBeGreaterThan(before);
}

describeInBrowser('dashboard: runs', () => {
  const ui = useSeededUi('local', { sweepTrials: 4 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('lists the runs that are not sweep trials, filtered by project and by text', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs, sweep, projects } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs`, 'runs');
      await expect
        .poll(() => page.getByTestId('tab-runs').getAttribute('aria-current'))
        .toBe('page');
      const expected = Object.values(runs).sort();
      await expect.poll(async () => (await runIdsListed(page)).sort()).toEqual(expected);
      for (const trialRunId of sweep.trialRunIds) {
        expect(await page.locator(`[data-run-id="${trialRunId}"]`).count()).toBe(0);
      }

      await page.getByTestId('run-filter-project').selectOption(projects.house);
      await expect.poll(() => runIdsListed(page)).toEqual([runs.house]);
      expect(new URL(page.url()).searchParams.get('project')).toBe(projects.house);

      await page.getByTestId('run-filter-project').selectOption('');
      await page.getByTestId('run-filter-text').fill('deep');
      await expect.poll(() => runIdsListed(page)).toEqual([runs.deepNet]);
      await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('deep');

      // Text matches hyperparameter values too: only the failed run used sgd.
      await page.getByTestId('run-filter-text').fill('sgd');
      await expect.poll(() => runIdsListed(page)).toEqual([runs.failed]);

      // A shared link opens with the same filters.
      await page.goto(`${ui.base}/runs?project=${projects.soil}&q=net`);
      await readyPage(page, 'runs');
      await expect
        .poll(async () => (await runIdsListed(page)).sort())
        .toEqual([runs.deepNet, runs.wideNet].sort());
      expect(await page.getByTestId('run-filter-text').inputValue()).toBe('net');
      expect(await page.getByTestId('run-filter-project').inputValue()).toBe(projects.soil);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('overlays the selected runs, one chart per tag, and redraws on every control', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs`, 'runs');
      for (const id of [runs.baseline, runs.wideNet]) {
        await page
          .locator(`[data-testid="run-item"][data-run-id="${id}"]`)
          .getByTestId('run-select')
          .check();
      }
      await expect.poll(() => selection(page)).toEqual([runs.baseline, runs.wideNet]);
      const loss = await drawnChart(page, 'loss');
      const accuracy = await drawnChart(page, 'accuracy');
      expect((await attributeValues(page.getByTestId('chart'), 'data-tag')).sort()).toEqual([
        'accuracy',
        'loss',
      ]);
      for (const chart of [loss, accuracy]) {
        await expect.poll(() => chart.getAttribute('data-series')).toBe('2');
        // 200 steps of each run, none thinned away.
        expect(await numberAttribute(chart, 'data-points')).toBeGreaterThanOrEqual(400);
      }
      // The legend names both runs.
      const legend = await loss.innerText();
      expect(legend).toContain('baseline');
      expect(legend).toContain('wide-net');
      await takeScreenshot(page, 'runs');

      // Hovering shows the values under the cursor: the step and each run's value.
      const box = (await loss.locator('.u-over').boundingBox())!;
      const hoverValues = async (): Promise<number[]> => {
        await page.mouse.move(box.x + 2, box.y + 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        return asNumbers(await loss.locator('.u-legend .u-value').allInnerTexts());
      };
      await expect.poll(async () => (await hoverValues()).filter(Number.isFinite).length).toBe(3);
      const raw = await hoverValues();

      // Smoothing redraws the lines, and the values under the cursor with them.
      let draws = await numberAttribute(loss, 'data-draws');
      await page.getByTestId('smoothing').focus();
      await page.keyboard.press('End');
      await redrawnAfter(loss, draws);
      await expect.poll(() => new URL(page.url()).searchParams.get('smooth')).toBe('0.99');
      const smoothed = await hoverValues();
      expect(smoothed[0], 'the same step under the cursor').toBe(raw[0]);
      // The loss falls: an average over the past lies above the value now.
      expect(smoothed[1]).toBeGreaterThan(raw[1]!);
      expect(smoothed[2]).toBeGreaterThan(raw[2]!);

      draws = await numberAttribute(loss, 'data-draws');
      await page.getByTestId('x-axis').selectOption('time');
      await redrawnAfter(await drawnChart(page, 'loss'), draws);
      expect(new URL(page.url()).searchParams.get('x')).toBe('time');
      // The x under the cursor is now a time of day, not a step.
      await page.mouse.move(box.x + 2, box.y + 2);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await expect
        .poll(() => loss.locator('.u-legend .u-value').first().innerText())
        .toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

      draws = await numberAttribute(loss, 'data-draws');
      await page.getByTestId('log-scale').check();
      await redrawnAfter(loss, draws);
      expect(new URL(page.url()).searchParams.get('log')).toBe('1');
      expect(await loss.getAttribute('data-series')).toBe('2');

      // Everything above is in the URL: a reload shows the same view.
      const url = page.url();
      await page.reload();
      await readyPage(page, 'runs');
      expect(page.url()).toBe(url);
      const reloaded = await drawnChart(page, 'loss');
      expect(await reloaded.getAttribute('data-series')).toBe('2');
      expect(await page.getByTestId('log-scale').isChecked()).toBe(true);
      expect(await page.getByTestId('x-axis').inputValue()).toBe('time');
      expect(Number(await page.getByTestId('smoothing').inputValue())).toBe(0.99);
      expect(
        await page
          .locator(`[data-run-id="${runs.baseline}"]`)
          .getByTestId('run-select')
          .isChecked(),
      ).toBe(true);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('the back button returns to the previous selection', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs?select=${runs.baseline}`, 'runs');
      expect(await (await drawnChart(page, 'loss')).getAttribute('data-series')).toBe('1');
      await page.locator(`[data-run-id="${runs.deepNet}"]`).getByTestId('run-select').check();
      await expect.poll(() => selection(page)).toEqual([runs.baseline, runs.deepNet]);
      await expect
        .poll(() =>
          page.locator('[data-testid="chart"][data-tag="loss"]').getAttribute('data-series'),
        )
        .toBe('2');

      await page.goBack();
      await expect
        .poll(() => selection(page), { message: `after Back the URL is ${page.url()}` })
        .toEqual([runs.baseline]);
      await readyPage(page, 'runs');
      await expect
        .poll(() =>
          page.locator('[data-testid="chart"][data-tag="loss"]').getAttribute('data-series'),
        )
        .toBe('1');
      expect(
        await page.locator(`[data-run-id="${runs.deepNet}"]`).getByTestId('run-select').isChecked(),
      ).toBe(false);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('shows a run: status, duration, hyperparameters, summary, predictions', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs, experiments } = ui.seeded;
    try {
      const root = await visit(page, `${ui.base}/runs/${runs.baseline}`, 'run');
      expect(await page.getByTestId('run-status').innerText()).toMatch(/finished/i);
      const text = await root.innerText();
      expect(text).toContain('baseline');
      expect(text).toMatch(/duration\s+\d+(\.\d)? s/);

      const hyperparameters = page.getByTestId('run-hyperparameters');
      expect(await hyperparameters.locator('th').allInnerTexts()).toEqual([
        'lr',
        'width',
        'optimizer',
      ]);
      expect(await hyperparameters.locator('td').allInnerTexts()).toEqual(['0.1', '64', 'adam']);

      const summary = page.getByTestId('run-summary');
      expect(await summary.locator('tbody th').allInnerTexts()).toEqual(['accuracy', 'loss']);
      for (const row of await summary.locator('tbody tr').all()) {
        const cells = await row.locator('td').allInnerTexts();
        // Last step 199, 200 points.
        expect(cells[1]).toBe('199');
        expect(cells[4]).toBe('200');
      }
      const predictions = page.getByTestId('run-predictions');
      expect(await predictions.innerText()).toContain(experiments.forest);
      await predictions.getByRole('link', { name: experiments.forest }).click();
      await readyPage(page, 'experiment');
      expect(new URL(page.url()).pathname).toBe(`/experiments/${experiments.forest}`);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('shows a command’s run: the command that reproduces it and its captured log', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs, experiments, execCommand, execLogLines } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs/${runs.exec}`, 'run');
      expect(await page.getByTestId('run-command').innerText()).toBe(execCommand.join(' '));
      const log = page.getByTestId('run-log');
      await expect.poll(() => log.innerText()).toContain(execLogLines[1]);
      const logText = await log.innerText();
      for (const line of execLogLines) expect(logText).toContain(line);
      // Protocol lines became scalars, not log output.
      expect(logText).not.toContain('ml_tracking');
      expect(await page.getByTestId('run-predictions').innerText()).toContain(experiments.forest);
      await drawnChart(page, 'loss');
      await takeScreenshot(page, 'run');

      await visit(page, `${ui.base}/runs/${runs.failed}`, 'run');
      expect(await page.getByTestId('run-status').innerText()).toMatch(/failed/i);
      expect(await page.getByTestId('run-command').innerText()).toBe(
        'python3 train.py --lr=3 --width=64 --optimizer=sgd',
      );
      expect(await page.getByTestId('page-run').innerText()).toContain(FAILED_RUN_ERROR);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('a run started a moment ago opens at once, with its first points', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    // The server has listed the runs before (a person had the dashboard open already).
    expect((await page.request.get(`${ui.base}/api/runs`)).status()).toBe(200);
    const fresh = await startRun({
      store: ui.store,
      project: ui.seeded.projects.soil,
      name: 'just-started',
      closeOnExit: false,
    });
    try {
      for (let step = 0; step < 3; step++) fresh.addScalar('loss', 1 / (step + 1), step);
      await fresh.flush();
      await page.goto(`${ui.base}/runs/${fresh.id}`);
      const root = page.getByTestId('page-run');
      await root.and(page.locator('[data-state="ready"], [data-state="error"]')).waitFor();
      expect(await page.getByTestId('not-found').count(), 'the run page says "not found"').toBe(0);
      expect(await root.getAttribute('data-state')).toBe('ready');
      expect(await page.getByTestId('run-status').innerText()).toMatch(/running/i);
      await visit(page, `${ui.base}/runs?select=${fresh.id}`, 'runs');
      const chart = await drawnChart(page, 'loss');
      expect(await numberAttribute(chart, 'data-points')).toBe(3);
      expectNoProblems(watched);
    } finally {
      await fresh.finish();
      await page.context().close();
    }
  });

  it('a running run’s chart gains points without a page reload', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const live = await startRun({
      store: ui.store,
      project: ui.seeded.projects.soil,
      name: 'live-run',
      hyperparameters: { lr: 0.3 },
      closeOnExit: false,
    });
    try {
      for (let step = 0; step < 5; step++) live.addScalar('loss', 1 / (step + 1), step);
      await live.flush();
      // The server's run index may be a few seconds old (a test below checks that a run started
      // a moment ago opens at once); here the live updates are what is tested.
      await expect
        .poll(async () => (await page.request.get(`${ui.base}/api/runs/${live.id}`)).status(), {
          timeout: 15_000,
        })
        .toBe(200);
      await visit(page, `${ui.base}/runs?select=${live.id}`, 'runs');
      const chart = await drawnChart(page, 'loss');
      await expect.poll(() => numberAttribute(chart, 'data-points')).toBe(5);
      const marker = await markWindow(page);

      let points = 5;
      for (const until of [15, 40]) {
        for (let step = points; step < until; step++) live.addScalar('loss', 1 / (step + 1), step);
        await live.flush();
        await expect
          .poll(() => numberAttribute(chart, 'data-points'), { timeout: 15_000 })
          .toBe(until);
        points = until;
      }
      // The same document all along: no navigation, no reload.
      expect(await readWindowMarker(page)).toBe(marker);
      expect(
        await page.evaluate(
          () =>
            (
              globalThis as unknown as {
                performance: { getEntriesByType(type: string): unknown[] };
              }
            ).performance.getEntriesByType('navigation').length,
        ),
      ).toBe(1);
      expect(await numberAttribute(chart, 'data-draws')).toBeGreaterThanOrEqual(3);
      expectNoProblems(watched);
    } finally {
      await live.finish();
      await page.context().close();
    }
  });
});
