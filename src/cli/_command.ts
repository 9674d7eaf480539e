import type { ArgsDef, CommandMeta, ParsedArgs } from 'citty';
import { DEFAULT_STORE_FOLDER, openStore } from '../store/open-store.js';
import { requireExistingStore } from '../store/existing-store.js';
import type { Store } from '../store/types.js';
import type { Output } from './_output.js';

/** The environment a command reads (`ML_TRACKING_STORE`, …): `process.env` in the process. */
export type Environment = Record<string, string | undefined>;

/**
 * What a command gets from the entry point besides its flags. Commands never touch `process`:
 * `runCli` gives them the process's working folder, environment and streams, or a test's.
 */
export interface CommandContext {
  /** The folder relative paths (a store, a configuration file) are read from. */
  cwd: string;
  env: Environment;
  /**
   * Aborted at the first SIGINT or SIGTERM, for commands that declare `interruptible` (a second
   * one ends the process at once); never aborted for the others, which die by the signal.
   */
  signal: AbortSignal;
  /** The signal that aborted {@link signal}, once one did. */
  interruptedBy: () => NodeJS.Signals | undefined;
  /** Lines of the answer printed while the command runs (a sweep's trials), made terminal-safe. */
  stdout: Output;
  /** Progress and warnings, made terminal-safe: stdout stays the answer. */
  stderr: Output;
  /** A child's own output, passed on as it is (`exec`: the command's progress bars stay theirs). */
  passthrough: { stdout(text: string): void; stderr(text: string): void };
}

/**
 * One command: the flags it takes (for parsing, `--help` and the README's table), a function that
 * does the work and returns data, and how that data reads as text. `runCli` alone prints the
 * result (text, or JSON when the command declares a boolean `--json` and it is given), turns it
 * and any error into the exit code, and handles interrupts.
 */
export interface CliCommand<A extends ArgsDef = ArgsDef, R = unknown> {
  meta: CommandMeta;
  args: A;
  /**
   * Takes SIGINT and SIGTERM: the first aborts `context.signal` and the command winds down, a
   * second ends the process at once. Short commands leave it off and end as any process does.
   */
  interruptible?: boolean;
  /** Does the work: maps the flags to the command's own function and returns its data. */
  run(args: ParsedArgs<A>, context: CommandContext): R | Promise<R>;
  /** The result as text on stdout. None: the command prints nothing when it ends. */
  render?(result: R, output: Output, args: ParsedArgs<A>): void;
  /**
   * What `--json` prints: the result itself unless given; `undefined` for a result that has no
   * JSON form (it is rendered as text).
   */
  json?(result: R): unknown;
  /** `--json` on one line, for readers that take the last line of stdout (the Python client). */
  jsonOnOneLine?: boolean;
  /**
   * A result that is also a failure (`migrate` found trackers it cannot rewrite): printed, then
   * reported as this error, whose code decides the exit code.
   */
  failure?(result: R): Error | undefined;
  /**
   * The exit code of a result that is not plain success: a number (exec passes its command's
   * through), or `'interrupted'` (128 + the number of the signal that came). Default 0.
   */
  exitCode?(result: R): number | 'interrupted';
}

/** Types a command's `run` and `render` by its flags. */
export const defineCliCommand = <const A extends ArgsDef, R>(
  command: CliCommand<A, R>,
): CliCommand<A, R> => command;

/** What every command's own function takes: where it runs. */
export interface CommandOptions {
  /** The store's URL or folder. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | undefined;
  /** @default process.cwd() */
  cwd?: string;
  /** Where `ML_TRACKING_STORE` is read. @default process.env */
  env?: Environment;
}

/**
 * The store a command names, as a URL or a folder relative to its working folder: `--store`, else
 * `ML_TRACKING_STORE` of its environment, else `./ml-tracking`.
 */
export function commandStoreUrl(options: CommandOptions): string {
  const fromEnvironment = (options.env ?? process.env).ML_TRACKING_STORE;
  return (
    options.store ??
    (fromEnvironment === undefined || fromEnvironment.trim() === ''
      ? DEFAULT_STORE_FOLDER
      : fromEnvironment)
  );
}

/**
 * Runs `action` on the command's store, opened from its working folder and closed after.
 * @param how.existing a command that reads (or upkeeps) a store: a local folder that does not
 *   exist is a NotFoundError naming it, not an empty answer.
 */
export async function withCommandStore<T>(
  options: CommandOptions,
  action: (store: Store) => Promise<T>,
  how: { existing?: boolean } = {},
): Promise<T> {
  const store = await openStore(options.store, {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
  });
  try {
    if (how.existing === true) await requireExistingStore(store);
    return await action(store);
  } finally {
    await store.close();
  }
}
