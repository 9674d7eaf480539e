/**
 * Headless Chromium for the dashboard's tests: Debian's `chromium` driven by `playwright-core`
 * (Playwright's own browser download cannot be reached from these machines; `.ci/run` installs
 * the Debian package). A page is watched for what a person would never notice but a test must:
 * errors, script errors, Content-Security-Policy violations, dialogs (an `alert()` from markup
 * that became HTML), and requests that leave the machine (the page must work offline).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or `undefined` when they can. On CI (`CI` set) a
 * missing browser is an error, never a skip: CI installs it.
 */
export const browserSkipReason: string | undefined = (() => {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} does not exist: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH to a Chromium binary`;
  if (process.env.CI) throw new Error(`browser tests cannot run on CI: ${reason}`);
  return reason;
})();

/** `describe` for tests that need the browser: skipped, with the reason printed, without one. */
export function describeInBrowser(name: string, body: () => void): void {
  if (browserSkipReason !== undefined) {
    console.warn(`skipping "${name}": ${browserSkipReason}`);
  }
  describe.skipIf(browserSkipReason !== undefined)(name, body);
}

/** Starts headless Chromium (root needs `--no-sandbox`). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox'],
    headless: true,
  });
}

/** The size screenshots are taken at, and every page is opened at. */
export const VIEWPORT = { width: 1280, height: 800 };

/** A page and what it reported. */
export interface WatchedPage {
  page: Page;
  /** `console.error` and `console.warn` messages (Chromium logs CSP refusals there too). */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** `securitypolicyviolation` events: the directive and what was blocked. */
  cspViolations: string[];
  /** Messages of `alert()`, `confirm()`, `prompt()` (each one dismissed). */
  dialogs: string[];
  /** Requests to anything but this machine: the page must need no network (no CDN). */
  foreignRequests: string[];
  /** Everything above, one line each: what a test expects to be empty. */
  problems(): string[];
}

/** A fresh page (its own context) at {@link VIEWPORT}, watched. */
export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // Well under the test's own timeout, so a missing element fails with Playwright's message.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const watched: WatchedPage = {
    page,
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    dialogs: [],
    foreignRequests: [],
    problems: () => [
      ...watched.consoleErrors.map((text) => `console: ${text}`),
      ...watched.pageErrors.map((text) => `page error: ${text}`),
      ...watched.cspViolations.map((text) => `CSP violation: ${text}`),
      ...watched.dialogs.map((text) => `dialog: ${text}`),
      ...watched.foreignRequests.map((url) => `request off this machine: ${url}`),
    ],
  };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      const { url } = message.location();
      watched.consoleErrors.push(`${message.type()} ${message.text()}${url ? ` (${url})` : ''}`);
    }
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (!local && !['data:', 'blob:', 'about:'].includes(url.protocol)) {
      watched.foreignRequests.push(request.url());
    }
  });
  page.on('pageerror', (error) => watched.pageErrors.push(error.stack ?? error.message));
  page.on('dialog', (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => {
    watched.cspViolations.push(text);
  });
  // Injected by the browser itself (CDP), so the page's own CSP does not block this listener.
  await page.addInitScript(`
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__reportCspViolation(
        event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
          ' at ' + event.sourceFile + ':' + event.lineNumber + ' ' + (event.sample || ''),
      );
    });
  `);
  return watched;
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `dashboards/screenshots/`: the screenshots the README shows. */
export const SCREENSHOTS_FOLDER = join(repositoryRoot, 'dashboards', 'screenshots');

let screenshotTemp: Promise<string> | undefined;

/**
 * Takes a screenshot of the viewport as `<name>.png` into a temporary folder (its path is
 * printed) and, with `UPDATE_SCREENSHOTS=1`, into `dashboards/screenshots/` as well. Resolves
 * the temporary file's path.
 */
export async function takeScreenshot(page: Page, name: string): Promise<string> {
  screenshotTemp ??= mkdtemp(join(tmpdir(), 'ml-tracking-ui-screenshots-'));
  const folder = await screenshotTemp;
  const png = await page.screenshot({ fullPage: false });
  const path = join(folder, `${name}.png`);
  await writeFile(path, png);
  console.log(`screenshot ${name}: ${path}`);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await mkdir(SCREENSHOTS_FOLDER, { recursive: true });
    await writeFile(join(SCREENSHOTS_FOLDER, `${name}.png`), png);
  }
  return path;
}
