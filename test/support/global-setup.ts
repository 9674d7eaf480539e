/**
 * Vitest's global setup, run once before any test file: it makes sure the programs the tests run
 * as child processes are built (see `programs.ts`).
 *
 * 1. `dist/` is rebuilt (`npm run build`) when a file under `src/` is newer than it, so that a
 *    developer's `npx vitest run` after an edit tests the edit. `npm test` built it just before.
 * 2. The test workers are bundled (`bundle-programs.ts`), for this run only.
 * 3. The user's cache folder (`XDG_CACHE_HOME`: the journal, the dashboard's run index cache,
 *    the query mirror) is a temporary folder of this run, so that tests neither read what the
 *    user's own runs left there nor leave files in their home.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleTestPrograms } from './bundle-programs.js';
import { root } from './programs.js';

/** The newest modification time of a file under `folder`, in ms. */
function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function ensureFreshDist(): void {
  const built = (() => {
    try {
      return statSync(join(root, 'dist', 'index.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built >= newestMtime(join(root, 'src'))) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the tests need dist/');
}

export default async function setup(): Promise<() => void> {
  ensureFreshDist();
  // The test workers, forked after this, inherit the bundles' folder and the cache folder in
  // their environment, and so do the processes they start.
  const cache = mkdtempSync(join(tmpdir(), 'ml-tracking-test-cache-'));
  process.env.XDG_CACHE_HOME = cache;
  const removeBundles = await bundleTestPrograms();
  return () => {
    removeBundles();
    rmSync(cache, { recursive: true, force: true });
  };
}
