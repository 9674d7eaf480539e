// Every page over a store on the GCS fake (the JSON API of Cloud Storage over HTTP), as over a
// local folder: the dashboard reads a bucket through the same store interface, and writes nothing
// to it.
import { beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  expectAttribute,
  expectCount,
  expectText,
  expectTextContaining,
} from '../support/browser.js';
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
      await expectCount(page.getByTestId('project-row'), 3);

      root = await visit(page, `${ui.base}/projects/${seeded.projects.soil}`, 'experiments');
      await expectCount(root.getByTestId('experiment-row'), 3);

      await visit(
        page,
        `${ui.base}/compare?ids=${seeded.experiments.forest},${seeded.experiments.logisticSmall}`,
        'compare',
      );
      await expectCount(
        page.getByTestId('compare-hyperparameters').getByTestId('compare-column'),
        2,
      );
      await expectImagesLoad(page.getByTestId('plot'));

      await visit(page, `${ui.base}/experiments/${seeded.experiments.forest}`, 'experiment');
      await page.getByTestId('confusion-matrix').waitFor();
      await expectImagesLoad(page.getByTestId('plot'));
      const href = await expectAttribute(
        page.getByTestId('predictions-link'),
        'href',
        /^\/files\//,
      );
      const predictions = await page.request.get(new URL(href!, ui.base).href);
      expect((await predictions.text()).split('\n')[0]).toBe(
        'prediction_id,sample_id,y_true,y_pred,correct',
      );

      await visit(
        page,
        `${ui.base}/runs?select=${seeded.runs.baseline},${seeded.runs.deepNet}`,
        'runs',
      );
      await expectCount(page.getByTestId('run-item'), Object.keys(seeded.runs).length);
      for (const tag of ['loss', 'accuracy']) {
        const chart = page.locator(`[data-testid="chart"][data-tag="${tag}"][data-state="drawn"]`);
        await chart.waitFor({ timeout: 10_000 });
        await expectAttribute(chart, 'data-series', '2');
      }

      await visit(page, `${ui.base}/runs/${seeded.runs.exec}`, 'run');
      await expectTextContaining(page.getByTestId('run-log'), [seeded.execLogLines[0]!]);
      await expectText(
        page.getByTestId('run-command'),
        `cd ${seeded.execFolder} && ${seeded.execCommand.join(' ')}`,
      );

      root = await visit(page, `${ui.base}/sweeps`, 'sweeps');
      await expectCount(root.getByTestId('sweep-row'), 1);

      await visit(page, `${ui.base}/sweeps/${seeded.sweep.id}`, 'sweep');
      await expectCount(page.getByTestId('trial-row'), 5);
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
      // What failed, where, and how to fix it: the store's own message.
      const message = await expectTextContaining(page.getByTestId('error'), [
        `scoring/${seeded.experiments.logisticLarge}.csv`,
        /credentials/i,
      ]);
      expect(message).not.toMatch(STACK_TRACE);
      expect(await page.getByTestId('not-found').count()).toBe(0);

      // A page whose record is known still shows; the part that needs the bucket says why not.
      await visit(page, `${ui.base}/runs/${seeded.runs.exec}`, 'run');
      const partFailed = await expectTextContaining(page.getByTestId('error'), [/credentials/i]);
      expect(partFailed).not.toMatch(STACK_TRACE);
      await expectText(
        page.getByTestId('run-command'),
        `cd ${seeded.execFolder} && ${seeded.execCommand.join(' ')}`,
      );
      expectNoProblems(watched, [/status of 500/]);
    } finally {
      ui.fake!.clearFaults();
      await page.context().close();
    }
  });
});
