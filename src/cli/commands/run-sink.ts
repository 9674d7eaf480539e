import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { basename } from 'node:path';
import { ValidationError } from '../../errors.js';
import { RUN_ORIGINS, type RunOrigin } from '../../layout/tables.js';
import type { JsonValue } from '../../runs/run-record.js';
import { runSink, type RunSinkResult } from '../../runs/run-sink.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';
import type { Readable } from 'node:stream';

/** Options of {@link runSinkCommand}. */
export interface RunSinkCommandOptions extends CommandOptions {
  /** @default the working folder's name */
  project?: string | undefined;
  name?: string | undefined;
  /** A JSON object, as typed. */
  hyperparameters?: string | undefined;
  /** A JSON array of strings, as typed: the reporting program's argv. */
  command?: string | undefined;
  origin?: string | undefined;
  experiment?: string | undefined;
  input: Readable;
  parentGone?: () => boolean;
  /** The run exists: its id, project and store URL. */
  onStarted: (run: { run_id: string; project: string; store: string }) => void;
}

/**
 * `ml-tracking run-sink`: owns one run for another process (the Python client's `start_run()`),
 * reading its protocol lines from `input` until it finishes the run or ends.
 */
export function runSinkCommand(options: RunSinkCommandOptions): Promise<RunSinkResult> {
  const hyperparameters = parseHyperparameters(options.hyperparameters);
  const command = parseArgv(options.command);
  const origin = parseOrigin(options.origin);
  return withCommandStore(options, (store) =>
    runSink({
      project: options.project ?? basename(options.cwd ?? process.cwd()),
      ...(options.name !== undefined && { name: options.name }),
      ...(hyperparameters !== undefined && { hyperparameters }),
      ...(command !== undefined && { command }),
      ...(options.experiment !== undefined && { experiment: options.experiment }),
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.parentGone !== undefined && { parentGone: options.parentGone }),
      origin,
      store,
      input: options.input,
      onStarted: (run) => {
        options.onStarted({ run_id: run.id, project: run.project, store: store.url });
      },
    }),
  );
}

export const runSinkCli = defineCliCommand({
  meta: {
    name: 'run-sink',
    description: COMMAND_DESCRIPTIONS['run-sink'],
  },
  args: {
    project: {
      type: 'string',
      description: "Project of the run (default: the current folder's name)",
    },
    name: { type: 'string', description: 'Name of the run (default: a generated one)' },
    hyperparameters: { type: 'string', description: 'Hyperparameters as a JSON object' },
    origin: {
      type: 'string',
      description: `What started the run: ${RUN_ORIGINS.join(', ')}`,
      default: 'logger',
    },
    experiment: { type: 'string', description: 'Experiment class or model name of the run' },
    command: {
      type: 'string',
      description: "The reporting program's command line as a JSON array of strings",
    },
    json: { type: 'boolean', description: 'Errors as one JSON line on stderr (for programs)' },
    ...storeArg,
  },
  run: async (args, { cwd, env, stdout, stderr }) => {
    // The sink dies with the program it serves: stdin ends when that program dies, and a new
    // parent means it died while something it forked still holds stdin open.
    const parent = process.ppid;
    const result = await runSinkCommand({
      project: args.project,
      name: args.name,
      hyperparameters: args.hyperparameters,
      command: args.command,
      origin: args.origin,
      experiment: args.experiment,
      store: args.store,
      cwd,
      env,
      // The one command that reads stdin as data: CommandContext has no stdin of its own.
      input: process.stdin,
      parentGone: () => process.ppid !== parent,
      onStarted: (run) => {
        stdout.line(JSON.stringify(run));
      },
    });
    for (const warning of result.warnings) stderr.line(`ml-tracking: warning: ${warning}`);
    return result;
  },
  // Its answer is the line printed at the start; the reporting program may have stopped reading.
  json: () => undefined,
});

function parseHyperparameters(text: string | undefined): Record<string, JsonValue> | undefined {
  if (text === undefined) return undefined;
  const value = parseJson('--hyperparameters', text, 'a JSON object, e.g. \'{"lr": 0.001}\'');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      '--hyperparameters',
      `${text} is not a JSON object`,
      'Pass a JSON object, e.g. \'{"lr": 0.001}\'.',
    );
  }
  // startRun checks it as it checks every run's.
  return value as Record<string, JsonValue>;
}

function parseArgv(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const value = parseJson('--command', text, 'a JSON array of strings, e.g. \'["train.py"]\'');
  if (!Array.isArray(value) || !value.every((part) => typeof part === 'string')) {
    throw new ValidationError(
      '--command',
      `${text} is not a JSON array of strings`,
      'Pass the command line as a JSON array of strings, e.g. \'["python3", "train.py"]\'.',
    );
  }
  return value;
}

function parseJson(flag: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(flag, `${text} is not valid JSON`, `Pass ${what}.`, {
      cause: error,
    });
  }
}

function parseOrigin(text: string | undefined): RunOrigin {
  if (text === undefined) return 'logger';
  const origin = RUN_ORIGINS.find((known) => known === text);
  if (origin === undefined) {
    throw new ValidationError(
      '--origin',
      `"${text}" is not an origin`,
      `Pass one of ${RUN_ORIGINS.join(', ')}.`,
    );
  }
  return origin;
}
