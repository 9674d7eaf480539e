#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { renderUsage, runCommand, type CommandDef, type SubCommandsDef } from 'citty';
import { MlTrackingError } from '../errors.js';
import { bigqueryCommand } from './commands/bigquery.js';
import { checkStoreCommand } from './commands/check-store.js';
import { demoCommand } from './commands/demo.js';
import { gcCommand } from './commands/gc.js';
import { listCommand } from './commands/list.js';
import { logCommand } from './commands/log.js';
import { lookerCommand } from './commands/looker.js';
import { newCsvCommand } from './commands/new-csv.js';
import { showCommand } from './commands/show.js';
import type { Output } from './_output.js';
import { verboseArg } from './_shared-args.js';

const stdout: Output = { line: (text) => process.stdout.write(`${text}\n`) };

const subCommands = {
  demo: demoCommand(stdout),
  log: logCommand(stdout),
  'new-csv': newCsvCommand(stdout),
  list: listCommand(stdout),
  show: showCommand(stdout),
  'check-store': checkStoreCommand(stdout),
  looker: lookerCommand(stdout),
  bigquery: bigqueryCommand(stdout),
  gc: gcCommand(stdout),
} satisfies SubCommandsDef;

function findCommand(name: string | undefined): CommandDef | undefined {
  if (name === undefined || !Object.hasOwn(subCommands, name)) return undefined;
  // citty types each command by its own arguments; usage rendering only needs the common shape.
  return subCommands[name as keyof typeof subCommands] as unknown as CommandDef;
}

const main: CommandDef = {
  meta: {
    name: 'ml-tracking',
    description:
      'Record machine-learning experiments as CSV tables and PNG plots in a bucket or folder',
  },
  args: { ...verboseArg },
  subCommands,
};

/**
 * The one place that turns errors into exit codes: 2 for bad input, 1 for everything else.
 * One clear line by default; `--verbose` adds the stack and the causes.
 */
async function run(rawArgs: string[]): Promise<number> {
  const verbose = rawArgs.includes('--verbose');
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const help = rawArgs.some((arg) => arg === '--help' || arg === '-h');
    const name = rawArgs.find((arg) => !arg.startsWith('-'));
    const sub = findCommand(name);
    if (help || rawArgs.length === 0) {
      stdout.line(await renderUsage(sub ?? main, sub ? main : undefined));
      return 0;
    }
    if (!sub) {
      throw new MlTrackingError(
        `Unknown command "${name ?? rawArgs[0] ?? ''}". Run ml-tracking --help to see the commands.`,
        { code: 'ERR_USAGE' },
      );
    }
    await runCommand(main, { rawArgs });
    return 0;
  } catch (error) {
    process.stderr.write(`${describe(error, verbose)}\n`);
    return isUsageError(error) ? 2 : 1;
  }
}

function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return `ml-tracking: ${String(error)}`;
  if (!verbose) return `ml-tracking: ${error.message.split('\n')[0] ?? error.name}`;
  const parts = [error.stack ?? error.message];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    parts.push(`Caused by: ${cause.stack ?? cause.message}`);
  }
  return parts.join('\n');
}

function isUsageError(error: unknown): boolean {
  if (error instanceof MlTrackingError)
    return error.code === 'ERR_VALIDATION' || error.code === 'ERR_USAGE';
  // citty's CLIError: a missing or malformed argument.
  return (error as { name?: unknown }).name === 'CLIError';
}

process.exitCode = await run(process.argv.slice(2));
