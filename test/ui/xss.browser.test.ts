// Strings from the store are text, never HTML: a model, run, labels, hyperparameters, a tag and log
// lines that are markup (`<img src=x onerror=alert(1)>`, `<script>alert(1)</script>`) show
// literally on every page, create no element and run nothing; the page's policy forbids inline
// scripts and the page breaks none of it. Unknown pages and ids show "not found", no stack trace.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInBrowser, expectTextContaining } from '../support/browser.js';
import { EVIL_IMG, EVIL_SCRIPT } from '../support/ui-store.js';
import {
  expectNoProblems,
  newPage,
  readyPage,
  requireBuiltAssets,
  STACK_TRACE,
  useBrowser,
  useSeededUi,
} from './_ui-harness.js';

/** Elements the markup would create if it were parsed as HTML. */
async function injectedElements(page: Page): Promise<number> {
  return (
    (await page.locator('img[src="x"]').count()) +
    (await page.locator('script:not([src])').count()) +
    (await page.locator('[onerror]').count())
  );
}

describeInBrowser('dashboard: markup from the store stays text', () => {
  const ui = useSeededUi('local', { sweepTrials: 3 });
  const chromium = useBrowser();
  beforeAll(requireBuiltAssets);

  it('shows markup literally on every page that shows it, and runs nothing', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const { seeded } = ui;
    const visits: { url: string; name: string; shows: string[] }[] = [
      { url: '/projects', name: 'projects', shows: [seeded.projects.evil] },
      { url: `/projects/${seeded.projects.evil}`, name: 'experiments', shows: [EVIL_IMG] },
      {
        url: `/experiments/${seeded.experiments.evil}`,
        name: 'experiment',
        shows: [EVIL_IMG, EVIL_SCRIPT],
      },
      {
        url: `/compare?ids=${seeded.experiments.evil},${seeded.experiments.forest}`,
        name: 'compare',
        shows: [EVIL_IMG, EVIL_SCRIPT],
      },
      { url: `/runs?project=${seeded.projects.evil}`, name: 'runs', shows: [EVIL_IMG] },
      { url: `/runs?select=${seeded.runs.evil}`, name: 'runs', shows: [EVIL_IMG, EVIL_SCRIPT] },
      { url: `/runs?q=${encodeURIComponent('<script>')}`, name: 'runs', shows: [EVIL_IMG] },
      { url: `/runs/${seeded.runs.evil}`, name: 'run', shows: [EVIL_IMG, EVIL_SCRIPT] },
    ];
    try {
      for (const { url, name, shows } of visits) {
        const response = await page.goto(`${ui.base}${url}`);
        const policy = response?.headers()['content-security-policy'] ?? '';
        const scriptSources = /(?:^|;)\s*script-src\s+([^;]*)/
          .exec(policy)?.[1]
          ?.trim()
          .split(/\s+/);
        expect(scriptSources, `${url}: script-src of ${policy}`).toEqual(["'self'"]);
        const root = await readyPage(page, name);
        for (const text of shows) {
          await expect
            .poll(() => root.innerText(), { message: `${url} shows ${text}` })
            .toContain(text);
        }
        expect(await injectedElements(page), url).toBe(0);
      }
      // The log and the run's hyperparameters, on the run page (the last visit). The log arrives
      // after the page is ready, by its own request: it said "Loading…" here on a busy machine.
      await expectTextContaining(page.getByTestId('run-log'), [EVIL_SCRIPT]);
      await expectTextContaining(page.getByTestId('run-hyperparameters'), [EVIL_SCRIPT]);
      // A chart whose tag is markup.
      await page
        .locator('[data-testid="chart"][data-state="drawn"]')
        .filter({ hasText: EVIL_SCRIPT })
        .waitFor({ timeout: 10_000 });
      expect(await injectedElements(page)).toBe(0);
      expect(watched.dialogs).toEqual([]);
      expect(watched.cspViolations).toEqual([]);
      expectNoProblems(watched);
    } finally {
      await page.context().close();
    }
  });

  it('the policy stops an inline script even if one got into the page', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    try {
      await page.goto(`${ui.base}/projects`);
      await readyPage(page, 'projects');
      const ran = await page.evaluate(async () => {
        const scope = globalThis as unknown as {
          document: {
            createElement(name: string): { textContent: string };
            body: { append(node: unknown): void };
          };
          __inlineRan?: boolean;
        };
        const script = scope.document.createElement('script');
        script.textContent = 'globalThis.__inlineRan = true';
        scope.document.body.append(script);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return scope.__inlineRan === true;
      });
      expect(ran).toBe(false);
      await expect.poll(() => watched.cspViolations.length).toBeGreaterThan(0);
      expect(watched.cspViolations[0]).toMatch(/^script-src/);
    } finally {
      await page.context().close();
    }
  });

  it('shows "not found" for unknown pages and ids, without a stack trace', async () => {
    const watched = await newPage(chromium.browser);
    const { page } = watched;
    const urls = [
      '/runs/20990101T000000000Z-deadbeef',
      '/sweeps/nope',
      `/experiments/${randomUUID()}`,
      '/projects/no-such-project',
      '/no/such/page',
      // Markup and paths in the URL itself: shown as text too, and never reaching a file.
      `/projects/${encodeURIComponent(EVIL_IMG)}`,
      `/sweeps/${encodeURIComponent(EVIL_SCRIPT)}`,
      `/experiments/${encodeURIComponent(EVIL_IMG)}`,
      `/runs/${encodeURIComponent('../../etc/passwd')}`,
    ];
    try {
      for (const url of urls) {
        await page.goto(`${ui.base}${url}`);
        const notFound = page.getByTestId('not-found');
        // A way back.
        await notFound.getByRole('link').first().waitFor();
        // The whole page as it stays: the top bar names the store by a request of its own.
        await expect
          .poll(() => page.locator('header .store').innerText(), { message: url })
          .toMatch(/\S/);
        const text = await page.locator('body').innerText();
        expect(text, url).not.toMatch(STACK_TRACE);
        expect(text, url).not.toMatch(/\bError\b:|TypeError|undefined is not/);
        expect(await injectedElements(page), url).toBe(0);
        expect(text, url).not.toContain('root:x:0:0');
      }
      await page.goto(`${ui.base}/compare?ids=${encodeURIComponent(`${EVIL_IMG},${EVIL_SCRIPT}`)}`);
      await page.getByTestId('page-compare').and(page.locator('[data-state="error"]')).waitFor();
      expect(await injectedElements(page)).toBe(0);
      expect(watched.dialogs).toEqual([]);
      expect(watched.cspViolations).toEqual([]);
      // The failed requests behind these pages are 404s the browser reports; nothing else.
      expectNoProblems(watched, [/status of 404/]);
    } finally {
      await page.context().close();
    }
  });
});
