#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { renderUsage, runCommand, type CommandDef } from 'citty';
import { MlTrackingError } from '../errors.js';
import { globalArgs, helpArg, parseCommandLine, wantsVerbose } from './_command-line.js';
import { commands, loadCommand, resolved } from './_commands.js';
import { terminalOutput, type Output } from './_output.js';
import { verboseArg } from './_shared-args.js';
import { checkArgs, commandOwner, usageError } from './_strict-args.js';
import { terminalText } from './_terminal-text.js';
import { packageVersion } from './_version.js';

// A reader that goes away (`ml-tracking list | head -1`) closes the pipe: stop printing, but let
// the command finish what it is doing (a log still lands, a lock is still released).
let stdoutOpen = true;
let stdoutFailure: Error | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutOpen = false;
  if (error.code !== 'EPIPE') stdoutFailure ??= error;
});
const stdout: Output = {
  line: (text) => {
    if (stdoutOpen) process.stdout.write(`${text}\n`);
  },
};
/** What commands print through: user data in it reaches the terminal as text, never as control. */
const commandOutput = terminalOutput(stdout);

const main: CommandDef = {
  meta: () => ({
    name: 'ml-tracking',
    version: packageVersion(),
    description:
      'Record machine-learning experiments as CSV tables and PNG plots in a bucket or folder',
  }),
  args: globalArgs,
  subCommands: commands(commandOutput),
};

/** A command as `--help` shows it and as it is checked: with the flags every command takes. */
async function withCommonFlags(command: CommandDef): Promise<CommandDef> {
  return {
    ...command,
    args: { ...(await resolved(command.args ?? {})), ...verboseArg, ...helpArg },
  };
}

/**
 * The one place that turns errors into exit codes: 2 for bad input, 1 for everything else.
 * One clear line by default; `--verbose` adds the stack and the causes.
 */
async function run(rawArgs: string[]): Promise<number> {
  const verbose = wantsVerbose(rawArgs);
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const line = parseCommandLine(rawArgs);
    if (line.version) {
      stdout.line(packageVersion());
      return 0;
    }
    const command =
      line.command === undefined
        ? undefined
        : await withCommonFlags(await loadCommand(line.command, commandOutput));
    if (line.help || rawArgs.length === 0) {
      const usage = await (command ? renderUsage(command, main) : renderUsage(main));
      // citty colours unless NO_COLOR, CI or TEST is set; a pipe or a file gets plain text.
      stdout.line(process.stdout.isTTY ? usage : stripVTControlCharacters(usage));
      return 0;
    }
    if (command === undefined || line.command === undefined) {
      throw usageError('No command given. Run ml-tracking --help to see the commands.');
    }
    checkArgs(line.args, await resolved(command.args ?? {}), commandOwner(line.command));
    // A command may resolve its own exit code (`exec` passes its child's through).
    const { result } = await runCommand(command, { rawArgs: line.args });
    if (stdoutFailure) throw stdoutFailure;
    return typeof result === 'number' ? result : 0;
  } catch (error) {
    // citty colours names in its own messages: plain text for them. Ours quote user input (an
    // id, a configuration value): its control characters are escaped, on a terminal and off it.
    const message = describe(error, verbose);
    const plain = isCittyError(error) ? stripVTControlCharacters(message) : message;
    process.stderr.write(`${terminalText(plain, { lineBreaks: true })}\n`);
    return isUsageError(error) ? 2 : 1;
  }
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

function isUsageError(error: unknown): boolean {
  if (error instanceof MlTrackingError)
    return error.code === 'ERR_VALIDATION' || error.code === 'ERR_USAGE';
  return isCittyError(error);
}

/** citty's CLIError: a missing or malformed argument. */
function isCittyError(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'CLIError';
}

// No top-level await: nothing in this module makes its importers wait.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
