/**
 * The small process beside a reproduction's temporary worktree: when its parent (`ml-tracking
 * reproduce`, `reproduceAtCommit`) dies without removing the worktree, however it went (kill -9
 * runs no code of the parent), it stops the training child and removes the worktree, so that
 * the user's repository keeps no stale worktree registered and the temporary folder goes. It
 * holds an IPC channel from its parent, which the kernel closes when the parent dies.
 *
 * `node _worktree-guard.js '<WorktreeGuardJob as JSON>'`, detached (a signal to the parent's
 * process group must not take it along). It imports nothing of the library: it starts for
 * every reproduction at a commit.
 */
import { execFile } from 'node:child_process';
import { rm, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { WorktreeGuardJob, WorktreeGuardMessage } from './_worktree-guard-protocol.js';

const run = promisify(execFile);
const POLL_MS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stop(pid: number, graceMs: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Gone already.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(POLL_MS);
  if (alive(pid)) signal('SIGKILL');
  while (alive(pid)) await sleep(POLL_MS);
}

function main(): void {
  const job = JSON.parse(process.argv[2] ?? '') as WorktreeGuardJob;
  // Ctrl-C reaching the terminal's job is the parent's to handle: it removes the worktree.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => undefined);
  let links: string[] = [];
  let child: number | undefined;
  let done = false;
  process.on('message', (message: WorktreeGuardMessage) => {
    if (message.type === 'links') links = message.links;
    else if (message.type === 'child') child = message.pid;
    else done = true;
  });
  let ending = false;
  const cleanUp = async () => {
    if (ending) return;
    ending = true;
    if (!done) {
      if (child !== undefined) await stop(child, job.graceMs);
      // Our links go first: a recursive removal must never reach the user's node_modules.
      await Promise.all(links.map((link) => unlink(link).catch(() => undefined)));
      const git = (...args: string[]) =>
        run('git', args, { cwd: job.repository, windowsHide: true }).catch(() => undefined);
      await git('worktree', 'remove', '--force', job.path);
      await rm(job.folder, { recursive: true, force: true }).catch(() => undefined);
      await git('worktree', 'prune');
    }
    process.exit(0);
  };
  process.once('disconnect', () => void cleanUp());
  // A parent that died while this module loaded closed the channel before anyone listened.
  if (!process.connected) void cleanUp();
}

main();
