/**
 * Who holds a piece of work, precisely enough to tell when it has certainly ended. A pid means
 * something only inside one PID namespace of one boot: two containers on one host (or two
 * `unshare --pid` sandboxes) share a host name and reuse each other's pids. So a claim names the
 * boot and the PID namespace too, and a process is judged gone by its pid only when both match
 * this process's; anywhere else its lease decides.
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

/** The process that holds a claim. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** `/proc/sys/kernel/random/boot_id`, where the system has one. */
  boot?: string;
  /** The inode of `/proc/self/ns/pid`, where the system has one. */
  pidNamespace?: string;
}

let self: ProcessIdentity | undefined;

/** This process. */
export function thisProcess(): ProcessIdentity {
  if (self?.pid === process.pid) return self;
  self = { host: hostname(), pid: process.pid };
  const boot = readOrUndefined(() =>
    readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  );
  const pidNamespace = readOrUndefined(() => String(statSync('/proc/self/ns/pid').ino));
  if (boot) self.boot = boot;
  if (pidNamespace) self.pidNamespace = pidNamespace;
  return self;
}

/** `host:pid`, for people and for the per-host files. */
export const processLabel = (identity: ProcessIdentity = thisProcess()): string =>
  `${identity.host}:${identity.pid}`;

/** Whether `identity` is this very process. */
export function isThisProcess(identity: ProcessIdentity): boolean {
  const me = thisProcess();
  return identity.pid === me.pid && sameProcessSpace(identity, me);
}

/**
 * Whether the process has certainly ended: only when it ran on this boot, in this PID namespace,
 * and its pid is gone. `false` means "cannot tell" as often as "alive": wait for its lease.
 */
export function hasCertainlyEnded(identity: ProcessIdentity): boolean {
  const me = thisProcess();
  if (!sameProcessSpace(identity, me) || identity.pid === me.pid) return false;
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return false;
  try {
    process.kill(identity.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Same host, same boot, same PID namespace: every part must be known and equal. */
function sameProcessSpace(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return (
    a.host === b.host &&
    a.boot !== undefined &&
    a.boot === b.boot &&
    a.pidNamespace !== undefined &&
    a.pidNamespace === b.pidNamespace
  );
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
