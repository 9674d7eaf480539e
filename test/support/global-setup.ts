/**
 * Vitest's global setup, run once before any test file: it makes sure the programs the tests run
 * as child processes are built (see `programs.ts`).
 *
 * 1. `dist/` is rebuilt (`npm run build`) when a file under `src/` is newer than it, so that a
 *    developer's `npx vitest run` after an edit tests the edit. `npm test` built it just before.
 * 2. The test workers are bundled with esbuild into a folder of this run (removed at the end; one
 *    per run, so that two test runs at once never read each other's half-written bundles), with
 *    their imports of `src/` pointing at `dist/`. The folder is under `node_modules/`, so the
 *    bundles' imports of packages resolve as the sources' do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { PROGRAMS_FOLDER_VARIABLE, TEST_PROGRAMS, root } from './programs.js';

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

/** Rewrites every import that resolves into `src/` to the same module in `dist/`. */
const sourcesFromDist: Plugin = {
  name: 'sources-from-dist',
  setup(context) {
    context.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = relative(root, join(args.resolveDir, args.path));
      if (!target.startsWith('src/')) return undefined;
      return { path: join(root, 'dist', target.slice(4)), external: true };
    });
  },
};

async function bundleTestPrograms(): Promise<string> {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const folder = mkdtempSync(join(cache, 'ml-tracking-test-programs-'));
  await build({
    entryPoints: [...TEST_PROGRAMS].map((program) => join(root, program)),
    outbase: root,
    outdir: folder,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [sourcesFromDist],
    logLevel: 'warning',
  });
  return folder;
}

export default async function setup(): Promise<() => void> {
  ensureFreshDist();
  const folder = await bundleTestPrograms();
  // The test workers (forked after this) inherit the variable.
  process.env[PROGRAMS_FOLDER_VARIABLE] = folder;
  return () => {
    rmSync(folder, { recursive: true, force: true });
  };
}
