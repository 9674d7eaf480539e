// The Projects tab in headless Chromium, as a person uses it: the projects with their counts, a
// project's experiments sorted by a metric and ranked, two experiments compared, and one
// experiment's page with its scoring, confusion matrix, plots and predictions file.
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ProjectsResponse } from '../../src/ui/api.js';
import {
  describeInBrowser,
  eventually,
  expectAttribute,
  expectCount,
  expectText,
  expectTextContaining,
  expectTexts,
  takeScreenshot,
} from '../support/browser.js';
import {
  asNumbers,
  attributeValues,
  columnCells,
  expectImagesLoad,
  expectNoProblems,
  markWindow,
  newPage,
  readWindowMarker,
  readyPage,
  requireBuiltAssets,
  scrollToShow,
  useBrowser,
  useSeededUi,
  visit,
} from './_ui-harness.js';

/** The prediction ids of the experiment rows, top to bottom. */
const rowIds = (page: Page): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId('experiment-row'), 'data-prediction-id');

describeInBrowser('dashboard: projects and experiments', () => {
  const ui = useSeededUi('local', { sweepTrials: 3 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('lists the projects with their counts; a click opens a project’s experiments', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    try {
      const root = await visit(page, `${ui.base}/`, 'projects');
      expect(new URL(page.url()).pathname).toBe('/projects');
      await expectAttribute(page.getByTestId('tab-projects'), 'aria-current', 'page');

      const rows = root.getByTestId('project-row');
      await expect
        .poll(async () => (await attributeValues(rows, 'data-project')).sort())
        .toEqual([seeded.projects.evil, seeded.projects.house, seeded.projects.soil].sort());
      const api = (await (
        await page.request.get(`${ui.base}/api/projects`)
      ).json()) as ProjectsResponse;
      const soil = api.projects.find((item) => item.project === seeded.projects.soil)!;
      // Three classification experiments and one regression; five runs besides the sweep's.
      expect(soil.experiments).toBe(4);
      expect(soil.runs).toBeGreaterThanOrEqual(5);
      expect(soil.sweeps).toBe(1);
      await eventually(async () => {
        const soilCells = await root
          .locator(`[data-project="${seeded.projects.soil}"] td`)
          .allInnerTexts();
        expect(soilCells).toContain('4');
        expect(soilCells).toContain(String(soil.runs));
        expect(soilCells.join(' ')).toContain('classification');
      });
      await expect
        .poll(async () =>
          (
            await root.locator(`[data-project="${seeded.projects.house}"] td`).allInnerTexts()
          ).slice(2, 5),
        )
        .toEqual(['1', '1', '0']);
      await takeScreenshot(page, 'projects');

      await root
        .locator(`[data-project="${seeded.projects.soil}"]`)
        .getByRole('link', { name: seeded.projects.soil })
        .click();
      await readyPage(page, 'experiments');
      expect(new URL(page.url()).pathname).toBe(`/projects/${seeded.projects.soil}`);
      await expect
        .poll(async () => (await rowIds(page)).sort())
        .toEqual(
          [
            seeded.experiments.forest,
            seeded.experiments.logisticSmall,
            seeded.experiments.logisticLarge,
          ].sort(),
        );
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('a project’s run count leads to as many runs', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    try {
      const root = await visit(page, `${ui.base}/projects`, 'projects');
      const row = root.locator(`[data-project="${seeded.projects.soil}"]`);
      const runsLink = row.getByRole('link', { name: /^\d+$/ });
      const shown = Number(await expectText(runsLink, /^\d+$/));
      await runsLink.click();
      await readyPage(page, 'runs');
      expect(new URL(page.url()).searchParams.get('project')).toBe(seeded.projects.soil);
      // The Runs tab lists the runs that are not sweep trials: 5 in this project.
      await expect.poll(() => page.getByTestId('run-item').count()).toBe(5);
      expect(shown, 'the count on the projects page').toBe(5);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('sorts by a metric header, both ways, and the order survives a reload', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { experiments } = ui.seeded;
    try {
      await visit(page, `${ui.base}/projects/${ui.seeded.projects.soil}`, 'experiments');
      const table = page.getByTestId('experiments-table');
      const accuracies = async (): Promise<number[]> =>
        asNumbers(await columnCells(table, 'sort-overall_accuracy'));
      await page.getByTestId('sort-overall_accuracy').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('order')).toBe('desc');
      expect(new URL(page.url()).searchParams.get('sort')).toBe('overall_accuracy');
      // The URL changes before the table is drawn again.
      await expect.poll(accuracies).toEqual([0.9, 0.8, 0.7]);
      await expect
        .poll(() => rowIds(page))
        .toEqual([experiments.forest, experiments.logisticLarge, experiments.logisticSmall]);
      await takeScreenshot(page, 'experiments');

      await page.getByTestId('sort-overall_accuracy').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('order')).toBe('asc');
      await expect.poll(accuracies).toEqual([0.7, 0.8, 0.9]);
      await expect
        .poll(() => rowIds(page))
        .toEqual([experiments.logisticSmall, experiments.logisticLarge, experiments.forest]);

      await page.reload();
      await readyPage(page, 'experiments');
      await expect.poll(accuracies).toEqual([0.7, 0.8, 0.9]);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('ranks by the metric chosen in the rank control', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { experiments } = ui.seeded;
    try {
      await visit(page, `${ui.base}/projects/${ui.seeded.projects.soil}`, 'experiments');
      const rank = page.getByTestId('rank-metric');
      await rank.selectOption('overall_accuracy');
      await expect
        .poll(() => new URL(page.url()).searchParams.get('rank'))
        .toBe('overall_accuracy');
      // Without a clicked header, rows come in rank order: best accuracy first, numbered 1, 2, 3.
      await expect
        .poll(() => rowIds(page))
        .toEqual([experiments.forest, experiments.logisticLarge, experiments.logisticSmall]);
      await expectTexts(page.locator('[data-testid="experiment-row"] > :nth-child(2)'), [
        '1',
        '2',
        '3',
      ]);
      await expect.poll(() => rank.inputValue()).toBe('overall_accuracy');

      // Another kind of the same project: the regression experiment alone.
      await page.getByTestId('kind-select').selectOption('regression');
      await expect.poll(() => rowIds(page)).toEqual([experiments.soilRegression]);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('compares two experiments: differing hyperparameters marked, metrics, plots side by side', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { experiments } = ui.seeded;
    try {
      await visit(page, `${ui.base}/projects/${ui.seeded.projects.soil}`, 'experiments');
      const compare = page.getByTestId('compare-button');
      await expect.poll(() => compare.isDisabled()).toBe(true);
      for (const id of [experiments.logisticSmall, experiments.logisticLarge]) {
        await page
          .locator(`[data-testid="experiment-row"][data-prediction-id="${id}"]`)
          .getByTestId('experiment-select')
          .check();
      }
      await compare.click();
      await readyPage(page, 'compare');
      const url = new URL(page.url());
      expect(url.pathname).toBe('/compare');
      expect(url.searchParams.get('ids')?.split(',').sort()).toEqual(
        [experiments.logisticSmall, experiments.logisticLarge].sort(),
      );
      const hyperparameters = page.getByTestId('compare-hyperparameters');
      await expect
        .poll(async () =>
          (
            await attributeValues(
              hyperparameters.getByTestId('compare-column'),
              'data-prediction-id',
            )
          ).sort(),
        )
        .toEqual([experiments.logisticSmall, experiments.logisticLarge].sort());

      // Both are LogisticRegression with penalty l2 and max_iter 100; only C differs.
      await expectTexts(hyperparameters.locator('tbody tr[data-differs="true"] > th'), ['C']);
      await expect
        .poll(() =>
          hyperparameters.locator('tbody tr:not([data-differs="true"]) > th').allInnerTexts(),
        )
        .toEqual(expect.arrayContaining(['penalty', 'max_iter']));
      const cRow = hyperparameters.locator('tbody tr[data-differs="true"] td');
      await expect.poll(async () => (await cRow.allInnerTexts()).sort()).toEqual(['0.1', '1']);

      const metrics = page.getByTestId('compare-metrics');
      const accuracy = metrics.locator('tbody tr', {
        has: page.locator('th', { hasText: /^overall_accuracy$/ }),
      });
      await expect
        .poll(async () => asNumbers(await accuracy.locator('td').allInnerTexts()).sort())
        .toEqual([0.7, 0.8]);

      const plots = page.getByTestId('plot');
      // Two plots each (the confusion matrix, counts and normalised): four images.
      await expectCount(plots, 4);
      await page.evaluate(() => {
        (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0);
      });
      await takeScreenshot(page, 'compare');
      await expectImagesLoad(plots);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('shows one experiment: scoring table, confusion matrix, plots, and its predictions file', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { experiments } = ui.seeded;
    try {
      const root = await visit(page, `${ui.base}/experiments/${experiments.forest}`, 'experiment');
      await expectTextContaining(root, [ui.seeded.models.forest]);

      const scoring = page.getByTestId('scoring-table');
      await expectTexts(scoring.locator('tbody th'), ['clay', 'loam', 'sand']);

      // Two of 20 predictions were wrong: one clay taken for loam, one loam for sand.
      const matrix = page.getByTestId('confusion-matrix');
      await expectTexts(matrix.locator('thead th.num'), ['clay', 'loam', 'sand']);
      await eventually(async () => {
        const counts = [];
        for (const row of await matrix.locator('tbody tr').all()) {
          counts.push(asNumbers(await row.locator('td').allInnerTexts()));
        }
        expect(counts).toEqual([
          [6, 1, 0],
          [0, 6, 1],
          [0, 0, 6],
        ]);
      });

      // The runs that linked this prediction id are linked back.
      await expect
        .poll(() => root.locator(`a[href="/runs/${ui.seeded.runs.baseline}"]`).count())
        .toBe(1);
      // The screenshot shows what only this page has: scoring, confusion matrix, plots.
      await scrollToShow(page, scoring, 100);
      await expectImagesLoad(page.getByTestId('plot'));
      await scrollToShow(page, scoring, 100);
      await takeScreenshot(page, 'experiment');

      const link = page.getByTestId('predictions-link');
      const href = await expectAttribute(link, 'href', /^\/files\/predictions\/classification\//);
      const download = await page.request.get(new URL(href!, ui.base).href);
      expect(download.status()).toBe(200);
      const lines = (await download.text()).trim().split('\n');
      expect(lines[0]).toBe('prediction_id,sample_id,y_true,y_pred,correct');
      expect(lines).toHaveLength(21);
      // Clicking it downloads the file rather than navigating away.
      const [saved] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(saved.suggestedFilename()).toBe(`${experiments.forest}.csv`);
      expect(new URL(page.url()).pathname).toBe(`/experiments/${experiments.forest}`);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('moves between pages with links, tabs and the back and forward buttons', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    try {
      await visit(
        page,
        `${ui.base}/projects/${seeded.projects.soil}?sort=overall_accuracy&order=asc`,
        'experiments',
      );
      const marker = await markWindow(page);
      await page
        .locator(
          `[data-testid="experiment-row"][data-prediction-id="${seeded.experiments.forest}"]`,
        )
        .getByRole('link')
        .click();
      await readyPage(page, 'experiment');
      expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experiments.forest}`);

      await page.getByTestId('tab-runs').click();
      await readyPage(page, 'runs');
      await expectAttribute(page.getByTestId('tab-runs'), 'aria-current', 'page');
      await expectAttribute(page.getByTestId('tab-projects'), 'aria-current', null);
      await page.getByTestId('tab-sweeps').click();
      await readyPage(page, 'sweeps');

      await page.goBack();
      await readyPage(page, 'runs');
      await page.goBack();
      await readyPage(page, 'experiment');
      await page.goBack();
      await readyPage(page, 'experiments');
      // The sorted view the person left, as they left it.
      expect(new URL(page.url()).search).toBe('?sort=overall_accuracy&order=asc');
      await expect
        .poll(async () =>
          asNumbers(
            await columnCells(page.getByTestId('experiments-table'), 'sort-overall_accuracy'),
          ),
        )
        .toEqual([0.7, 0.8, 0.9]);
      await page.goForward();
      await readyPage(page, 'experiment');
      // All of it within one page load: the app routes on the client.
      expect(await readWindowMarker(page)).toBe(marker);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
