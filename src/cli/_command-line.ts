import type { ArgsDef } from 'citty';
import { storeArg, verboseArg } from './_shared-args.js';
import { checkArgs, usageError } from './_strict-args.js';

/** `--help` and `-h`: every command's usage, and the list of commands. */
export const helpArg = {
  help: { type: 'boolean', alias: 'h', description: 'Print how to use ml-tracking or a command' },
} as const;

/** `--version` and `-v`, before any command. */
export const versionArg = {
  version: { type: 'boolean', alias: 'v', description: 'Print the version of ml-tracking' },
} as const;

/**
 * The flags that may come before the command (`ml-tracking --store DIR list`). They are passed
 * on to the command, which must declare `--store`; every command does. `--verbose` and `--help`
 * are accepted by every command too, wherever they are.
 */
export const globalArgs = { ...storeArg, ...verboseArg, ...helpArg, ...versionArg } as const;

/** The command line split around the command. */
export interface CommandLine {
  /** The command's name, as typed, when there is one. */
  command: string | undefined;
  /** What the command parses: the global flags given before its name, then everything after. */
  args: string[];
  /** `--help` or `-h`, anywhere before `--`. */
  help: boolean;
  /** `--version` or `-v` before the command. */
  version: boolean;
}

/**
 * Finds the command as citty does: the first argument that is not a flag, nor the value of a
 * global flag that takes one (`--store DIR`). Flags before it must be global ones.
 *
 * @throws MlTrackingError `ERR_USAGE` for any other flag before the command.
 */
export function parseCommandLine(rawArgs: readonly string[]): CommandLine {
  const index = commandIndex(rawArgs, globalArgs);
  const options = (args: readonly string[]) => {
    const end = args.indexOf('--');
    return end < 0 ? args : args.slice(0, end);
  };
  // Without a command, what follows `--` belongs to no one: the caller says a command is missing.
  const before = index < 0 ? options(rawArgs) : rawArgs.slice(0, index);
  refuseOriginalSweepCommand(before);
  checkArgs(before, globalArgs, {
    where: 'before the command',
    of: '',
    hint: 'only --store, --verbose, --help and --version go before the command; put its own flags after it',
  });
  return {
    command: index < 0 ? undefined : rawArgs[index],
    args: index < 0 ? [] : [...before, ...rawArgs.slice(index + 1)],
    help: options(rawArgs).some((arg) => arg === '--help' || arg === '-h'),
    version: options(before).some((arg) => arg === '--version' || arg === '-v'),
  };
}

/**
 * ML Tracking Ops started a sweep with `--run_sweep=True --logdir=runs`: its users type that
 * first, and are told the command that does it here.
 */
function refuseOriginalSweepCommand(args: readonly string[]): void {
  const flag = (name: string) => {
    const at = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    if (at < 0) return undefined;
    const arg = args[at]!;
    return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[at + 1] ?? '');
  };
  if (flag('run_sweep') === undefined) return;
  const logdir = flag('logdir');
  throw usageError(
    `--run_sweep is ML Tracking Ops' flag; here a sweep is a command: ml-tracking sweep --store ${logdir === undefined || logdir === '' ? '<store>' : logdir} (run it in the folder of experiment_cfg.json, or add --config PATH)`,
  );
}

/** Whether `--verbose` was given (before `--`): decided before anything else can fail. */
export function wantsVerbose(rawArgs: readonly string[]): boolean {
  const end = rawArgs.indexOf('--');
  return (end < 0 ? rawArgs : rawArgs.slice(0, end)).includes('--verbose');
}

/** Index of the command's name, or -1; the rules of citty's own sub-command lookup. */
function commandIndex(rawArgs: readonly string[], argsDef: ArgsDef): number {
  const valueFlags = new Set(
    Object.entries(argsDef).flatMap(([name, def]) =>
      def.type === 'string' ? [`--${name}`, ...[def.alias ?? []].flat().map((a) => `-${a}`)] : [],
    ),
  );
  for (let index = 0; index < rawArgs.length; index += 1) {
    const arg = rawArgs[index]!;
    if (arg === '--') return -1;
    if (arg.startsWith('-') && arg !== '-') {
      if (valueFlags.has(arg)) index += 1;
      continue;
    }
    return index;
  }
  return -1;
}
