// `trainModel` runs on the dashboard (issue 22, item 13): a run's page gives the command that
// reproduces it, as the README promises, and the runs compare page shows the facts `ml-tracking
// compare` prints (model class, data set, seed…), not "No hyperparameters were recorded".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareRuns } from '../../src/experiments/compare-runs.js';
import { trainModel, type TrainModelResult } from '../../src/experiments/train-model.js';
import { openStore, type Store } from '../../src/index.js';
import { formatValue } from '../../src/ui/app/format.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import { NearestCentroid, tempRepository, testRegistry } from '../experiments/_train-fixtures.js';
import { describeInBrowser, expectText, expectTexts } from '../support/browser.js';
import {
  attributeValues,
  expectNoProblems,
  newPage,
  requireBuiltAssets,
  useBrowser,
  visit,
} from './_ui-harness.js';

/** A model without `params()`: its run records no hyperparameters at all. */
class PlainCentroid {
  private readonly inner = new NearestCentroid();
  fit(x: number[][], y: string[]): void {
    this.inner.fit(x, y);
  }
  predict(x: number[][]): string[] {
    return this.inner.predict(x);
  }
}

/** The `data-name` of each row of a compare table, top to bottom. */
const rowNames = (page: Page, table: string): Promise<(string | null)[]> =>
  attributeValues(page.getByTestId(table).locator('tbody tr'), 'data-name');

describeInBrowser('dashboard: trainModel runs', () => {
  let repository: Awaited<ReturnType<typeof tempRepository>> | undefined;
  let folder: string;
  let store: Store | undefined;
  let server: UiServer | undefined;
  const runs: TrainModelResult[] = [];
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);
  beforeAll(async () => {
    repository = await tempRepository();
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-train-'));
    store = await openStore(join(folder, 'store'));
    const registry = testRegistry().model('plain-centroid', PlainCentroid);
    // Two seeds of one model that records no hyperparameters: only the split differs.
    for (const seed of [7, 8]) {
      runs.push(
        await trainModel({
          model: 'plain-centroid',
          dataset: 'two-blobs',
          datasetParams: { n: 60 },
          kind: 'classification',
          seed,
          project: 'blobs',
          name: `seed ${seed}`,
          store,
          cwd: repository.path,
          registry,
          plots: false,
        }),
      );
    }
    server = await startUiServer({ store, port: 0 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await rm(folder, { recursive: true, force: true });
    await repository?.remove();
  });
  const base = (): string => server!.url.replace(/\/$/, '');

  it('gives the command that reproduces a trainModel run on its page', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const [run] = runs;
    try {
      await visit(page, `${base()}/runs/${run!.runId}`, 'run');
      // `ml-tracking reproduce` needs the run, its store, and the script that registers the
      // classes (not recorded: the page says to name it).
      const command = await expectText(
        page.getByTestId('run-command'),
        new RegExp(`^ml-tracking reproduce ${run!.runId} `),
      );
      expect(command).toContain(`--store ${join(folder, 'store')}`);
      expect(command).toMatch(/--entry \S+/);
      await expectText(page.getByTestId('run-command-note'), /^ENTRY: .*registers/);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('compares trainModel runs with the facts ml-tracking compare prints', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const ids = runs.map((run) => run.runId);
    try {
      const root = await visit(page, `${base()}/runs/compare?ids=${ids.join(',')}`, 'runs-compare');
      const expected = await compareRuns(ids, { store: store! });
      // Every parameter compare prints, in its order (those that differ first): the seed, the
      // model class, the data set and its artifact, the commit…
      await expect
        .poll(() => rowNames(page, 'runs-compare-parameters'))
        .toEqual(expected.parameters.map((row) => row.name));
      expect(expected.parameters.map((row) => row.name)).toEqual(
        expect.arrayContaining(['seed', 'model_class', 'dataset_class', 'dataset', 'git_commit']),
      );
      await expect
        .poll(() =>
          attributeValues(
            page.getByTestId('runs-compare-parameters').locator('tbody tr'),
            'data-differs',
          ),
        )
        .toEqual(expected.parameters.map((row) => String(row.differs)));
      for (const row of expected.parameters) {
        await expectTexts(
          page
            .getByTestId('runs-compare-parameters')
            .locator(`tbody tr[data-name="${row.name}"] td`),
          row.values.map(formatValue),
          row.name,
        );
      }
      expect(await root.innerText()).not.toContain('No hyperparameters were recorded');
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
