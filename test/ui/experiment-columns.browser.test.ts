// A project's experiments table at the width the README's screenshots use (1280 px): the
// headline metrics, log_loss and roc_auc among them, are on screen without scrolling sideways,
// and the user chooses the other columns (kept in the URL). Issue 22, item 12.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { logExperiment, openStore, type Store } from '../../src/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import { describeInBrowser, eventually, expectCount, VIEWPORT } from '../support/browser.js';
import {
  attributeValues,
  expectNoProblems,
  newPage,
  readyPage,
  requireBuiltAssets,
  useBrowser,
  visit,
} from './_ui-harness.js';

const LABELS = ['clay', 'loam', 'sand'];
const yTrue = Array.from({ length: 12 }, (_, index) => LABELS[index % 3]!);

/** The metric of each column header (`sort-<metric>`), left to right. */
const metricColumns = async (page: Page): Promise<string[]> =>
  (
    await attributeValues(
      page.getByTestId('experiments-table').locator('thead [data-testid^="sort-"]'),
      'data-testid',
    )
  ).map((id) => id!.replace(/^sort-/, ''));

/** How far the experiments table reaches past its box: 0 when nothing needs a sideways scroll. */
const sidewaysOverflow = (page: Page): Promise<number> =>
  page.getByTestId('experiments-table').evaluate((table) => {
    const box = (
      table as unknown as { parentElement: { scrollWidth: number; clientWidth: number } }
    ).parentElement;
    return box.scrollWidth - box.clientWidth;
  });

describeInBrowser('dashboard: the experiments table’s columns', () => {
  let root: string;
  let store: Store | undefined;
  let server: UiServer | undefined;
  let project: string;
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-columns-'));
    store = await openStore(join(root, 'store'));
    // Probabilities, so that log_loss and roc_auc have values: the columns a reader looks for.
    for (const [index, name] of ['RandomForestClassifier', 'LogisticRegression'].entries()) {
      const logged = await logExperiment({
        store,
        cwd: root,
        kind: 'classification',
        project: 'Soil probabilities',
        parameters: {
          datasetUri: 'gs://demo/soil.csv',
          targetColumn: 'texture',
          testSet: yTrue.map((_, sample) => `sample-${sample}`),
          model: { name, params: { seed: index } },
        },
        yTrue,
        yPred: yTrue.map((label, sample) => (sample < index + 1 ? LABELS[0]! : label)),
        yScore: yTrue.map((label, sample) =>
          LABELS.map((candidate) =>
            candidate === label
              ? 0.6 + 0.02 * ((sample + index) % 5)
              : 0.2 - 0.01 * ((sample + index) % 5),
          ),
        ),
        plots: false,
      });
      project = logged.project;
    }
    server = await startUiServer({ store, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await rm(root, { recursive: true, force: true });
  });
  const base = (): string => server!.url.replace(/\/$/, '');

  it(`shows the headline metrics, log_loss and roc_auc among them, at ${VIEWPORT.width} px without scrolling sideways`, async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${base()}/projects/${project}`, 'experiments');
      await expectCount(page.getByTestId('experiment-row'), 2);
      const columns = await eventually(async () => {
        const shown = await metricColumns(page);
        expect(shown).toEqual(expect.arrayContaining(['f1_macro', 'log_loss', 'roc_auc']));
        return shown;
      });
      // The kind's headline metric leads.
      expect(columns[0]).toBe('f1_macro');
      await expect.poll(() => sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      for (const metric of ['log_loss', 'roc_auc']) {
        const box = await page.getByTestId(`sort-${metric}`).boundingBox();
        expect(box, metric).not.toBeNull();
        expect(box!.x + box!.width, metric).toBeLessThanOrEqual(VIEWPORT.width);
      }
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('lets the user choose the columns; the URL keeps the choice', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${base()}/projects/${project}`, 'experiments');
      const shown = await eventually(async () => {
        const columns = await metricColumns(page);
        expect(columns).toContain('roc_auc');
        return columns;
      });
      expect(shown).not.toContain('mcc');

      await page.getByTestId('columns-button').click();
      await page.getByTestId('column-mcc').check();
      await expect.poll(() => metricColumns(page)).toContain('mcc');
      await page.getByTestId('column-roc_auc').uncheck();
      await expect.poll(() => metricColumns(page)).not.toContain('roc_auc');
      const chosen = await metricColumns(page);
      expect(new URL(page.url()).searchParams.get('columns')?.split(',')).toEqual(chosen);

      // A reload (or the link, sent to someone) shows the same columns.
      await page.reload();
      await readyPage(page, 'experiments');
      await expect.poll(() => metricColumns(page)).toEqual(chosen);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
