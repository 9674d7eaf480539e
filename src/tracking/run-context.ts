import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where and from which code an experiment was logged. */
export interface RunContext {
  /** `undefined` outside a git work tree or without git. */
  gitCommit: string | undefined;
  gitDirty: boolean | undefined;
  host: string;
}

/** Reads the commit and dirty flag of the work tree at `cwd` (no shell, bounded time). */
export async function readRunContext(cwd: string): Promise<RunContext> {
  const git = async (...args: string[]) =>
    (await run('git', args, { cwd, timeout: 5_000, windowsHide: true })).stdout.trim();
  try {
    const [commit, status] = await Promise.all([
      git('rev-parse', 'HEAD'),
      git('status', '--porcelain', '--untracked-files=no'),
    ]);
    return { gitCommit: commit, gitDirty: status !== '', host: hostname() };
  } catch {
    // Not a repository, no commits yet, or no git installed: record that we do not know.
    return { gitCommit: undefined, gitDirty: undefined, host: hostname() };
  }
}
