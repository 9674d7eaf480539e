// The Runs tab and a run's page in headless Chromium, as a person uses them: the sidebar (sweep
// trials left out, filters), runs overlaid one chart per tag, the chart controls, the selection in
// the URL (reload, back button), a run's record, log and command, and a live run gaining points
// without a reload.
import { beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startRun } from '../../src/index.js';
import {
  describeInBrowser,
  eventually,
  expectAttribute,
  expectText,
  expectTextContaining,
  expectTexts,
  takeScreenshot,
} from '../support/browser.js';
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
      await expectAttribute(page.getByTestId('tab-runs'), 'aria-current', 'page');
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
      await expect.poll(() => page.getByTestId('run-filter-text').inputValue()).toBe('net');
      await expect
        .poll(() => page.getByTestId('run-filter-project').inputValue())
        .toBe(projects.soil);
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
      await expect
        .poll(async () => (await attributeValues(page.getByTestId('chart'), 'data-tag')).sort())
        .toEqual(['accuracy', 'loss']);
      for (const chart of [loss, accuracy]) {
        await expectAttribute(chart, 'data-series', '2');
        // 200 steps of each run, none thinned away.
        await expect.poll(() => numberAttribute(chart, 'data-points')).toBeGreaterThanOrEqual(400);
      }
      // The legend names both runs.
      await expectTextContaining(loss, ['baseline', 'wide-net']);
      await takeScreenshot(page, 'runs');

      // Hovering shows the values under the cursor: the step and each run's value.
      const box = (await loss.locator('.u-over').boundingBox())!;
      const hoverValues = async (): Promise<number[]> => {
        await page.mouse.move(box.x + 2, box.y + 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        return asNumbers(await loss.locator('.u-legend .u-value').allInnerTexts());
      };
      const raw = await eventually(async () => {
        const values = await hoverValues();
        expect(values.filter(Number.isFinite)).toHaveLength(3);
        return values;
      });

      // Smoothing redraws the lines, and the values under the cursor with them. `data-draws` only
      // grows: read once, it is a floor the next draw passes.
      let draws = await numberAttribute(loss, 'data-draws');
      await page.getByTestId('smoothing').focus();
      await page.keyboard.press('End');
      await redrawnAfter(loss, draws);
      await expect.poll(() => new URL(page.url()).searchParams.get('smooth')).toBe('0.99');
      // A draw may have been a resize's; the values tell when the smoothed lines are drawn.
      await eventually(async () => {
        const smoothed = await hoverValues();
        expect(smoothed[0], 'the same step under the cursor').toBe(raw[0]);
        // The loss falls: an average over the past lies above the value now.
        expect(smoothed[1]).toBeGreaterThan(raw[1]!);
        expect(smoothed[2]).toBeGreaterThan(raw[2]!);
      });

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
      await expectAttribute(loss, 'data-series', '2');

      // Everything above is in the URL: a reload shows the same view.
      const url = page.url();
      await page.reload();
      await readyPage(page, 'runs');
      expect(page.url()).toBe(url);
      await expectAttribute(await drawnChart(page, 'loss'), 'data-series', '2');
      await expect.poll(() => page.getByTestId('log-scale').isChecked()).toBe(true);
      await expect.poll(() => page.getByTestId('x-axis').inputValue()).toBe('time');
      await expect
        .poll(async () => Number(await page.getByTestId('smoothing').inputValue()))
        .toBe(0.99);
      await expect
        .poll(() =>
          page.locator(`[data-run-id="${runs.baseline}"]`).getByTestId('run-select').isChecked(),
        )
        .toBe(true);
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
      await expectAttribute(await drawnChart(page, 'loss'), 'data-series', '1');
      await page.locator(`[data-run-id="${runs.deepNet}"]`).getByTestId('run-select').check();
      await expect.poll(() => selection(page)).toEqual([runs.baseline, runs.deepNet]);
      await expectAttribute(
        page.locator('[data-testid="chart"][data-tag="loss"]'),
        'data-series',
        '2',
      );

      await page.goBack();
      await expect
        .poll(() => selection(page), { message: `after Back the URL is ${page.url()}` })
        .toEqual([runs.baseline]);
      await readyPage(page, 'runs');
      await expectAttribute(
        page.locator('[data-testid="chart"][data-tag="loss"]'),
        'data-series',
        '1',
      );
      await expect
        .poll(() =>
          page.locator(`[data-run-id="${runs.deepNet}"]`).getByTestId('run-select').isChecked(),
        )
        .toBe(false);
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
      await expectText(page.getByTestId('run-status'), /finished/i);
      await expectTextContaining(root, ['baseline', /duration\s+\d+(\.\d)? s/]);

      const hyperparameters = page.getByTestId('run-hyperparameters');
      await expectTexts(hyperparameters.locator('th'), ['lr', 'width', 'optimizer']);
      await expectTexts(hyperparameters.locator('td'), ['0.1', '64', 'adam']);

      const summary = page.getByTestId('run-summary');
      await expectTexts(summary.locator('tbody th'), ['accuracy', 'loss']);
      // Last step 199, 200 points, on each row.
      for (const row of await summary.locator('tbody tr').all()) {
        await expect
          .poll(async () => {
            const cells = await row.locator('td').allInnerTexts();
            return [cells[1], cells[4]];
          })
          .toEqual(['199', '200']);
      }
      const predictions = page.getByTestId('run-predictions');
      await expectTextContaining(predictions, [experiments.forest]);
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
    const { runs, experiments, execCommand, execFolder, execLogLines } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs/${runs.exec}`, 'run');
      // Its relative paths mean something in the folder it ran in: the line starts there.
      await expectText(
        page.getByTestId('run-command'),
        `cd ${execFolder} && ${execCommand.join(' ')}`,
      );
      // The log comes by a request of its own, after the page is ready.
      const logText = await expectTextContaining(page.getByTestId('run-log'), execLogLines);
      // Protocol lines became scalars, not log output.
      expect(logText).not.toContain('ml_tracking');
      await expectTextContaining(page.getByTestId('run-predictions'), [experiments.forest]);
      await drawnChart(page, 'loss');
      await takeScreenshot(page, 'run');

      await visit(page, `${ui.base}/runs/${runs.failed}`, 'run');
      await expectText(page.getByTestId('run-status'), /failed/i);
      await expectText(
        page.getByTestId('run-command'),
        `cd ${execFolder} && python3 train.py --lr=3 --width=64 --optimizer=sgd`,
      );
      await expectTextContaining(page.getByTestId('page-run'), [FAILED_RUN_ERROR]);
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
      // Settled either way: a "not found" must fail here, not wait out a timeout.
      await root.and(page.locator('[data-state="ready"], [data-state="error"]')).waitFor();
      expect(await page.getByTestId('not-found').count(), 'the run page says "not found"').toBe(0);
      expect(await root.getAttribute('data-state')).toBe('ready');
      await expectText(page.getByTestId('run-status'), /running/i);
      await visit(page, `${ui.base}/runs?select=${fresh.id}`, 'runs');
      const chart = await drawnChart(page, 'loss');
      await expect.poll(() => numberAttribute(chart, 'data-points')).toBe(3);
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
      await expect.poll(() => numberAttribute(chart, 'data-draws')).toBeGreaterThanOrEqual(3);
      expectNoProblems(watched);
    } finally {
      await live.finish();
      await page.context().close();
    }
  });
});
