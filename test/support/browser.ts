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
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { describe, expect, vi } from 'vitest';

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

/**
 * `UI_TEST_API_DELAY_MS=<ms>`: every answer of the dashboard's API reaches the page after a
 * random delay of up to that many milliseconds, so answers come late and out of order, as on a
 * loaded machine. A test that reads what has not arrived yet fails at once with it instead of
 * once in many CI runs; the tests must pass with it (`UI_TEST_API_DELAY_MS=1500` is a good check).
 */
const API_DELAY_MS = Number(process.env.UI_TEST_API_DELAY_MS ?? 0);

/** A fresh page (its own context) at {@link VIEWPORT}, watched. */
export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // Well under the test's own timeout, so a missing element fails with Playwright's message.
  context.setDefaultTimeout(10_000);
  if (API_DELAY_MS > 0) {
    await context.route('**/api/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * API_DELAY_MS));
      await route.continue().catch((error: unknown) => {
        // The test closed its page while the answer was held back.
        if (!String(error).includes('closed')) throw error;
      });
    });
  }
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

/**
 * How long a test waits for what it reads on a page. A page answers in milliseconds, but CI
 * shares two cores with other work; every wait ends as soon as its condition holds.
 */
export const WAIT_MS = 10_000;

const pollOptions = (message: string | undefined): { timeout: number; message?: string } =>
  message === undefined ? { timeout: WAIT_MS } : { timeout: WAIT_MS, message };

/**
 * Retries `check` (it reads the page and asserts) until it passes, for at most {@link WAIT_MS};
 * resolves what it returned. For reads whose values are used afterwards, and for several
 * assertions that must hold of one state of the page; a failure reports the last attempt's.
 */
export function eventually<T>(check: () => Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: WAIT_MS, interval: 50 });
}

/**
 * Waits until the text of `locator` is `expected` (a pattern: matches it) and resolves that text:
 * a page fills itself in after it loads, so text read once may be "Loading…".
 */
export async function expectText(
  locator: Locator,
  expected: string | RegExp,
  message?: string,
): Promise<string> {
  let text = '';
  const poll = expect.poll(async () => (text = await locator.innerText()), pollOptions(message));
  await (typeof expected === 'string' ? poll.toBe(expected) : poll.toMatch(expected));
  return text;
}

/**
 * Waits until the text of `locator` holds every one of `parts` (strings, or patterns it must
 * match) and resolves that text, so that what it must not hold is checked on the full text.
 */
export function expectTextContaining(
  locator: Locator,
  parts: readonly (string | RegExp)[],
  message?: string,
): Promise<string> {
  return eventually(async () => {
    const text = await locator.innerText();
    for (const part of parts) {
      if (typeof part === 'string') expect(text, message).toContain(part);
      else expect(text, message).toMatch(part);
    }
    return text;
  });
}

/** Waits until the texts of the elements `locator` finds are `expected`, in document order. */
export async function expectTexts(
  locator: Locator,
  expected: readonly string[],
  message?: string,
): Promise<void> {
  await expect.poll(() => locator.allInnerTexts(), pollOptions(message)).toEqual(expected);
}

/**
 * Waits until attribute `name` of `locator` is `expected` (a pattern: matches it; `null`: absent)
 * and resolves its value.
 */
export async function expectAttribute(
  locator: Locator,
  name: string,
  expected: string | RegExp | null,
  message?: string,
): Promise<string | null> {
  let value: string | null = null;
  const poll = expect.poll(
    async () => (value = await locator.getAttribute(name)),
    pollOptions(message),
  );
  await (expected instanceof RegExp ? poll.toMatch(expected) : poll.toBe(expected));
  return value;
}

/** Waits until `locator` finds `expected` elements. */
export async function expectCount(
  locator: Locator,
  expected: number,
  message?: string,
): Promise<void> {
  await expect.poll(() => locator.count(), pollOptions(message)).toBe(expected);
}
