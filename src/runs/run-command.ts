/**
 * Runs a command as a run: the child process is started without a shell, told its run through
 * the environment, and its standard output is read line by line. Protocol lines feed the run's
 * logger; every other line (and standard error) is the run's log. Used by `ml-tracking exec` and
 * by sweep trials.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MlTrackingError, ValidationError } from '../errors.js';
import type { ExperimentLogger, FinishOptions } from './experiment-logger.js';
import { parseProtocolLine, type ProtocolMessage } from './line-protocol.js';
import { RUN_ENVIRONMENT } from './start-run.js';

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
  /** Start the child in its own process group, so that stopping it stops its children too. */
  ownProcessGroup?: boolean;
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
  /** Protocol lines that were malformed or refused; each was kept as log output. */
  warnings: string[];
  /** The status the child reported itself (`startRun` inside it, on finish()). */
  reportedStatus?: { status: 'finished' | 'failed' | 'early_stopped'; error?: string };
}

/** A running command. */
export interface RunningCommand {
  readonly pid: number | undefined;
  /** Resolves when the child has exited and all its output was handed to the logger. */
  readonly done: Promise<CommandOutcome>;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still running; resolves when it exited. */
  terminate(graceMs: number): Promise<CommandOutcome>;
}

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
  const child = spawn(program, args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      ...options.env,
      [RUN_ENVIRONMENT.runId]: logger.id,
      [RUN_ENVIRONMENT.protocol]: 'stdout',
      [RUN_ENVIRONMENT.project]: logger.project,
      [RUN_ENVIRONMENT.store]: options.storeUrl,
    },
    stdio: [options.stdin ?? 'inherit', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
    windowsHide: true,
  });
  const warnings: string[] = [];
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

  const readLines = (stream: 'stdout' | 'stderr') =>
    new Promise<void>((resolve) => {
      const input = child[stream];
      const lines = createInterface({ input, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const parsed = stream === 'stdout' ? parseProtocolLine(line) : { kind: 'output' as const };
        if (parsed.kind === 'output') {
          keepAsOutput(line, stream);
          return;
        }
        if (parsed.kind === 'malformed') {
          warnings.push(`malformed ml_tracking line (${parsed.problem}): ${line.slice(0, 200)}`);
          keepAsOutput(line, stream);
          return;
        }
        try {
          apply(parsed.message);
          options.onMessage?.(parsed.message);
        } catch (error) {
          // A bad value (NaN, a negative step) is the child's mistake, never the parent's crash.
          const problem = error instanceof MlTrackingError ? error.message : String(error);
          warnings.push(`refused ml_tracking line (${problem}): ${line.slice(0, 200)}`);
          keepAsOutput(line, stream);
        }
      });
      lines.on('close', resolve);
    });

  const output = Promise.all([readLines('stdout'), readLines('stderr')]);
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', (error) => {
        reject(
          new ValidationError(
            'command',
            `cannot start ${JSON.stringify(program)}: ${error.message}`,
            'Check that the program exists and is executable (or give its interpreter first).',
            { cause: error },
          ),
        );
      });
      child.once('exit', (exitCode, signal) => {
        resolve({ exitCode, signal });
      });
    },
  );
  const done = (async (): Promise<CommandOutcome> => {
    const ended = await exited;
    await output;
    const outcome: CommandOutcome = { ...ended, warnings };
    if (reportedStatus !== undefined) outcome.reportedStatus = reportedStatus;
    return outcome;
  })();

  const signal = (name: NodeJS.Signals) => {
    try {
      if (options.ownProcessGroup && child.pid !== undefined) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };

  return {
    pid: child.pid,
    done,
    async terminate(graceMs: number) {
      if (child.exitCode === null && child.signalCode === null) {
        signal('SIGTERM');
        const timer = setTimeout(() => {
          signal('SIGKILL');
        }, graceMs);
        try {
          return await done;
        } finally {
          clearTimeout(timer);
        }
      }
      return done;
    },
  };
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
