/**
 * The dashboard as a Hono app over one store: JSON routes, stored files, the page's assets and
 * the page itself for every page URL. Nothing here writes to the store. Tests call
 * `app.request()` on it without opening a port; `startUiServer` serves it over HTTP.
 */
import { Hono } from 'hono';
import type { Store } from '../../store/types.js';
import type { StoreInfo } from '../api.js';
import { defaultAssetsFolder, loadAssets } from './_assets.js';
import { errorAnswer } from './_http.js';
import { loopbackHostsOnly, securityHeaders } from './_security.js';
import { RunIndex } from './run-index.js';
import { SeriesReader } from './series-reader.js';
import { experimentRoutes } from './routes/experiments.js';
import { fileRoutes } from './routes/files.js';
import { runRoutes } from './routes/runs.js';
import { SweepDescriptions, sweepRoutes } from './routes/sweeps.js';
import { SweepProgressCache } from './sweep-progress-cache.js';
import { TrackerCache } from './tracker-cache.js';

/** Options of {@link createUiApp}. */
export interface UiAppOptions {
  /** Where the built page is. @default `dist/ui/assets/` of the package */
  assetsFolder?: string;
  /** Answer only requests whose `Host` is a loopback name (see `loopbackHostsOnly`). @default false */
  loopbackHostsOnly?: boolean;
  /** Told about every error that became a 500, for the terminal; the page gets no stack trace. */
  onError?: (error: unknown) => void;
  /** Shown in the top bar. @default '' */
  version?: string;
  /** How old the run index may be before a request refreshes it. @default 5000 */
  indexMaxAgeMs?: number;
}

/** Page URLs the app knows; any other path is answered with the page and a 404 status. */
const PAGES = [
  /^\/$/,
  /^\/projects\/?$/,
  /^\/projects\/[^/]+\/?$/,
  /^\/compare\/?$/,
  /^\/experiments\/[^/]+\/?$/,
  /^\/runs\/?$/,
  /^\/runs\/[^/]+\/?$/,
  /^\/sweeps\/?$/,
  /^\/sweeps\/[^/]+\/?$/,
];

/**
 * The dashboard's app over `store`, read-only.
 * @example const app = createUiApp(await openStore('./ml-tracking')); await app.request('/api/runs');
 */
export function createUiApp(store: Store, options: UiAppOptions = {}): Hono {
  const app = new Hono();
  const runs = new RunIndex(
    store,
    options.indexMaxAgeMs === undefined ? {} : { maxAgeMs: options.indexMaxAgeMs },
  );
  // Loaded now, not at the first request: by the time a browser asks, the list is ready. A
  // failure here is not lost: the first request loads again and answers with its error.
  runs.refresh().catch(() => undefined);
  const sweeps = new SweepDescriptions(store);
  const trackers = new TrackerCache(store);
  const assets = loadAssets(options.assetsFolder ?? defaultAssetsFolder());

  if (options.loopbackHostsOnly === true) app.use('*', loopbackHostsOnly());
  app.use('*', securityHeaders());
  app.onError((error, c) => {
    const { status, body } = errorAnswer(error);
    if (status >= 500) options.onError?.(error);
    return c.json(body, status);
  });

  app.get('/api/store', (c) => {
    const body: StoreInfo = { url: store.url, kind: store.kind, version: options.version ?? '' };
    return c.json(body);
  });
  experimentRoutes(app, { store, trackers, runs, sweeps });
  runRoutes(app, store, runs, new SeriesReader(store));
  sweepRoutes(app, sweeps, runs, new SweepProgressCache(store));
  fileRoutes(app, store);

  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (asset === undefined)
      return c.json({ error: { code: 'ERR_NOT_FOUND', message: 'No such asset.' } }, 404);
    c.header('Content-Type', asset.contentType);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.bytes);
  });
  // Browsers ask for it on every page; the page has no icon, and a 404 would log an error.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.all('/api/*', (c) =>
    c.json(
      { error: { code: 'ERR_NOT_FOUND', message: `No API route ${c.req.method} ${c.req.path}.` } },
      404,
    ),
  );
  app.get('*', (c) => {
    const page = assets.get('index.html');
    if (page === undefined) {
      return c.text(
        'The dashboard page is not built: run `npm run build` in the ml-tracking folder, then start ml-tracking ui again.',
        500,
      );
    }
    const path = new URL(c.req.url).pathname;
    if (path === '/') return c.redirect('/projects');
    c.header('Content-Type', page.contentType);
    c.header('Cache-Control', 'no-cache');
    return c.body(page.bytes, PAGES.some((known) => known.test(path)) ? 200 : 404);
  });
  // Anything but GET (and HEAD, which Hono answers from GET) changes nothing here.
  app.all('*', (c) =>
    c.json(
      {
        error: { code: 'ERR_METHOD', message: 'The dashboard is read-only: only GET is answered.' },
      },
      405,
    ),
  );
  return app;
}
