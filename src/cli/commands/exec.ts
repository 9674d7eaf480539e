import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { basename } from 'node:path';
import { ValidationError } from '../../errors.js';
import type { RunRecord } from '../../runs/run-record.js';
import {
  endingOf,
  runCommand as runChild,
  type CommandOutcome,
  type RunningCommand,
} from '../../runs/run-command.js';
import { startRun } from '../../runs/start-run.js';
import { signalExitCode } from '../_interrupts.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Seconds the command has to exit once interrupted, before SIGKILL. */
const DEFAULT_GRACE_SECONDS = 5;

/** Options of {@link execCommand}. */
export interface ExecCommandOptions extends CommandOptions {
  /** The command and its arguments. */
  command: string[];
  /** Project of the run. @default the working folder's name */
  project?: string | undefined;
  /** Name of the run. @default a generated one */
  name?: string | undefined;
  /** Seconds the command has to exit once interrupted, before SIGKILL, as typed. @default '5' */
  grace?: string | undefined;
  /**
   * Aborting passes the signal `interruptedBy` names (SIGINT, SIGTERM) to the command, which has
   * the grace period to exit; the run then fails as interrupted.
   */
  signal?: AbortSignal;
  /** The signal that aborted `signal`. @default SIGTERM */
  interruptedBy?: () => NodeJS.Signals | undefined;
  /** The run started: its id and project. */
  onStarted?: (run: { id: string; project: string }) => void;
  /** A line of the command's output, as it printed it. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** What `ml-tracking exec` did. */
export interface ExecResult {
  run: RunRecord;
  /** The command's exit code, or 128 + the number of the signal that ended it. */
  exitCode: number;
  /** The signal this process got, which stopped the command. */
  interruptedBy: NodeJS.Signals | undefined;
  /** Problems with the command's protocol lines (one each). */
  warnings: string[];
}

/** `ml-tracking exec`: runs one command as a run; resolves the run and the command's exit code. */
export function execCommand(options: ExecCommandOptions): Promise<ExecResult> {
  const graceMs = parseGrace(options.grace ?? String(DEFAULT_GRACE_SECONDS));
  const argv = options.command;
  if (argv.length === 0) {
    throw new ValidationError(
      'command',
      'no command given',
      'Put the command after --, e.g. ml-tracking exec --project soil -- python3 train.py',
    );
  }
  const signal = options.signal ?? new AbortController().signal;
  const interruptedBy = () =>
    signal.aborted ? (options.interruptedBy?.() ?? 'SIGTERM') : undefined;
  // Closed also when startRun fails (the run id was taken, the store refused the record).
  return withCommandStore(options, async (store) => {
    // The interrupt (SIGTERM from kill, Kubernetes, docker stop; SIGINT) is passed to the
    // command's process group, which has `graceMs` to end before SIGKILL; exec stays to close the
    // run as interrupted.
    let child: RunningCommand | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      const by = interruptedBy() ?? 'SIGTERM';
      if (child === undefined) return;
      // A command that shares our process group (it reads the terminal) got the terminal's
      // Ctrl-C itself: passing it on would make it two. Only the deadline applies.
      if (child.ownProcessGroup || by !== 'SIGINT') {
        void child.terminate(graceMs, by);
      } else {
        const running = child;
        killTimer = setTimeout(() => void running.terminate(0, 'SIGKILL'), graceMs);
      }
    };
    const logger = await startRun({
      project: options.project ?? basename(options.cwd ?? process.cwd()),
      ...(options.name !== undefined && { name: options.name }),
      store,
      origin: 'exec',
      command: argv,
      // The git state and the working directory recorded are those of the folder it runs in.
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      captureLog: true,
      closeOnExit: false,
    });
    options.onStarted?.({ id: logger.id, project: logger.project });
    let outcome: CommandOutcome | undefined;
    if (!signal.aborted) {
      try {
        child = runChild({
          command: argv,
          logger,
          storeUrl: store.url,
          graceMs,
          ...(options.cwd !== undefined && { cwd: options.cwd }),
          ...(options.onOutput !== undefined && { onOutput: options.onOutput }),
        });
        signal.addEventListener('abort', onAbort, { once: true });
        outcome = await child.done;
      } catch (error) {
        await logger.finish({ error });
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(killTimer);
      }
    }
    const by = interruptedBy();
    const exitCode =
      by !== undefined
        ? signalExitCode(by)
        : (outcome?.exitCode ?? (outcome?.signal == null ? 129 : signalExitCode(outcome.signal)));
    const run = await logger.finish(
      by !== undefined || outcome === undefined
        ? { status: 'failed', error: `interrupted by ${by ?? 'a signal'}` }
        : endingOf(outcome),
    );
    return { run, exitCode, interruptedBy: by, warnings: outcome?.warnings ?? [] };
  });
}

export const execCli = defineCliCommand({
  meta: {
    name: 'exec',
    description: COMMAND_DESCRIPTIONS.exec,
  },
  args: {
    project: {
      type: 'string',
      description: "Project of the run (default: the current folder's name)",
    },
    name: { type: 'string', description: 'Name of the run (default: a generated one)' },
    grace: {
      type: 'string',
      description:
        'Seconds the command has to exit after exec passes it SIGINT or SIGTERM, before SIGKILL',
      default: String(DEFAULT_GRACE_SECONDS),
    },
    command: {
      type: 'positional',
      description: 'The command and its arguments, after --',
      required: false,
      valueHint: 'argv',
    },
    ...storeArg,
  },
  interruptible: true,
  run: async (args, { cwd, env, signal, interruptedBy, stderr, passthrough }) => {
    const result = await execCommand({
      command: args._.map(String),
      project: args.project,
      name: args.name,
      grace: args.grace,
      store: args.store,
      cwd,
      env,
      signal,
      interruptedBy,
      onStarted: (run) => {
        stderr.line(`ml-tracking: run ${run.id} (project ${run.project})`);
      },
      // The command's own output, as it wrote it: on the stream it chose.
      onOutput: (line, stream) => {
        passthrough[stream](`${line}\n`);
      },
    });
    for (const warning of result.warnings) stderr.line(`ml-tracking: warning: ${warning}`);
    const tags = Object.keys(result.run.summary).length;
    const { warnings } = result;
    stderr.line(
      `ml-tracking: run ${result.run.id} ${result.run.status}, ${tags} ${tags === 1 ? 'tag' : 'tags'}${warnings.length > 0 ? `, ${warnings.length} warnings` : ''}`,
    );
    return result;
  },
  // Its answer is the command's own output and exit code.
  exitCode: (result) => result.exitCode,
});

/**
 * `--grace` in milliseconds. 5 s by default: under `docker stop` (10 s) or Kubernetes (30 s)
 * exec is itself killed after its own grace period, and needs the rest to record the run.
 */
function parseGrace(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new ValidationError(
      '--grace',
      `"${text}" is not a number of seconds from 0 to 86400`,
      `Give the seconds the command has to exit once interrupted, e.g. --grace ${DEFAULT_GRACE_SECONDS}.`,
    );
  }
  return seconds * 1000;
}
