import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEntry } from '../src/_child-entry.js';

describe('childEntry: where a child-process entry of the package is', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-child-entry-'));
    for (const folder of ['src/runs', 'dist/runs', 'installed/runs']) {
      await mkdir(join(root, folder), { recursive: true });
    }
    await writeFile(join(root, 'src/runs/_guard.ts'), '');
    await writeFile(join(root, 'src/runs/_only-source.ts'), '');
    await writeFile(join(root, 'dist/runs/_guard.js'), '');
    await writeFile(join(root, 'installed/runs/_guard.js'), '');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  const moduleIn = (folder: string) => pathToFileURL(join(root, folder, 'runs/caller.js')).href;

  it('is the built JavaScript beside the module in an installed package', () => {
    expect(childEntry(moduleIn('installed'), '_guard')).toEqual({
      file: join(root, 'installed/runs/_guard.js'),
      typescript: false,
    });
  });

  it("is the repository's build in dist/ when the module runs from src/", () => {
    expect(childEntry(moduleIn('src'), '_guard')).toEqual({
      file: join(root, 'dist/runs/_guard.js'),
      typescript: false,
    });
  });

  it('is the TypeScript source, to run with a loader, when nothing is built', () => {
    expect(childEntry(moduleIn('src'), '_only-source')).toEqual({
      file: join(root, 'src/runs/_only-source.ts'),
      typescript: true,
    });
  });
});
