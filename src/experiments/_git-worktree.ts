/**
 * A temporary `git worktree` at one commit of the repository a folder is in: the recorded code of
 * a run, checked out beside the user's work tree without touching it. Used by
 * `reproduceAtCommit`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { childEntry } from '../_child-entry.js';
import { typeScriptLoader } from '../_typescript-loader.js';
import { MlTrackingError, ValidationError } from '../errors.js';
import type { WorktreeGuardJob, WorktreeGuardMessage } from './_worktree-guard-protocol.js';

const run = promisify(execFile);

/** The commit a run was recorded at is not in the repository (a shallow or older clone). */
export class CommitNotFoundError extends MlTrackingError {
  override name = 'CommitNotFoundError' as const;
  declare readonly code: 'ERR_COMMIT_NOT_FOUND';
  readonly commit: string;
  /** The repository's top folder. */
  readonly repository: string;

  constructor(commit: string, repository: string) {
    super(
      `Cannot reproduce at commit ${commit}: it is not in the git repository at ${repository}.`,
      {
        code: 'ERR_COMMIT_NOT_FOUND',
        hint: `Fetch it (git fetch origin ${commit}, or git fetch --unshallow in a shallow clone) and try again.`,
      },
    );
    this.commit = commit;
    this.repository = repository;
  }
}

/** A worktree made by {@link addTemporaryWorktree}. */
export interface TemporaryWorktree {
  /** The top folder of the user's repository. */
  readonly repository: string;
  /** The top folder of the worktree. */
  readonly path: string;
  /** The folder in the worktree that corresponds to the `cwd` the worktree was made from. */
  readonly cwd: string;
  /**
   * Variables for git commands run in the worktree (the training's own `git status`): they ignore
   * the linked `node_modules`, which would otherwise make the checkout look dirty.
   */
  readonly gitEnvironment: Record<string, string>;
  /** Removes the worktree and its temporary folder, and forgets it in the repository. */
  remove(): Promise<void>;
  /**
   * The process training in the worktree: should this process die before `remove()`, the
   * worktree's guard stops it before removing the worktree.
   */
  guardProcess(pid: number): void;
}

/** Options of {@link addTemporaryWorktree}. */
export interface AddTemporaryWorktreeOptions {
  /** A folder inside the repository (the user's current folder). */
  cwd: string;
  /** The commit to check out. */
  commit: string;
}

/**
 * Checks `commit` out into a new worktree under the system's temporary folder, detached (no
 * branch is created), and links the repository's `node_modules` folders into it: a worktree has
 * none, and installing them per reproduction would be slow and need the network. So the code is
 * the commit's, and the dependencies are today's.
 *
 * @throws ValidationError when `cwd` is not in a git repository.
 * @throws CommitNotFoundError when the commit is not in the repository.
 */
export async function addTemporaryWorktree(
  options: AddTemporaryWorktreeOptions,
): Promise<TemporaryWorktree> {
  const git = (cwd: string, ...args: string[]) =>
    run('git', args, { cwd, windowsHide: true, maxBuffer: 16 * 1024 * 1024 });
  let repository: string;
  try {
    repository = (await git(options.cwd, 'rev-parse', '--show-toplevel')).stdout.trim();
  } catch (error) {
    throw new ValidationError(
      'cwd',
      `${options.cwd} is not inside a git repository (or git is not installed)`,
      'Run from the repository the run was recorded in: reproducing at a commit checks that commit out.',
      { cause: error },
    );
  }
  try {
    await git(repository, 'cat-file', '-e', `${options.commit}^{commit}`);
  } catch {
    throw new CommitNotFoundError(options.commit, repository);
  }

  // Resolved: git reports real paths, and macOS's temporary folder is behind a symbolic link.
  const folder = await mkdtemp(join(await realpath(tmpdir()), 'ml-tracking-reproduce-'));
  const path = join(folder, 'worktree');
  const links: string[] = [];
  // Before the worktree exists: however this process ends from now on (kill -9 included), the
  // guard removes what it made.
  const guard = startGuard({ repository, folder, path, graceMs: GUARD_GRACE_MS });
  const remove = async () => {
    // Our links go first: a recursive removal must never reach the user's node_modules.
    await Promise.all(links.map((link) => unlink(link).catch(() => undefined)));
    await git(repository, 'worktree', 'remove', '--force', path).catch(() => undefined);
    await git(repository, 'worktree', 'prune').catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
    tell(guard, { type: 'done' }, () => {
      if (guard.connected) guard.disconnect();
    });
  };
  try {
    await git(repository, 'worktree', 'add', '--quiet', '--detach', path, options.commit).catch(
      (error: unknown) => {
        const { stderr } = error as { stderr?: unknown };
        const detail = typeof stderr === 'string' ? stderr.trim() : '';
        throw new MlTrackingError(
          `Cannot check commit ${options.commit} out into a temporary worktree of ${repository}: ${detail || String(error)}. Check that git can write there (git worktree add works by hand).`,
          { code: 'ERR_GIT', cause: error },
        );
      },
    );
    const below = relative(await realpath(repository), await realpath(options.cwd));
    const cwd = join(path, below);
    // Every node_modules from the top down to cwd: a workspace has one at the top and one per
    // package, and Node looks in each on its way up.
    const steps = below === '' ? [] : below.split(sep);
    for (let depth = 0; depth <= steps.length; depth++) {
      const inner = join(...steps.slice(0, depth));
      const source = join(repository, inner, 'node_modules');
      const target = join(path, inner, 'node_modules');
      if (!existsSync(source) || (await lstat(target).catch(() => undefined))) continue;
      if (!existsSync(join(path, inner))) continue;
      links.push(target);
      // Told before it exists: a link the guard does not know of could lead its removal into
      // the user's node_modules.
      tell(guard, { type: 'links', links });
      await symlink(source, target, process.platform === 'win32' ? 'junction' : 'dir');
    }
    // `node_modules/` in a .gitignore does not match a symbolic link (it is not a folder to git):
    // an excludes file of our own, outside the worktree, keeps `git status` clean there.
    const excludes = join(folder, 'excludes');
    await writeFile(excludes, 'node_modules\n');
    return {
      repository,
      path,
      cwd,
      gitEnvironment: excludesEnvironment(excludes),
      remove,
      guardProcess: (pid) => {
        tell(guard, { type: 'child', pid });
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** `core.excludesFile` for git commands run with these variables, added to any already set. */
function excludesEnvironment(file: string): Record<string, string> {
  const count = Number(process.env.GIT_CONFIG_COUNT ?? '0') || 0;
  return {
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: 'core.excludesFile',
    [`GIT_CONFIG_VALUE_${count}`]: file,
  };
}

/** How long the training child has after SIGTERM, once the guard stops it. */
const GUARD_GRACE_MS = 5_000;

/** `node [loader] _worktree-guard.js <job>`: detached, unreferenced, on an IPC channel. */
function startGuard(job: WorktreeGuardJob): ChildProcess {
  const { file, typescript } = childEntry(import.meta.url, '_worktree-guard');
  const loader = typescript ? (typeScriptLoader(dirname(file)) ?? []) : [];
  const guard = spawn(process.execPath, [...loader, file, JSON.stringify(job)], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
    // A group of its own: a signal to this process's group must not take the guard along.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  // Neither the guard nor its channel keeps this process alive.
  guard.unref();
  guard.channel?.unref();
  guard.on('error', () => undefined);
  return guard;
}

/** Sends the guard a message; a guard that is gone cannot be told, which is not an error. */
function tell(guard: ChildProcess, message: WorktreeGuardMessage, then?: () => void): void {
  if (!guard.connected) {
    then?.();
    return;
  }
  guard.send(message, () => then?.());
}
