// Runs compared side by side in headless Chromium, as `ml-tracking compare` prints them: picked on
// the Runs tab, hyperparameters that differ first and marked, where each run came from, and each
// tag's last, min and max with the best highlighted by the tag's goal.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { EXPERIMENT_KINDS, metricNames } from '../../src/layout/tables.js';
import { metricGoal } from '../../src/tracking/list-experiments.js';
import { bestFirst, tagGoal } from '../../src/ui/app/runs/tag-goal.js';
import {
  describeInBrowser,
  eventually,
  expectAttribute,
  expectTextContaining,
  expectTexts,
  takeScreenshot,
} from '../support/browser.js';
import {
  asNumbers,
  attributeValues,
  expectNoProblems,
  newPage,
  readyPage,
  requireBuiltAssets,
  useBrowser,
  useSeededUi,
  visit,
} from './_ui-harness.js';

const selectRun = (page: Page, id: string): Promise<void> =>
  page.locator(`[data-testid="run-item"][data-run-id="${id}"]`).getByTestId('run-select').check();

/** The row headers of a compare table, top to bottom. */
const rowNames = (page: Page, table: string): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId(table).locator('tbody tr'), 'data-name');

/**
 * The cells of one summary row (`tag`, `stat`): shown numbers and which are marked best. Read at
 * once, so wait with {@link eventually} for a state that the checks on them describe.
 */
async function summaryRow(
  page: Page,
  tag: string,
  stat: 'last' | 'min' | 'max',
): Promise<{ values: number[]; best: (string | null)[]; goal: string | null }> {
  const row = page
    .getByTestId('runs-compare-summary')
    .locator(`tbody tr[data-tag="${tag}"][data-stat="${stat}"]`);
  const cells = row.locator('td');
  return {
    values: asNumbers(await cells.allInnerTexts()),
    best: await attributeValues(cells, 'data-best'),
    goal: await row.getAttribute('data-goal'),
  };
}

describeInBrowser('dashboard: runs compare', () => {
  const ui = useSeededUi('local', { sweepTrials: 4 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('compares two runs picked on the Runs tab: differing hyperparameters first and marked', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs } = ui.seeded;
    try {
      await visit(page, `${ui.base}/runs`, 'runs');
      const compare = page.getByTestId('runs-compare-button');
      await selectRun(page, runs.baseline);
      // One run is nothing to compare: the button appears with the second. Its chart shows that
      // the page has drawn the one run's selection.
      await page
        .locator('[data-testid="chart"][data-tag="loss"][data-state="drawn"][data-series="1"]')
        .waitFor();
      expect(await compare.count()).toBe(0);
      await selectRun(page, runs.failed);
      await compare.click();

      const root = await readyPage(page, 'runs-compare');
      const url = new URL(page.url());
      expect(url.pathname).toBe('/runs/compare');
      expect(url.searchParams.get('ids')).toBe(`${runs.baseline},${runs.failed}`);
      // Matched before `/runs/:id`: not taken for a run called "compare".
      expect(await page.getByTestId('page-run').count()).toBe(0);
      await expectAttribute(page.getByTestId('tab-runs'), 'aria-current', 'page');

      // One column per run, in the order picked, named and linked to its run page.
      const columns = page
        .getByTestId('runs-compare-parameters')
        .getByTestId('runs-compare-column');
      await expect
        .poll(() => attributeValues(columns, 'data-run-id'))
        .toEqual([runs.baseline, runs.failed]);
      await expectTexts(columns.getByRole('link'), ['baseline', 'diverged']);
      await expectTextContaining(columns.nth(1), ['failed']);

      // Named as ml-tracking compare names them. Recorded as { lr, width, optimizer }: lr and optimizer differ (0.1 adam against 3 sgd),
      // width (64) does not, so it moves below them.
      await expect
        .poll(() => rowNames(page, 'runs-compare-parameters'))
        .toEqual(['hyperparameters.lr', 'hyperparameters.optimizer', 'hyperparameters.width']);
      const hyperparameters = page.getByTestId('runs-compare-parameters');
      await expect
        .poll(() => attributeValues(hyperparameters.locator('tbody tr'), 'data-differs'))
        .toEqual(['true', 'true', 'false']);
      await expectTexts(
        hyperparameters.locator('tbody tr[data-name="hyperparameters.optimizer"] td'),
        ['adam', 'sgd'],
      );

      // Provenance: both are a logger's runs of the same project on this machine.
      const origin = page
        .getByTestId('runs-compare-provenance')
        .locator('tbody tr[data-name="origin"]');
      await expectTexts(origin.locator('td'), ['logger', 'logger']);
      await expectAttribute(origin, 'data-differs', 'false');

      // The diverged run's loss ended at 1 + 11² = 122; the baseline's is far lower, and lower is
      // better for a loss.
      await eventually(async () => {
        const loss = await summaryRow(page, 'loss', 'last');
        expect(loss.goal).toBe('lower');
        expect(loss.values[1]).toBe(122);
        expect(loss.values[0]).toBeLessThan(1);
        expect(loss.best).toEqual(['true', 'false']);
      });
      // Only the baseline recorded accuracy: the diverged run shows a dash, not a zero.
      await eventually(async () => {
        const accuracy = await summaryRow(page, 'accuracy', 'max');
        expect(accuracy.goal).toBe('higher');
        expect(accuracy.values[0]).toBeGreaterThan(0.9);
        expect(Number.isNaN(accuracy.values[1])).toBe(true);
      });
      await expectTextContaining(root, ['—']);

      // Back to the charts of the same runs.
      await page.getByTestId('runs-compare-chart').click();
      await readyPage(page, 'runs');
      expect(new URL(page.url()).searchParams.get('select')).toBe(
        `${runs.baseline},${runs.failed}`,
      );
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('opens from a shared link: three runs ordered best first by the asked metric, the best of each row marked', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs } = ui.seeded;
    try {
      const ids = [runs.wideNet, runs.deepNet, runs.baseline];
      await visit(page, `${ui.base}/runs/compare?ids=${ids.join(',')}&metric=loss`, 'runs-compare');
      // lr 0.1 learns fastest and the narrowest net pays the smallest width term: by last loss
      // (lower is better) the baseline leads, then wide-net (lr 0.05), then deep-net (lr 0.02).
      const summaryColumns = page
        .getByTestId('runs-compare-summary')
        .getByTestId('runs-compare-column');
      await expect
        .poll(() => attributeValues(summaryColumns, 'data-run-id'))
        .toEqual([runs.baseline, runs.wideNet, runs.deepNet]);
      // `metric=loss` puts loss before accuracy (tags are otherwise in name order).
      await expect
        .poll(() =>
          attributeValues(
            page.getByTestId('runs-compare-summary').locator('tbody tr[data-stat="last"]'),
            'data-tag',
          ),
        )
        .toEqual(['loss', 'accuracy']);

      await eventually(async () => {
        const loss = await summaryRow(page, 'loss', 'last');
        expect(loss.best).toEqual(['true', 'false', 'false']);
        expect([...loss.values].sort((a, b) => a - b)).toEqual(loss.values);
      });
      await eventually(async () => {
        const accuracy = await summaryRow(page, 'accuracy', 'last');
        expect(accuracy.goal).toBe('higher');
        expect(accuracy.best).toEqual(['true', 'false', 'false']);
        expect(Math.max(...accuracy.values)).toBe(accuracy.values[0]);
      });

      // All three used adam: only lr and width differ, and they lead.
      await expect
        .poll(() => rowNames(page, 'runs-compare-parameters'))
        .toEqual(['hyperparameters.lr', 'hyperparameters.width', 'hyperparameters.optimizer']);
      await takeScreenshot(page, 'runs-compare');

      // Without `metric` the columns keep the order of `ids`.
      await visit(page, `${ui.base}/runs/compare?ids=${ids.join(',')}`, 'runs-compare');
      await expect.poll(() => attributeValues(summaryColumns, 'data-run-id')).toEqual(ids);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('says Not found for an unknown run id, and what to do when no ids are given', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { runs } = ui.seeded;
    try {
      await page.goto(`${ui.base}/runs/compare?ids=${runs.baseline},no-such-run`);
      await page.getByTestId('not-found').waitFor();
      expect(await page.getByTestId('runs-compare-summary').count()).toBe(0);

      const root = await visit(page, `${ui.base}/runs/compare`, 'runs-compare');
      await expectTextContaining(root, ['Tick two or more runs']);
      // A 404 answer is logged by the browser as a failed resource load; nothing else may be.
      expectNoProblems(watched, [/status of 404/]);
    } finally {
      await page.context().close();
    }
  });
});

describe('runs compare: which way a tag gets better', () => {
  it('agrees with ml-tracking compare on every metric of the core', () => {
    const names = EXPERIMENT_KINDS.flatMap((kind) => metricNames(kind));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect([name, tagGoal(name)]).toEqual([name, metricGoal(name)]);
  });

  it('reads any other tag from its name', () => {
    expect(['loss', 'val_loss', 'train/error', 'perplexity'].map(tagGoal)).toEqual([
      'lower',
      'lower',
      'lower',
      'lower',
    ]);
    expect(['accuracy', 'reward', 'val_f1'].map(tagGoal)).toEqual(['higher', 'higher', 'higher']);
  });

  it('orders best first by the goal, ties and missing values as compare does', () => {
    expect(bestFirst([0.5, null, 0.9, 0.5], 'higher')).toEqual([2, 0, 3, 1]);
    expect(bestFirst([0.5, undefined, 0.1], 'lower')).toEqual([2, 0, 1]);
    expect(bestFirst([-2, 1, 0.5], 'zero')).toEqual([2, 1, 0]);
    expect(bestFirst([3, null, 1], 'none')).toEqual([0, 2, 1]);
  });
});
