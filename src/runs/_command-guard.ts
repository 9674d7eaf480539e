/**
 * The small process between ml-tracking and a command it runs (`runCommand`): it starts the
 * command, tells its parent how the command ended, and ends the command (with everything the
 * command started) when its parent is gone, however it went. A SIGKILLed agent runs no code, so
 * the child's side must notice: the guard holds an IPC channel from its parent, which the kernel
 * closes when the parent dies; then it sends SIGTERM to the command's process group, and SIGKILL
 * after the grace period. An arbitrary command (a Python trial) cannot be asked to watch its
 * parent itself; a guard can, for any command.
 *
 * `node _command-guard.js '<GuardJob as JSON>'`, with the stdio layout of `GUARD_STDIO`
 * (`_command-guard-protocol.ts`).
 * It imports nothing of the library: it starts for every trial and pipeline version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GUARD_STDIO,
  type GuardJob,
  type GuardReport,
  type GuardRequest,
} from './_command-guard-protocol.js';

const POLL_MS = 50;

function main(): void {
  const job = JSON.parse(process.argv[2] ?? '') as GuardJob;
  // Signals meant for the parent (Ctrl-C reaching a whole terminal job, a closed terminal's
  // SIGHUP) must not end the guard before the command: it stays to report and to clean up.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => undefined);
  const [program = '', ...args] = job.command;
  let exited = false;
  const report = (message: GuardReport) => {
    // A parent that is gone cannot be told; the callback keeps that from being an error event.
    if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
  };
  const command: ChildProcess = spawn(program, args, {
    stdio: [0, GUARD_STDIO.stdout, GUARD_STDIO.stderr],
    detached: job.ownGroup,
    windowsHide: true,
  });
  // spawn() returns once the command was started (or failed to be): it holds its copies now.
  closeSync(GUARD_STDIO.stdout);
  closeSync(GUARD_STDIO.stderr);
  const signal = (name: NodeJS.Signals) => {
    try {
      if (job.ownGroup && command.pid !== undefined) process.kill(-command.pid, name);
      else if (!exited) command.kill(name);
    } catch {
      // Gone already.
    }
  };
  // Anything left of the command's group (a background process holding its output, say).
  const running = () => {
    if (!exited) return true;
    if (!job.ownGroup || command.pid === undefined) return false;
    try {
      process.kill(-command.pid, 0);
      return true;
    } catch (error) {
      // EPERM: a member runs as another user (a setuid program), but it is there.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };

  // Listening first, then saying so: the parent sends requests only once told the pid.
  process.on('message', (request: GuardRequest) => {
    signal(request.signal);
    setTimeout(() => {
      if (!exited) signal('SIGKILL');
    }, request.killAfterMs).unref();
  });
  // The parent closed the channel: it died, or it has read all it wanted after the command
  // exited. Either way nothing of the command may outlive this.
  let ending = false;
  const endAll = async () => {
    if (ending) return;
    ending = true;
    if (running()) {
      signal('SIGTERM');
      const deadline = Date.now() + job.graceMs;
      while (running() && Date.now() < deadline) await sleep(POLL_MS);
      if (running()) signal('SIGKILL');
    }
    process.exit(0);
  };
  process.once('disconnect', () => void endAll());
  command.once('error', (error: NodeJS.ErrnoException) => {
    exited = true;
    report({ type: 'error', message: error.message, ...(error.code && { code: error.code }) });
  });
  command.once('exit', (exitCode, signalName) => {
    exited = true;
    report({ type: 'exit', exitCode, signal: signalName });
  });
  if (command.pid !== undefined) report({ type: 'started', pid: command.pid });
  // A parent that died while this module loaded closed the channel before anyone listened.
  if (!process.connected) void endAll();
}

main();
