/**
 * Bundles the test workers (`TEST_PROGRAMS`) with esbuild, with their imports of `src/` pointing
 * at `dist/`, into a folder of their own (one per test run or benchmark, so that two runs at once
 * never read each other's half-written bundles). The folder is under `node_modules/`, so the
 * bundles' imports of packages resolve as the sources' do. `builtProgram()` finds it through
 * `PROGRAMS_FOLDER_VARIABLE`, set here for this process and the processes it starts after.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { PROGRAMS_FOLDER_VARIABLE, TEST_PROGRAMS, root } from './programs.js';

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

/** Makes the bundles; resolves a function that removes them. */
export async function bundleTestPrograms(): Promise<() => void> {
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
  process.env[PROGRAMS_FOLDER_VARIABLE] = folder;
  return () => {
    rmSync(folder, { recursive: true, force: true });
  };
}
