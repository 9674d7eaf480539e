import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where and from which code an experiment was logged. */
export interface RunContext {
  /** `undefined` outside a git work tree or without git. */
  gitCommit: string | undefined;
  /**
   * Whether the work tree differs from the commit: a tracked file changed, or a file git does not
   * ignore is not committed yet (an untracked training script counts). `undefined` when unknown.
   */
  gitDirty: boolean | undefined;
  /**
   * What makes the tree dirty, as `git status --porcelain` lists it (`M train.py`,
   * `?? models/new.py`): for messages that name the files. Absent when clean or unknown.
   */
  dirtyFiles?: string[];
  host: string;
}

/** Options of {@link readRunContext}. */
export interface ReadRunContextOptions {
  /**
   * Folders whose changes do not make the tree dirty: a local store inside the repository, which
   * every logged experiment writes to (else the second run would always read as dirty).
   */
  exclude?: readonly string[];
}

/** Reads the commit and dirty flag of the work tree at `cwd` (no shell, bounded time). */
export async function readRunContext(
  cwd: string,
  options: ReadRunContextOptions = {},
): Promise<RunContext> {
  const git = async (...args: string[]) =>
    (await run('git', args, { cwd, timeout: 5_000, windowsHide: true })).stdout;
  let commit: string;
  let top: string;
  try {
    [commit = '', top = ''] = (await git('rev-parse', 'HEAD', '--show-toplevel')).split('\n');
  } catch {
    // Not a repository, no commits yet, or no git installed: record that we do not know.
    return { gitCommit: undefined, gitDirty: undefined, host: hostname() };
  }
  const excluded = (options.exclude ?? []).flatMap((folder) => {
    const path = relative(top, canonical(folder));
    // Only folders inside the work tree can be named in a pathspec (and never the whole tree).
    if (path === '' || path.startsWith('..') || isAbsolute(path)) return [];
    return [`:(exclude,top,literal)${path.split(sep).join('/')}`];
  });
  let gitDirty: boolean | undefined;
  let dirtyFiles: string[] = [];
  try {
    // Untracked files count (those .gitignore ignores do not): an uncommitted training script
    // means the commit alone cannot reproduce the run. `normal` lists an untracked folder once
    // rather than walking every file in it: a yes/no answer needs no more.
    const status = await git(
      'status',
      '--porcelain',
      '--untracked-files=normal',
      '--',
      ':/',
      ...excluded,
    );
    dirtyFiles = status.split('\n').filter((line) => line.trim() !== '');
    gitDirty = dirtyFiles.length > 0;
  } catch {
    // A status that times out (a huge work tree) still leaves the commit known.
    gitDirty = undefined;
  }
  const context: RunContext = { gitCommit: commit.trim(), gitDirty, host: hostname() };
  if (dirtyFiles.length > 0) context.dirtyFiles = dirtyFiles;
  return context;
}

/**
 * The path git would report for a folder: symbolic links resolved (macOS's `/tmp` is
 * `/private/tmp`), also for a folder not created yet, through its nearest existing ancestor.
 */
function canonical(folder: string): string {
  const absolute = resolve(folder);
  for (let ancestor = absolute; ; ancestor = dirname(ancestor)) {
    try {
      return join(realpathSync(ancestor), relative(ancestor, absolute));
    } catch {
      if (dirname(ancestor) === ancestor) return absolute;
    }
  }
}
