/**
 * `/files/<path>`: the stored outputs of an experiment (plots, predictions, scoring and confusion
 * tables) for the page to show or download. Only those folders, only names that carry a
 * prediction id, only plain segments: nothing else in the store, and nothing outside it, can be
 * asked for.
 */
import type { Hono } from 'hono';
import { NotFoundError } from '../../../errors.js';
import { predictionIdOfOutput, predictionOutputFolders } from '../../../layout/paths.js';
import type { Store } from '../../../store/types.js';
import { notFound } from '../_http.js';

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The store path a `/files/…` URL names, or `undefined` when it names nothing we serve. */
export function servedPath(urlPath: string): string | undefined {
  if (!urlPath.startsWith('/files/')) return undefined;
  const segments: string[] = [];
  for (const raw of urlPath.slice('/files/'.length).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Each segment a plain name: no `.`/`..`, no separators or control characters once decoded.
    if (!/^[\w.-]+$/.test(segment) || /^\.+$/.test(segment)) return undefined;
    segments.push(segment);
  }
  const path = segments.join('/');
  const folder = predictionOutputFolders().find((prefix) => path.startsWith(prefix));
  if (folder === undefined || path.slice(folder.length).includes('/')) return undefined;
  if (predictionIdOfOutput(path) === undefined) return undefined;
  return /\.(png|csv|vl\.json)$/.test(path) ? path : undefined;
}

export function fileRoutes(app: Hono, store: Store): void {
  app.get('/files/*', async (c) => {
    const path = servedPath(new URL(c.req.url).pathname);
    if (path === undefined) throw notFound('That file');
    let bytes: Uint8Array;
    try {
      bytes = await store.read(path);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(`File ${path}`);
      throw error;
    }
    const extension = path.slice(path.lastIndexOf('.') + 1);
    const name = path.slice(path.lastIndexOf('/') + 1);
    c.header('Content-Type', CONTENT_TYPES[extension] ?? 'application/octet-stream');
    if (extension === 'csv') c.header('Content-Disposition', `attachment; filename="${name}"`);
    c.header('Cache-Control', 'no-cache');
    return c.body(bytes as Uint8Array<ArrayBuffer>);
  });
}
