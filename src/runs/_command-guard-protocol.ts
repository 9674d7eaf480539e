/**
 * What `runCommand` and its guard process (`_command-guard.ts`) tell each other, in a file of its
 * own: importing the guard's file would run the guard.
 */

/** What the guard is asked to run. */
export interface GuardJob {
  /** The argv: the program, then its arguments. */
  command: string[];
  /** Start the command as the leader of a new process group, and signal that group. */
  ownGroup: boolean;
  /** How long the command has after SIGTERM when the parent is gone, before SIGKILL. */
  graceMs: number;
}

/** A request from the parent: send `signal`, then SIGKILL after `killAfterMs` if still running. */
export interface GuardRequest {
  signal: NodeJS.Signals;
  killAfterMs: number;
}

/** What the guard tells its parent. */
export type GuardReport =
  | { type: 'started'; pid: number }
  | { type: 'exit'; exitCode: number | null; signal: NodeJS.Signals | null }
  | { type: 'error'; message: string; code?: string };

/**
 * The guard's file descriptors: the command's standard input as its own (0), its own standard
 * output and error ignored, the IPC channel (3), and the pipes the parent reads the command's
 * output from (4 and 5). The guard hands 4 and 5 to the command as its 1 and 2 and closes its own
 * copies, so the parent sees the end of the output when the command's side closes, not later.
 */
export const GUARD_STDIO = { channel: 3, stdout: 4, stderr: 5 } as const;
