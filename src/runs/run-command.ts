/**
 * Runs a command as a run: the child process is started without a shell, told its run through
 * the environment, and its standard output is read line by line. Protocol lines feed the run's
 * logger; every other line (and standard error) is the run's log. Used by `ml-tracking exec`,
 * sweep trials and pipeline versions.
 *
 * The command runs under a small guard process (`_command-guard.ts`) that ends it, and the whole
 * process group it leads, when this process dies, even by SIGKILL: an orphaned trial would train
 * for hours beside the copy another agent starts. The guard is also how the command is signalled,
 * and it ends what the command left running once its output has been read.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { MlTrackingError, ValidationError } from '../errors.js';
import { typeScriptLoader } from '../_typescript-loader.js';
import type { ExperimentLogger, FinishOptions } from './experiment-logger.js';
import { MAX_LINE_BYTES, parseProtocolLine, type ProtocolMessage } from './line-protocol.js';
import { readLines } from './_line-reader.js';
import {
  GUARD_STDIO,
  type GuardJob,
  type GuardReport,
  type GuardRequest,
} from './_command-guard-protocol.js';
import { RUN_ENVIRONMENT } from './start-run.js';
import { childEntry } from '../_child-entry.js';

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The argv: the program, then its arguments. */
  command: readonly string[];
  /** The run the command reports to. */
  logger: ExperimentLogger;
  /** The store URL the child's own `startRun()`/`logExperiment()` should use. */
  storeUrl: string;
  cwd?: string;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /**
   * The child's standard input: the terminal's for a command a person runs (`exec`), none for
   * trials that run unattended side by side. @default 'inherit'
   */
  stdin?: 'inherit' | 'ignore';
  /**
   * Start the command as the leader of a process group of its own, so that stopping it (or this
   * process dying) stops everything it started too. Off, the command stays in this process's
   * group and only the command itself is signalled.
   * @default true, unless the command reads a terminal (`stdin: 'inherit'` and standard input is
   *   a TTY): it must then stay in the terminal's foreground group, or reading would stop it.
   */
  ownProcessGroup?: boolean;
  /**
   * How long the command has after SIGTERM when this process is gone, and what it left running
   * has after it exited, before SIGKILL. @default 5000
   */
  graceMs?: number;
  /**
   * How long output is still read after the command exited: a process it left behind may hold
   * its standard output open, and must not keep the caller waiting. @default 2000
   */
  drainMs?: number;
  /** Called with each line of output that is not a protocol message (without its line end). */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called after each scalar the child reported was recorded. */
  onScalar?: (tag: string, value: number, step: number) => void;
  /** Called after each protocol message was applied to the run (a scalar's has its step). */
  onMessage?: (message: ProtocolMessage) => void;
}

/** How the command ended. */
export interface CommandOutcome {
  /** The exit code; `null` when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /**
   * Protocol lines that were malformed or refused (each was kept as log output), and lines cut
   * at {@link MAX_LINE_BYTES}; the first {@link MOST_WARNINGS_KEPT}, then how many more.
   */
  warnings: string[];
  /** The status the child reported itself (`startRun` inside it, on finish()). */
  reportedStatus?: { status: 'finished' | 'failed' | 'early_stopped'; error?: string };
}

/** A running command. */
export interface RunningCommand {
  /** The pid of the guard process the command runs under (the command is its child). */
  readonly pid: number | undefined;
  /** Whether the command leads a process group of its own (see `ownProcessGroup`). */
  readonly ownProcessGroup: boolean;
  /** Resolves when the child has exited and all its output was handed to the logger. */
  readonly done: Promise<CommandOutcome>;
  /**
   * Sends `signal` (SIGTERM by default) to the command (its process group), then SIGKILL after
   * `graceMs` if it is still running; resolves when it exited.
   */
  terminate(graceMs: number, signal?: NodeJS.Signals): Promise<CommandOutcome>;
}

/** Warnings kept in {@link CommandOutcome.warnings}: a child printing bad lines in a loop must not fill the parent's memory. */
export const MOST_WARNINGS_KEPT = 100;

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_DRAIN_MS = 2000;

/** Starts `command` reporting to `logger`; the caller finishes the run from the outcome. */
export function runCommand(options: RunCommandOptions): RunningCommand {
  const [program, ...args] = options.command;
  if (program === undefined || program === '') {
    throw new ValidationError(
      'command',
      'it is empty',
      'Give the program to run and its arguments.',
    );
  }
  const { logger } = options;
  const stdin = options.stdin ?? 'inherit';
  // Process groups are POSIX; on Windows the guard signals the command alone.
  const ownProcessGroup =
    process.platform !== 'win32' &&
    (options.ownProcessGroup ?? !(stdin === 'inherit' && process.stdin.isTTY));
  const job: GuardJob = {
    command: [program, ...args],
    ownGroup: ownProcessGroup,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
  };
  const [node = process.execPath, ...guardArgs] = guardCommand();
  const guard = spawn(node, [...guardArgs, JSON.stringify(job)], {
    cwd: options.cwd,
    env: {
      ...process.env,
      ...options.env,
      [RUN_ENVIRONMENT.runId]: logger.id,
      [RUN_ENVIRONMENT.protocol]: 'stdout',
      [RUN_ENVIRONMENT.project]: logger.project,
      [RUN_ENVIRONMENT.store]: options.storeUrl,
    },
    // See GUARD_STDIO: the command's output comes on 4 and 5, the channel is 3.
    stdio: [stdin, 'ignore', 'ignore', 'ipc', 'pipe', 'pipe'],
    serialization: 'json',
    // A group of its own: a signal to this process's group (`kill -9 %1`) must not take the
    // guard with it, or nothing would be left to end the command.
    detached: ownProcessGroup,
    windowsHide: true,
  });
  // Node's types know five stdio entries at most.
  const stdio = guard.stdio as unknown as Readable[];
  const stdoutStream = stdio[GUARD_STDIO.stdout]!;
  const stderrStream = stdio[GUARD_STDIO.stderr]!;
  const warnings: string[] = [];
  let warningsLeftOut = 0;
  const warn = (warning: string) => {
    if (warnings.length < MOST_WARNINGS_KEPT) warnings.push(warning);
    else warningsLeftOut += 1;
  };
  let reportedStatus: CommandOutcome['reportedStatus'];

  const apply = (message: ProtocolMessage): void => {
    switch (message.type) {
      case 'scalar': {
        const step = message.step ?? logger.nextStep(message.tag);
        logger.addScalar(message.tag, message.value, step);
        options.onScalar?.(message.tag, message.value, step);
        return;
      }
      case 'summary': {
        logger.setSummary(message.values);
        return;
      }
      case 'prediction': {
        logger.linkPrediction(message.predictionId);
        return;
      }
      case 'hyperparameters': {
        logger.setHyperparameters(message.values);
        return;
      }
      case 'status':
        reportedStatus =
          message.error === undefined
            ? { status: message.status }
            : { status: message.status, error: message.error };
    }
  };

  const keepAsOutput = (line: string, stream: 'stdout' | 'stderr') => {
    logger.appendLog(`${line}\n`);
    options.onOutput?.(line, stream);
  };

  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    const parsed = stream === 'stdout' ? parseProtocolLine(line) : { kind: 'output' as const };
    if (parsed.kind === 'output') {
      keepAsOutput(line, stream);
      return;
    }
    if (parsed.kind === 'malformed') {
      warn(`malformed ml_tracking line (${parsed.problem}): ${line.slice(0, 200)}`);
      keepAsOutput(line, stream);
      return;
    }
    try {
      apply(parsed.message);
      options.onMessage?.(parsed.message);
    } catch (error) {
      // A bad value (NaN, a negative step) is the child's mistake, never the parent's crash.
      const problem = error instanceof MlTrackingError ? error.message : String(error);
      warn(`refused ml_tracking line (${problem}): ${line.slice(0, 200)}`);
      keepAsOutput(line, stream);
    }
  };

  const read = (input: Readable, stream: 'stdout' | 'stderr') =>
    readLines(input, MAX_LINE_BYTES, {
      line: (line) => {
        onLine(line, stream);
      },
      cut: (head) => {
        warn(
          `a line on ${stream} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB: its first MiB was kept as output, the rest of it dropped: ${head.slice(0, 200)}`,
        );
        keepAsOutput(head, stream);
      },
    });
  const output = Promise.all([read(stdoutStream, 'stdout'), read(stderrStream, 'stderr')]);

  let commandPid: number | undefined;
  let pendingRequest: GuardRequest | undefined;
  let reportedExit = false;
  const send = (request: GuardRequest) => {
    // An error here means the guard is gone, which the exit handling below covers.
    if (guard.connected) guard.send(request, () => undefined);
  };
  const cannotStart = (message: string, cause?: unknown) =>
    new ValidationError(
      'command',
      `cannot start ${JSON.stringify(program)}: ${message}`,
      'Check that the program exists and is executable (or give its interpreter first).',
      cause === undefined ? undefined : { cause },
    );
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      guard.on('message', (report: GuardReport) => {
        if (report.type === 'started') {
          commandPid = report.pid;
          // The guard listens for requests from this message on; one made earlier waited.
          if (pendingRequest !== undefined) send(pendingRequest);
        } else if (report.type === 'exit') {
          reportedExit = true;
          resolve({ exitCode: report.exitCode, signal: report.signal });
        } else {
          reportedExit = true;
          reject(cannotStart(report.message));
        }
      });
      guard.once('error', (error) => {
        reject(cannotStart(error.message, error));
      });
      // A guard that ended without reporting the command's end was killed by someone: its end is
      // the outcome, and the command is killed, as nothing else would end it now.
      const guardEnded = new Promise<[number | null, NodeJS.Signals | null]>((resolveEnd) => {
        guard.once('exit', (code, signal) => {
          resolveEnd([code, signal]);
        });
      });
      const channelClosed = new Promise((resolveClosed) => guard.once('disconnect', resolveClosed));
      void Promise.all([guardEnded, channelClosed]).then(([[exitCode, signal]]) => {
        if (reportedExit) return;
        if (commandPid !== undefined) {
          try {
            process.kill(ownProcessGroup ? -commandPid : commandPid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
        resolve({ exitCode, signal });
      });
    },
  );
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const done = (async (): Promise<CommandOutcome> => {
    let ended: Awaited<typeof exited>;
    try {
      ended = await exited;
      await settledWithin(output, drainMs);
    } finally {
      // Whatever still holds the output open is not read any more; the guard ends it once the
      // channel closes.
      stdoutStream.destroy();
      stderrStream.destroy();
      if (guard.connected) guard.disconnect();
    }
    await output;
    if (warningsLeftOut > 0) warnings.push(`${warningsLeftOut} more warnings like these`);
    const outcome: CommandOutcome = { ...ended, warnings };
    if (reportedStatus !== undefined) outcome.reportedStatus = reportedStatus;
    return outcome;
  })();

  let exitSeen = false;
  void exited.then(
    () => (exitSeen = true),
    () => (exitSeen = true),
  );
  return {
    pid: guard.pid,
    ownProcessGroup,
    done,
    terminate(graceMs: number, signal: NodeJS.Signals = 'SIGTERM') {
      if (!exitSeen) {
        const request: GuardRequest = { signal, killAfterMs: graceMs };
        if (commandPid === undefined) pendingRequest = request;
        else send(request);
      }
      return done;
    },
  };
}

/** Resolves when `promise` settles or `ms` have passed, whichever comes first. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    // Then one more turn of the event loop: output that arrived while the loop was busy is
    // read before the timer's callback gives up on it.
    timer = setTimeout(() => setImmediate(resolve), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let guardArgv: string[] | undefined;

/** `node [loader] _command-guard.js`: the built guard, or its source through tsx. */
function guardCommand(): string[] {
  if (guardArgv !== undefined) return guardArgv;
  const { file, typescript } = childEntry(import.meta.url, '_command-guard');
  guardArgv = typescript
    ? [process.execPath, ...(typeScriptLoader(dirname(file)) ?? []), file]
    : [process.execPath, file];
  return guardArgv;
}

/**
 * How a run that a command carried out ends, from how the command ended: what the program
 * reported itself when it exited 0 (finished unless it said otherwise), else failed, with the
 * exit code or the signal as the error.
 */
export function endingOf(outcome: CommandOutcome): FinishOptions {
  if (outcome.exitCode === 0) {
    const reported = outcome.reportedStatus;
    return reported?.error === undefined
      ? { status: reported?.status ?? 'finished' }
      : { status: reported.status, error: reported.error };
  }
  return {
    status: 'failed',
    error:
      outcome.exitCode === null
        ? `killed by ${outcome.signal ?? 'a signal'}`
        : `exited with code ${outcome.exitCode}`,
  };
}
