// The pages over a store with unreadable files and a project of runs only, in headless Chromium:
// the projects page names every file it left out (issue 18, defect 6), and a project without
// logExperiment rows leads to its runs, never to an error page (defect 8).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, startRun, type Store } from '../../src/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import { describeInBrowser } from '../support/browser.js';
import { seedCorruptStore, type CorruptStore } from '../support/corrupt-store.js';
import {
  expectNoProblems,
  newPage,
  readyPage,
  requireBuiltAssets,
  useBrowser,
  visit,
} from './_ui-harness.js';

describeInBrowser('dashboard: unreadable files and a project of runs only', () => {
  const chromium = useBrowser();
  let root: string | undefined;
  let store: Store | undefined;
  let server: UiServer | undefined;
  let base: string;
  let seeded: CorruptStore;
  let onlyRunId: string;
  beforeAll(async () => {
    requireBuiltAssets();
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-corrupt-'));
    store = await openStore(join(root, 'store'));
    seeded = await seedCorruptStore(store);
    const run = await startRun({ project: 'only-runs', store, closeOnExit: false });
    run.addScalar('loss', 1, 0);
    await run.finish();
    onlyRunId = run.id;
    server = await startUiServer({ store, port: 0 });
    base = server.url.replace(/\/$/, '');
  }, 60_000);
  afterAll(async () => {
    // After a failed beforeAll too, which would otherwise hide its error behind this one's.
    await server?.close();
    await store?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('the projects page names each file it could not read', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      const projects = await visit(page, `${base}/projects`, 'projects');
      const notice = projects.getByTestId('skipped-files');
      const bad = [
        seeded.bad.quoteTracker,
        seeded.bad.truncatedTracker,
        seeded.bad.binaryTracker,
        seeded.bad.runRecord,
        seeded.bad.sweepDescription,
      ];
      for (const path of bad) await notice.locator(`[data-path="${path}"]`).waitFor();
      await expect.poll(() => notice.getByTestId('skipped-file').count()).toBe(bad.length);
      await expect.poll(() => notice.innerText()).toContain('not valid JSON');
      // The readable projects are listed all the same.
      await projects.locator('[data-testid="project-row"][data-project="good"]').waitFor();
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('a project of runs only leads to its runs, and its project page is not an error', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      const projects = await visit(page, `${base}/projects`, 'projects');
      const row = projects.locator('[data-testid="project-row"][data-project="only-runs"]');
      await row.getByRole('link', { name: 'only-runs' }).click();
      const runs = await readyPage(page, 'runs');
      await runs.locator(`[data-testid="run-item"][data-run-id="${onlyRunId}"]`).waitFor();
      expect(new URL(page.url()).searchParams.get('project')).toBe('only-runs');

      // Where a run's page links its project.
      await visit(page, `${base}/runs/${onlyRunId}`, 'run');
      await page.getByRole('link', { name: 'only-runs', exact: true }).first().click();
      const experiments = await readyPage(page, 'experiments');
      await experiments.getByTestId('no-experiments').waitFor();
      expect(await page.getByTestId('not-found').count()).toBe(0);
      await experiments.getByRole('link', { name: 'runs' }).click();
      await readyPage(page, 'runs');
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
