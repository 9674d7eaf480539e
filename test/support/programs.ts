/**
 * This repository's programs as the tests start them in child processes: plain `node` on built
 * JavaScript, never `node --import tsx`, which spends about half a second of CPU per start
 * transpiling what it imports (the suite starts hundreds of processes).
 *
 * - `src/**.ts` runs from `dist/`, the build `npm test` makes before the tests (the global setup,
 *   `global-setup.ts`, rebuilds it when a source file is newer, for a developer's `npx vitest`).
 * - The test workers (`TEST_PROGRAMS`) run from bundles the global setup makes once per test run,
 *   in which every import of `src/` points at `dist/`: the workers use the same build as the CLI.
 *
 * A user's own TypeScript script (exec, sweeps, reproduce, the examples) still runs with tsx, as
 * its user runs it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The workers the tests run as separate processes; the global setup bundles each. */
export const TEST_PROGRAMS = [
  'test/support/append-worker.ts',
  'test/support/endless-write-worker.ts',
  'test/support/log-worker.ts',
  'test/support/experiment-workers/racing-experiment.ts',
  'test/support/run-workers/command-parent.ts',
  'test/support/run-workers/joining-child.ts',
  'test/support/run-workers/training-worker.ts',
  'test/tracking/predictions-csv/read-predictions-worker.ts',
] as const;

/** The environment variable through which the global setup tells the tests where the bundles are. */
export const PROGRAMS_FOLDER_VARIABLE = 'ML_TRACKING_TEST_PROGRAMS';

/**
 * The JavaScript file that runs `file` (a path relative to the repository or absolute):
 * `src/a/b.ts` → `dist/a/b.js`; a test program → its bundle.
 * @throws Error when `file` is neither, or its bundle is missing (the global setup did not run).
 */
export function builtProgram(file: string): string {
  const path = relative(root, isAbsolute(file) ? file : join(root, file));
  if (path.startsWith(`src/`)) return join(root, 'dist', path.slice(4).replace(/\.ts$/, '.js'));
  if (!(TEST_PROGRAMS as readonly string[]).includes(path)) {
    throw new Error(
      `${path} is not one of TEST_PROGRAMS in test/support/programs.ts: add it there`,
    );
  }
  const folder = process.env[PROGRAMS_FOLDER_VARIABLE];
  const bundle = folder === undefined ? '' : join(folder, path.replace(/\.ts$/, '.mjs'));
  if (!existsSync(bundle)) {
    throw new Error(
      `no bundle of ${path}: run the tests with vitest (its global setup makes them)`,
    );
  }
  return bundle;
}

/** The built CLI, `dist/cli/main.js`. */
export const BUILT_CLI = builtProgram('src/cli/main.ts');
