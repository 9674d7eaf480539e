import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunContext } from '../../src/tracking/run-context.js';

const run = promisify(execFile);

describe('readRunContext', () => {
  let repo: string;
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: repo,
    });

  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'ml-tracking-git-'));
    await git('init', '--quiet');
    await writeFile(join(repo, 'train.ts'), 'train();\n');
    await writeFile(join(repo, '.gitignore'), 'data/\n*.log\n');
    await git('add', 'train.ts', '.gitignore');
    await git('commit', '--quiet', '-m', 'first');
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('reads the commit, and a clean tree as clean', async () => {
    const { stdout } = await git('rev-parse', 'HEAD');
    expect(await readRunContext(repo)).toMatchObject({
      gitCommit: stdout.trim(),
      gitDirty: false,
    });
  });

  it('counts an uncommitted (untracked) training script as dirty', async () => {
    await writeFile(join(repo, 'train-v2.ts'), 'trainBetter();\n');
    expect((await readRunContext(repo)).gitDirty).toBe(true);
  });

  it('counts an untracked file in a new folder as dirty', async () => {
    await mkdir(join(repo, 'models'));
    await writeFile(join(repo, 'models', 'net.ts'), 'export {};\n');
    expect((await readRunContext(repo)).gitDirty).toBe(true);
  });

  it('ignores what .gitignore ignores', async () => {
    await mkdir(join(repo, 'data'));
    await writeFile(join(repo, 'data', 'train.csv'), 'a,b\n');
    await writeFile(join(repo, 'run.log'), 'epoch 1\n');
    expect((await readRunContext(repo)).gitDirty).toBe(false);
  });

  it('counts a change to a tracked file as dirty', async () => {
    await writeFile(join(repo, 'train.ts'), 'train({ epochs: 2 });\n');
    expect((await readRunContext(repo)).gitDirty).toBe(true);
  });

  it('does not count the local store folder inside the repository', async () => {
    const store = join(repo, 'results', 'ml-tracking');
    const context = readRunContext(repo, { exclude: [store] });
    await mkdir(join(store, 'projects'), { recursive: true });
    await writeFile(join(store, 'projects', 'tracker.csv'), 'prediction_id\n');
    expect((await context).gitDirty).toBe(false);
    expect((await readRunContext(repo, { exclude: [store] })).gitDirty).toBe(false);
    // Only that folder: a script beside it still counts.
    await writeFile(join(repo, 'results', 'notes.ts'), 'export {};\n');
    expect((await readRunContext(repo, { exclude: [store] })).gitDirty).toBe(true);
    // A store outside the repository changes nothing.
    expect((await readRunContext(repo, { exclude: [tmpdir()] })).gitDirty).toBe(true);
  });

  it('records no git state outside a repository', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'ml-tracking-nogit-'));
    try {
      expect(await readRunContext(outside)).toMatchObject({
        gitCommit: undefined,
        gitDirty: undefined,
      });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
