// The sweep page of a hyperband sweep in headless Chromium (issue 24): a stopped trial says the
// rule, rung and step that stopped it (the whole sentence on hover); every other trial says the
// last rung it reached, with the status of its run: a trial whose agent died reads lost, though
// its progress record still says running.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import {
  describeInBrowser,
  expectAttribute,
  expectCount,
  expectText,
  expectTextContaining,
} from '../support/browser.js';
import { recordSmartSweep, type RecordedSweep } from '../support/smart-sweep-records.js';
import { recordSweepAttempts, type SweepAttempts } from '../support/sweep-attempts.js';
import { expectNoProblems, newPage, requireBuiltAssets, useBrowser, visit } from './_ui-harness.js';

const row = (page: Page, trial: number) =>
  page.locator(`[data-testid="trial-row"][data-trial="${trial}"]`);

describeInBrowser('dashboard: the rungs of a hyperband sweep', () => {
  const chromium = useBrowser();
  let sweep: RecordedSweep;
  let attempts: SweepAttempts;
  let server: UiServer;
  // Undone last first, whatever beforeAll got to.
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    requireBuiltAssets();
    const root = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-rungs-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await mkdir(join(root, 'store'));
    const store = await openStore(join(root, 'store'));
    cleanups.push(() => store.close());
    // min_iter 3, eta 3: rungs at the 3rd and 9th report of the metric.
    sweep = await recordSmartSweep(store, { type: 'hyperband', min_iter: 3, eta: 3 }, [
      { lr: 0.01, reports: [0.5, 0.55, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.91] },
      { lr: 0.02, reports: [0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.85, 0.86] },
      // The best at rung 0, the worst of the three at rung 1: stopped there.
      { lr: 0.03, reports: [0.7, 0.75, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8] },
      { lr: 0.04, reports: [0.82, 0.84, 0.85, 0.86], end: 'dies' },
    ]);
    cleanups.push(() => sweep.close());
    attempts = await recordSweepAttempts(store, '20261124T100000000Z-a77e3b75');
    server = await startUiServer({ store, port: 0 });
    cleanups.push(() => server.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("shows the stopped trial's rule, rung and step, and the rung every other trial reached", async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${server.url.replace(/\/$/, '')}/sweeps/${sweep.sweepId}`, 'sweep');
      await expectCount(page.getByTestId('trial-row'), 4);

      const stopped = row(page, 2).getByTestId('stopped-by');
      await expectText(stopped, 'hyperband · rung 1 · step 9');
      await expectAttribute(stopped, 'title', sweep.stops[2]!);
      expect(sweep.stops[2]).toMatch(/^stopped by hyperband at step 9 \(rung 1\): accuracy 0\.8 /);
      // Its stopping line says where it was: no second line.
      await expectCount(row(page, 2).getByTestId('rung-reached'), 0);

      for (const [trial, best] of [
        [0, '0.9'],
        [1, '0.85'],
      ] as const) {
        const reached = row(page, trial).getByTestId('rung-reached');
        await expectText(reached, 'rung 1 · step 9');
        await expectAttribute(
          reached,
          'title',
          `reached rung 1 at step 9: best accuracy so far ${best}`,
        );
        await expectTextContaining(row(page, trial), [/finished/i]);
      }

      // Its agent died after rung 0: the run's status (lost once its heartbeats stop), not the
      // progress record's `running`.
      await expectTextContaining(row(page, 3), [/lost/i]);
      await expectText(row(page, 3).getByTestId('rung-reached'), 'rung 0 · step 3');
      await expectCount(page.getByTestId('trial-row').getByText(/running/i), 0);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
  it('shows a trial run again once per attempt, the replaced attempt marked and not counted', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await visit(page, `${server.url.replace(/\/$/, '')}/sweeps/${attempts.sweepId}`, 'sweep');
      await expectCount(page.getByTestId('trial-row'), 5);
      for (const trial of [0, 1]) {
        await expectCount(row(page, trial), 2);
        await expectCount(row(page, trial).getByTestId('replaced'), 1);
      }
      await expectText(row(page, 0).getByTestId('replaced'), 'replaced by a later attempt');
      await expectCount(row(page, 2).getByTestId('replaced'), 0);
      // The sweep's counts are by trial: 2 finished, 1 failed, none lost.
      const counts = page.locator('.status-counts .status-count');
      await expectCount(counts, 2);
      await expectTextContaining(counts.nth(0), [/finished/i, /2/]);
      await expectTextContaining(counts.nth(1), [/failed/i, /1/]);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });
});
