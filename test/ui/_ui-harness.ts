/**
 * Shared by the dashboard tests: a seeded store (a local folder or the GCS fake), the server over
 * it on a free port, headless Chromium, and the checks every page visit ends with.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server/start-ui-server.js';
import { launchBrowser, openWatchedPage, type WatchedPage } from '../support/browser.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { seedUiStore, type SeededUi, type SeedUiOptions } from '../support/ui-store.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The built page; the server serves it from here. */
export const ASSETS_FOLDER = join(repositoryRoot, 'dist', 'ui', 'assets');

/** Fails with what to do when the page was not built (npm test builds before vitest). */
export function requireBuiltAssets(): void {
  if (!existsSync(join(ASSETS_FOLDER, 'index.html'))) {
    throw new Error(
      `${ASSETS_FOLDER}/index.html is missing: run \`npm run build\` first (npm test does)`,
    );
  }
}

export type UiStoreKind = 'local' | 'gcs-fake';

/** A seeded store and the dashboard over it, for one test file. */
export interface UiSubject {
  readonly store: Store;
  readonly seeded: SeededUi;
  /** The local store's folder (`undefined` on the GCS fake). */
  readonly folder: string | undefined;
  /** The fake, on `gcs-fake`. */
  readonly fake: GcsFake | undefined;
  readonly server: UiServer;
  /** `http://127.0.0.1:PORT` without the trailing slash, so `${base}/runs` reads well. */
  readonly base: string;
}

/**
 * Seeds a store of `kind` and starts the server over it before the file's tests (one store per
 * file: seeding takes seconds); stops and removes both after them.
 */
export function useSeededUi(kind: UiStoreKind, options: SeedUiOptions = {}): UiSubject {
  let subject: UiSubject | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    let store: Store;
    let folder: string | undefined;
    let fake: GcsFake | undefined;
    if (kind === 'local') {
      const root = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-'));
      folder = join(root, 'store');
      await mkdir(folder);
      store = await openStore(folder);
      cleanup = async () => {
        await store.close();
        await rm(root, { recursive: true, force: true });
      };
    } else {
      const started = await startGcsFake();
      fake = started;
      store = await openStore(`gs://runs-bucket/${randomUUID()}`, {
        storage: started.createClient(),
      });
      cleanup = async () => {
        await store.close();
        await started.stop();
      };
    }
    const seeded = await seedUiStore(store, options);
    const server = await startUiServer({ store, port: 0 });
    const base = server.url.replace(/\/$/, '');
    const stopStore = cleanup;
    cleanup = async () => {
      await server.close();
      await stopStore();
    };
    subject = { store, seeded, folder, fake, server, base };
  });
  afterAll(async () => {
    await cleanup?.();
  });
  const get = (): UiSubject => {
    if (subject === undefined) throw new Error('the seeded dashboard is not started yet');
    return subject;
  };
  return {
    get store() {
      return get().store;
    },
    get seeded() {
      return get().seeded;
    },
    get folder() {
      return get().folder;
    },
    get fake() {
      return get().fake;
    },
    get server() {
      return get().server;
    },
    get base() {
      return get().base;
    },
  };
}

/**
 * One headless Chromium for a test file. `expect.poll` waits up to 10 s there (vitest's default
 * is 1 s): a page answers in milliseconds, but `npm test` runs every tier at once on two cores.
 */
export function useBrowser(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 50 } } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    vi.resetConfig();
    await browser?.close();
  });
  return {
    get browser() {
      if (browser === undefined) throw new Error('the browser is not started yet');
      return browser;
    },
  };
}

/** A fresh watched page; close it with `page.context().close()`. */
export function newPage(browser: Browser): Promise<WatchedPage> {
  return openWatchedPage(browser);
}

/** The root of page `name` once its data is on screen (`data-state="ready"`). */
export async function readyPage(page: Page, name: string): Promise<Locator> {
  const root = page.getByTestId(`page-${name}`);
  await root.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 10_000 });
  return root;
}

/** Opens `url` and waits for page `name` to be ready. */
export async function visit(page: Page, url: string, name: string): Promise<Locator> {
  await page.goto(url);
  return readyPage(page, name);
}

/** Expects a page to have reported nothing wrong (errors, CSP violations, dialogs). */
export function expectNoProblems(watched: WatchedPage, allowed: RegExp[] = []): void {
  expect(
    watched.problems().filter((line) => !allowed.some((pattern) => pattern.test(line))),
  ).toEqual([]);
}

/** Text that gives a stack trace away. */
export const STACK_TRACE = /\bat \S+ \(|node:internal|\.(?:ts|js|mjs):\d+:\d+|\n\s+at /;

/** Every file under `folder` (hidden ones too) with its size and modification time. */
export async function folderSnapshot(folder: string): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const name of await readdir(folder, { recursive: true })) {
    const info = await stat(join(folder, name));
    if (info.isFile()) snapshot.set(name, `${info.size} ${info.mtimeMs}`);
  }
  return snapshot;
}

/** Every object of the store with its generation and size. */
export async function storeSnapshot(store: Store): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for await (const object of store.listAll()) {
    snapshot.set(object.path, `${object.generation} ${object.size}`);
  }
  return snapshot;
}

/** The cells of one column (by its header's `sort-<metric>` button) of a table, top to bottom. */
export async function columnCells(table: Locator, sortTestId: string): Promise<string[]> {
  const headers = await table.locator('thead th').all();
  let column = -1;
  for (const [index, header] of headers.entries()) {
    if ((await header.getByTestId(sortTestId).count()) > 0) column = index;
  }
  expect(column, `no header holds ${sortTestId}`).toBeGreaterThanOrEqual(0);
  return table.locator(`tbody tr > :nth-child(${column + 1})`).allInnerTexts();
}

/** Numbers of cells as shown (`0.9`, `0.900`, `90%`…); NaN for an empty cell. */
export const asNumbers = (cells: string[]): number[] =>
  cells.map((cell) => Number.parseFloat(cell.replace(/[^\d.eE+-]/g, '')));

/** A number marker the test sets on `window`; gone after a navigation that reloads the page. */
export async function markWindow(page: Page): Promise<string> {
  const marker = randomUUID();
  await page.evaluate((value) => {
    (globalThis as unknown as Record<string, string>).__uiTestMarker = value;
  }, marker);
  return marker;
}

/** The marker set by {@link markWindow}, `undefined` after a reload. */
export function readWindowMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => (globalThis as unknown as Record<string, string | undefined>).__uiTestMarker,
  );
}

/** The numeric value of a data attribute (`data-draws`, `data-points`, …). */
export async function numberAttribute(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/** One attribute of every element `locator` finds, in document order. */
export function attributeValues(locator: Locator, name: string): Promise<(string | null)[]> {
  return locator.evaluateAll(
    (elements, attribute) =>
      elements.map((element) =>
        (element as unknown as { getAttribute(name: string): string | null }).getAttribute(
          attribute,
        ),
      ),
    name,
  );
}

/** Scrolls every image into view (they may load lazily) and expects each to decode. */
export async function expectImagesLoad(images: Locator): Promise<void> {
  // Images come with the page's data, in one render: once there is one, there are all.
  await images.first().waitFor();
  const count = await images.count();
  for (let index = 0; index < count; index++) {
    const image = images.nth(index);
    await image.scrollIntoViewIfNeeded();
    await expect
      .poll(
        () =>
          image.evaluate((element) => {
            const img = element as unknown as { complete: boolean; naturalWidth: number };
            return img.complete ? img.naturalWidth : -1;
          }),
        { timeout: 10_000, message: `image ${index + 1} of ${count} did not load` },
      )
      .toBeGreaterThan(0);
  }
}

/**
 * Scrolls the page so that `locator` starts `below` pixels from the top of the window (under the
 * top bar, with room for its heading): what a screenshot of that part of a page needs.
 */
export async function scrollToShow(page: Page, locator: Locator, below = 80): Promise<void> {
  const box = await locator.boundingBox();
  if (box === null) throw new Error('the element to scroll to is not on the page');
  await page.evaluate((y) => {
    (globalThis as unknown as { scrollBy(x: number, y: number): void }).scrollBy(0, y);
  }, box.y - below);
}
