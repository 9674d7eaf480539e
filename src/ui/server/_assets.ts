/**
 * The page's files, built by `scripts/build-ui.mjs` into `dist/ui/assets/` and read into memory
 * once: a few hundred kilobytes, served by name only, so no URL can reach another file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One file of the page. */
export interface Asset {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
}

/**
 * The built assets by file name. From `dist/`, they sit beside this module's folder; from
 * `src/` (tests run the TypeScript), in `dist/ui/assets/` of the repository.
 */
export function defaultAssetsFolder(): string {
  const beside = fileURLToPath(new URL('../assets/', import.meta.url));
  return existsSync(beside)
    ? beside
    : fileURLToPath(new URL('../../../dist/ui/assets/', import.meta.url));
}

/** Reads every file of `folder`; an empty map when the page was not built. */
export function loadAssets(folder: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(folder)) return assets;
  for (const name of readdirSync(folder)) {
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = TYPES[extension];
    if (contentType === undefined) continue;
    assets.set(name, { bytes: new Uint8Array(readFileSync(join(folder, name))), contentType });
  }
  return assets;
}
