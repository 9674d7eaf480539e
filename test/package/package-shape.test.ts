import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * The package as users load it: built files through the `exports` map, by name. `npm test`
 * builds before it runs the tests.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The node_modules packages an ES import of `specifier` resolves, by package name. */
async function packagesLoadedBy(specifier: string): Promise<Set<string>> {
  const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-loads-'));
  const record = join(folder, 'loads.txt');
  try {
    await run(
      process.execPath,
      [
        '--import',
        './test/package/record-loads.mjs',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(specifier)});`,
      ],
      { cwd: root, env: { ...process.env, RECORD_LOADS: record } },
    );
    const urls = (await readFile(record, 'utf8')).split('\n');
    return new Set(
      urls.flatMap((url) => {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
        return match?.[1] === undefined ? [] : [match[1]];
      }),
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

describe('the published package', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
    }
  });

  it('loads with require() from a .cjs file, root and subpaths alike', async () => {
    const { stdout } = await run(process.execPath, ['test/package/require-package.cjs'], {
      cwd: root,
    });
    const keys = JSON.parse(stdout) as Record<string, string[]>;
    expect(keys.root).toEqual(
      expect.arrayContaining(['logExperiment', 'openStore', 'ValidationError']),
    );
    expect(keys.store).toEqual(expect.arrayContaining(['openStore', 'checkStore', 'StoreError']));
    expect(keys.metrics).toEqual(
      expect.arrayContaining(['classificationMetrics', 'regressionMetrics']),
    );
    expect(keys.looker).toEqual(expect.arrayContaining(['lookerLinkingUrl', 'bigQueryDdl']));
    expect(keys.ui).toEqual(['createUiApp', 'startUiServer']);
  });

  it('ml-tracking/store loads neither the renderer, the metrics nor the GCS client', async () => {
    const loaded = await packagesLoadedBy('ml-tracking/store');
    // The local driver's lock library is there: the hook does see what is loaded.
    expect(loaded).toContain('proper-lockfile');
    for (const heavy of [
      'vega',
      'vega-lite',
      '@resvg/resvg-js',
      'ml-confusion-matrix',
      '@google-cloud/storage',
      'ml-random-forest',
    ]) {
      expect(loaded, heavy).not.toContain(heavy);
    }
  });

  it('the root entry defers the renderer and the demo to their first use', async () => {
    const loaded = await packagesLoadedBy('ml-tracking');
    expect(loaded).toContain('slugify');
    for (const deferred of ['vega', '@resvg/resvg-js', 'opentype.js', 'ml-random-forest']) {
      expect(loaded, deferred).not.toContain(deferred);
    }
  });

  it('declares the engines it is tested on, with require(esm) support', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
  });

  it('builds its command executable, so that the clone itself can run it by its path', async () => {
    // `npx ml-tracking` in a clone runs the bin through a link npx made once in its cache; a
    // fresh clone at the same path finds that link, and npm no longer marks the new file
    // executable: the README's first command failed with "Permission denied".
    const bin = join(root, 'dist', 'cli', 'main.js');
    const { stdout } = await run(bin, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
