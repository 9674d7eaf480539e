// Every page over a store on the GCS fake (the JSON API of Cloud Storage over HTTP), as over a
// local folder: the dashboard reads a bucket through the same store interface, and writes nothing
// to it.
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser } from '../support/browser.js';
import {
  expectImagesLoad,
  expectNoProblems,
  newPage,
  requireBuiltAssets,
  STACK_TRACE,
  storeSnapshot,
  useBrowser,
  useSeededUi,
  visit,
} from './_ui-harness.js';

describeInBrowser('dashboard over the GCS fake', () => {
  const ui = useSeededUi('gcs-fake', { sweepTrials: 5 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('shows every page, and writes nothing to the bucket', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    const before = await storeSnapshot(ui.store);
    try {
      let root = await visit(page, `${ui.base}/projects`, 'projects');
      expect(await page.getByTestId('project-row').count()).toBe(3);

      root = await visit(page, `${ui.base}/projects/${seeded.projects.soil}`, 'experiments');
      expect(await root.getByTestId('experiment-row').count()).toBe(3);

      await visit(
        page,
        `${ui.base}/compare?ids=${seeded.experiments.forest},${seeded.experiments.logisticSmall}`,
        'compare',
      );
      expect(
        await page.getByTestId('compare-hyperparameters').getByTestId('compare-column').count(),
      ).toBe(2);
      await expectImagesLoad(page.getByTestId('plot'));

      await visit(page, `${ui.base}/experiments/${seeded.experiments.forest}`, 'experiment');
      await page.getByTestId('confusion-matrix').waitFor();
      await expectImagesLoad(page.getByTestId('plot'));
      const href = await page.getByTestId('predictions-link').getAttribute('href');
      const predictions = await page.request.get(new URL(href!, ui.base).href);
      expect((await predictions.text()).split('\n')[0]).toBe(
        'prediction_id,sample_id,y_true,y_pred,correct',
      );

      await visit(
        page,
        `${ui.base}/runs?select=${seeded.runs.baseline},${seeded.runs.deepNet}`,
        'runs',
      );
      expect(await page.getByTestId('run-item').count()).toBe(Object.keys(seeded.runs).length);
      for (const tag of ['loss', 'accuracy']) {
        const chart = page.locator(`[data-testid="chart"][data-tag="${tag}"][data-state="drawn"]`);
        await chart.waitFor({ timeout: 10_000 });
        expect(await chart.getAttribute('data-series')).toBe('2');
      }

      await visit(page, `${ui.base}/runs/${seeded.runs.exec}`, 'run');
      await expect
        .poll(() => page.getByTestId('run-log').innerText())
        .toContain(seeded.execLogLines[0]);
      expect(await page.getByTestId('run-command').innerText()).toBe(seeded.execCommand.join(' '));

      root = await visit(page, `${ui.base}/sweeps`, 'sweeps');
      expect(await root.getByTestId('sweep-row').count()).toBe(1);

      await visit(page, `${ui.base}/sweeps/${seeded.sweep.id}`, 'sweep');
      expect(await page.getByTestId('trial-row').count()).toBe(5);
      await page
        .locator('[data-testid="sweep-chart"][data-state="drawn"][data-series="5"]')
        .waitFor({ timeout: 10_000 });
      await page
        .locator('[data-testid="parallel-coordinates"][data-state="drawn"]')
        .waitFor({ timeout: 15_000 });

      await page.goto(`${ui.base}/runs/20990101T000000000Z-deadbeef`);
      await page.getByTestId('not-found').waitFor();
      expectNoProblems(watched, [/status of 404/]);
    } finally {
      await page.context().close();
    }
    expect(await storeSnapshot(ui.store)).toEqual(before);
  }, 60_000);

  it('says what failed when the bucket refuses a read, without a stack trace', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    try {
      // As when the credentials may list the bucket but not read its objects.
      ui.fake!.injectFault({ operation: 'download', status: 403, times: 1000 });
      await page.goto(`${ui.base}/experiments/${seeded.experiments.logisticLarge}`);
      const root = page.getByTestId('page-experiment');
      await root.and(page.locator('[data-state="error"]')).waitFor();
      const error = page.getByTestId('error');
      const message = await error.innerText();
      // What failed, where, and how to fix it: the store's own message.
      expect(message).toContain(`scoring/${seeded.experiments.logisticLarge}.csv`);
      expect(message).toMatch(/credentials/i);
      expect(message).not.toMatch(STACK_TRACE);
      expect(await page.getByTestId('not-found').count()).toBe(0);

      // A page whose record is known still shows; the part that needs the bucket says why not.
      await visit(page, `${ui.base}/runs/${seeded.runs.exec}`, 'run');
      await page.getByTestId('error').waitFor();
      expect(await page.getByTestId('error').innerText()).not.toMatch(STACK_TRACE);
      expect(await page.getByTestId('run-command').innerText()).toBe(seeded.execCommand.join(' '));
      expectNoProblems(watched, [/status of 500/]);
    } finally {
      ui.fake!.clearFaults();
      await page.context().close();
    }
  });
});
