import { COMMAND_DESCRIPTIONS } from './_command-descriptions.js';
import { helpWidth, wrapHelp } from './_help-text.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, stripVTControlCharacters } from 'node:util';
import { parseArgs, renderUsage, type ArgsDef, type CommandDef } from 'citty';
import { errorJson, exitCodeOf } from '../error-codes.js';
import { MlTrackingError } from '../errors.js';
import type { CliCommand, CommandContext, Environment } from './_command.js';
import { globalArgs, helpArg, parseCommandLine, wantsVerbose } from './_command-line.js';
import { loadCommand } from './_commands.js';
import {
  listenForInterrupts,
  processInterrupts,
  signalExitCode,
  type InterruptSource,
} from './_interrupts.js';
import { terminalOutput, type Output } from './_output.js';
import { verboseArg } from './_shared-args.js';
import { checkArgs, commandOwner, usageError } from './_strict-args.js';
import { terminalText } from './_terminal-text.js';
import { packageVersion } from './_version.js';

/** Where `runCli` writes: a process's stdout or stderr, or a test's collector. */
export interface TextSink {
  write(text: string): void;
  /** Whether it is a terminal: `--help` is then wrapped to its `columns`. @default false */
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  columns?: number;
  /**
   * A failure to write that the command should end with (not a reader that went away, which
   * only stops the printing).
   */
  failure?(): Error | undefined;
}

/** What {@link runCli} runs against: the process's streams, folder and signals, or a test's. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** @default process.env; a `.env` file in `cwd` adds the variables it lacks (into this object). */
  env?: Environment;
  /** @default process.cwd() */
  cwd?: string;
  /** SIGINT and SIGTERM for the commands that take them. @default the process's */
  interrupts?: InterruptSource;
  /**
   * Called at a second interrupt with 128 + its number (the process entry exits with it);
   * `runCli` then resolves that code without waiting for the command.
   */
  exit?: (code: number) => void;
}

/**
 * Runs `ml-tracking` with `argv` (the arguments after the program's name) and resolves its exit
 * code: 0, 2 for a usage or validation error, 1 for other errors, 128 + a signal's number for an
 * interrupted command, or what the command decides (`exec` passes its command's code through).
 * The one place that prints a command's result (text, or JSON with `--json`) and its error.
 *
 * @example
 * const lines: string[] = [];
 * const sink = { write: (text: string) => void lines.push(text) };
 * const code = await runCli(['list', '--json'], { stdout: sink, stderr: sink, cwd: folder });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const rawArgs = [...argv];
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stdout = terminalOutput(lineOutput(io.stdout));
  const stderr = terminalOutput(lineOutput(io.stderr));
  const verbose = wantsVerbose(rawArgs);
  // Whether the command's --json is the output switch; unknown until the command is loaded.
  let jsonSwitch: boolean | undefined;
  try {
    loadDotEnv(cwd, env);
    const line = parseCommandLine(rawArgs);
    if (line.version) {
      stdout.line(packageVersion());
      return 0;
    }
    const command = line.command === undefined ? undefined : await loadCommand(line.command);
    if (line.help || rawArgs.length === 0) {
      const usage = await (command
        ? renderUsage(usageOf(command), mainUsage())
        : renderUsage(mainUsage()));
      stdout.line(wrapHelp(usage, helpWidth(io.stdout)));
      return 0;
    }
    if (command === undefined || line.command === undefined) {
      throw usageError('No command given. Run ml-tracking --help to see the commands.');
    }
    jsonSwitch = command.args.json?.type === 'boolean';
    const argsDef = withCommonFlags(command.args);
    checkArgs(line.args, argsDef, commandOwner(line.command));
    const args = parseArgs(line.args, argsDef);
    const context = {
      cwd,
      env,
      stdout,
      stderr,
      passthrough: {
        stdout: (text: string) => {
          io.stdout.write(text);
        },
        stderr: (text: string) => {
          io.stderr.write(text);
        },
      },
    };
    const ended = await runCommand(command, args, context, io);
    if (ended.exitedEarly !== undefined) return ended.exitedEarly;
    const { result, interruptedBy } = ended;
    const json = (args as { json?: unknown }).json === true ? jsonOf(command, result) : undefined;
    if (json === undefined) command.render?.(result, stdout, args);
    else
      stdout.line(JSON.stringify(json.data, null, command.jsonOnOneLine === true ? undefined : 2));
    const failure = command.failure?.(result) ?? io.stdout.failure?.();
    if (failure !== undefined) throw failure;
    const code = command.exitCode?.(result) ?? 0;
    return code === 'interrupted' ? signalExitCode(interruptedBy ?? 'SIGINT') : code;
  } catch (error) {
    // --json: the error as one JSON line (the dashboard's error body), for programs to read.
    const end = rawArgs.indexOf('--');
    // (bigquery's --json names a column type: its errors stay text.)
    if (jsonSwitch !== false && (end < 0 ? rawArgs : rawArgs.slice(0, end)).includes('--json')) {
      stderr.line(JSON.stringify(errorJson(error)));
      return exitCodeOf(error);
    }
    // citty colours names in its own messages: plain text for them. Ours quote user input (an
    // id, a configuration value): its control characters are escaped, on a terminal and off it.
    const message = describe(error, verbose);
    const plain = isCittyError(error) ? stripVTControlCharacters(message) : message;
    io.stderr.write(`${terminalText(plain, { lineBreaks: true })}\n`);
    return exitCodeOf(error);
  }
}

type Ended =
  | { exitedEarly: number }
  | { exitedEarly?: undefined; result: unknown; interruptedBy: NodeJS.Signals | undefined };

/**
 * Runs the command; an interruptible one under the shared interrupt helper, whose second
 * interrupt ends the wait at once.
 */
async function runCommand(
  command: CliCommand,
  args: ReturnType<typeof parseArgs>,
  context: Omit<CommandContext, 'signal' | 'interruptedBy'>,
  io: CliIo,
): Promise<Ended> {
  if (command.interruptible !== true) {
    const result = await command.run(args, {
      ...context,
      signal: new AbortController().signal,
      interruptedBy: () => undefined,
    });
    return { result, interruptedBy: undefined };
  }
  let exitNow: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    exitNow = resolve;
  });
  const interrupts = listenForInterrupts(io.interrupts ?? processInterrupts, (code) => {
    io.exit?.(code);
    exitNow(code);
  });
  try {
    const running = Promise.resolve().then(() =>
      command.run(args, {
        ...context,
        signal: interrupts.signal,
        interruptedBy: interrupts.interruptedBy,
      }),
    );
    const first = await Promise.race([
      running.then((result) => ({ result })),
      exited.then((code) => ({ code })),
    ]);
    if ('code' in first) {
      // Nobody waits for it any more; its failure must not become an unhandled rejection.
      running.catch(() => undefined);
      return { exitedEarly: first.code };
    }
    return { result: first.result, interruptedBy: interrupts.interruptedBy() };
  } finally {
    interrupts.stop();
  }
}

/**
 * What `--json` prints for a result: none when the command's `--json` is not the output switch
 * (bigquery's is a column type) or the result has no JSON form.
 */
function jsonOf(command: CliCommand, result: unknown): { data: unknown } | undefined {
  const flag = command.args.json;
  if (flag?.type !== 'boolean') return undefined;
  const data = command.json === undefined ? result : command.json(result);
  return data === undefined ? undefined : { data };
}

/** Lines on a sink. */
function lineOutput(sink: TextSink): Output {
  return {
    line: (text) => {
      sink.write(`${text}\n`);
    },
  };
}

/**
 * The variables of `.env` in the working folder that `env` lacks, as `process.loadEnvFile`
 * adds them to `process.env`: a set variable wins over the file.
 */
function loadDotEnv(cwd: string, env: Environment): void {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    env[name] ??= value;
  }
}

/** A command's flags as `--help` shows them and as they are checked: with the common ones. */
function withCommonFlags(args: ArgsDef): ArgsDef {
  return { ...args, ...verboseArg, ...helpArg };
}

/** A command as citty renders its usage. */
function usageOf(command: CliCommand): CommandDef {
  return { meta: command.meta, args: withCommonFlags(command.args) };
}

/**
 * `ml-tracking` itself, with every command listed by its description alone: none is imported,
 * so `--help` starts about as fast as `--version`.
 */
function mainUsage(): CommandDef {
  const subCommands = Object.fromEntries(
    Object.entries(COMMAND_DESCRIPTIONS).map(([name, description]) => [
      name,
      { meta: { name, description } } satisfies CommandDef,
    ]),
  );
  return {
    meta: {
      name: 'ml-tracking',
      version: packageVersion(),
      description:
        'Record machine-learning experiments as CSV tables and PNG plots in a bucket or folder',
    },
    args: globalArgs,
    subCommands,
  };
}

function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return `ml-tracking: ${String(error)}`;
  // Our messages may list several problems, one per line (a sweep configuration's); a foreign
  // error's first line is the one that says what happened.
  if (!verbose) {
    const text = error instanceof MlTrackingError ? error.message : error.message.split('\n')[0];
    return `ml-tracking: ${text ?? error.name}`;
  }
  const parts = [error.stack ?? error.message];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    parts.push(`Caused by: ${cause.stack ?? cause.message}`);
  }
  return parts.join('\n');
}

/** citty's CLIError: a missing or malformed argument. */
function isCittyError(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'CLIError';
}
