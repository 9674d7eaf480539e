import { parseArgs } from 'node:util';
import type { ArgDef, ArgsDef } from 'citty';
import { MlTrackingError } from '../errors.js';
import { closest } from '../_suggest.js';

/** A mistake on the command line: the CLI exits with 2. */
export function usageError(message: string): MlTrackingError {
  return new MlTrackingError(message, { code: 'ERR_USAGE' });
}

/** Where the arguments being checked belong, for the messages. */
export interface ArgsOwner {
  /** How the messages place a flag: `for "log"`, `before the command`. */
  where: string;
  /** The owner's name after "of" in "flag --x of … needs a value"; empty for none. */
  of: string;
  /** What to say when an unknown flag resembles none of the known ones. */
  hint: string;
}

/** The owner of a command's arguments. */
export const commandOwner = (command: string): ArgsOwner => ({
  where: `for "${command}"`,
  of: ` of "${command}"`,
  hint: `run ml-tracking ${command} --help to see its flags`,
});

/**
 * Rejects what citty would silently ignore or misread: a flag the command does not declare
 * (`--paramz`), `--no-` before a flag that is not a boolean, a flag that takes a value given
 * none (last, or followed by another of its flags), and more positional arguments than the
 * command declares. Accepts everything citty accepts: `--flag value`, `--flag=value`, the
 * camelCase spelling, aliases, `--no-<boolean>`, and anything after `--` as positional.
 *
 * The arguments are tokenised the way citty does it (its `--no-` preprocessing, then
 * `node:util` `parseArgs` with the same options), so a flag is judged as citty will read it.
 *
 * @throws MlTrackingError with code `ERR_USAGE`, whose one-line message names the flag and the
 *   closest known one.
 */
export function checkArgs(rawArgs: readonly string[], argsDef: ArgsDef, owner: ArgsOwner): void {
  const flags = knownFlags(argsDef);
  const positionals = Object.entries(argsDef).filter(([, def]) => def.type === 'positional');
  // A positional with the value hint `argv` takes every argument left (`exec -- cmd args…`).
  const variadic = positionals.some(([, def]) => def.valueHint === 'argv');
  const unknown = (flag: string): MlTrackingError => {
    const name = flag.split('=')[0] ?? flag;
    const suggestion = closest(name, flags.suggestions);
    return usageError(
      `unknown flag ${name} ${owner.where}; ${suggestion === undefined ? owner.hint : `did you mean ${suggestion}?`}`,
    );
  };

  // citty removes every `--no-x` before parsing (up to `--`) and sets `x` to false.
  const rest: string[] = [];
  for (const [index, arg] of rawArgs.entries()) {
    if (arg === '--') {
      rest.push(...rawArgs.slice(index));
      break;
    }
    if (!arg.startsWith('--no-')) {
      rest.push(arg);
      continue;
    }
    const [name = '', value] = arg.slice('--no-'.length).split('=');
    if (flags.spellings.get(name)?.type !== 'boolean') throw unknown(arg);
    // citty would read `--no-plots=false` as a flag named `plots=false`, and ignore it.
    if (value !== undefined) throw usageError(`flag --no-${name}${owner.of} takes no value`);
  }

  const { tokens } = parseArgs({
    args: rest,
    options: flags.options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  let positionalCount = 0;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionalCount += 1;
      if (positionalCount > positionals.length && !variadic) {
        const expected = positionals.map(([name]) => `<${name.toUpperCase()}>`).join(' ');
        const takes =
          positionals.length === 0
            ? 'none'
            : `${positionals.length === 1 ? 'one' : positionals.length}: ${expected}`;
        throw usageError(
          `unexpected argument "${token.value}" ${owner.where}, which takes ${takes}`,
        );
      }
      continue;
    }
    if (token.kind !== 'option') continue;
    const def = flags.spellings.get(token.name);
    if (def === undefined) throw unknown(token.rawName);
    if (!takesValue(def)) continue;
    if (token.value === undefined) {
      throw usageError(`flag ${token.rawName}${owner.of} needs a value`);
    }
    // `--project --store x`: parseArgs takes `--store` as the project's name.
    if (!token.inlineValue && flags.isFlag(token.value)) {
      throw usageError(
        `flag ${token.rawName}${owner.of} needs a value, not the flag ${token.value.split('=')[0] ?? ''}`,
      );
    }
  }
}

interface KnownFlags {
  /** Every spelling parseArgs may report as an option name, with its definition. */
  spellings: Map<string, ArgDef>;
  /** The options citty hands to parseArgs. */
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  /** The spellings worth suggesting: `--name`, `-a`, and `--no-name` for booleans. */
  suggestions: string[];
  /** Whether an argument is one of these flags, as written on the command line. */
  isFlag(arg: string): boolean;
}

function knownFlags(argsDef: ArgsDef): KnownFlags {
  const spellings = new Map<string, ArgDef>();
  const options: KnownFlags['options'] = {};
  const suggestions: string[] = [];
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === 'positional') continue;
    const aliases = 'alias' in def ? [def.alias ?? []].flat() : [];
    const type = takesValue(def) ? 'string' : 'boolean';
    // citty parses the name, its camelCase and kebab-case forms and each alias, as `--x`.
    for (const spelling of new Set([name, camelCase(name), kebabCase(name), ...aliases])) {
      spellings.set(spelling, def);
      options[spelling] = { type };
    }
    // ... and a one-letter alias also as `-x`.
    const short = aliases.find((alias) => alias.length === 1);
    if (short !== undefined) options[name] = { type, short };
    suggestions.push(`--${name}`, ...aliases.map((alias) => `-${alias}`));
    if (type === 'boolean') suggestions.push(`--no-${name}`);
  }
  const isFlag = (arg: string): boolean => {
    const name = arg.split('=')[0] ?? arg;
    if (name.startsWith('--no-')) return spellings.get(name.slice(5))?.type === 'boolean';
    if (name.startsWith('--')) return spellings.has(name.slice(2));
    return (
      name.length === 2 &&
      name.startsWith('-') &&
      Object.values(options).some((option) => option.short === name[1])
    );
  };
  return { spellings, options, suggestions, isFlag };
}

function takesValue(def: ArgDef): boolean {
  return def.type === 'string' || def.type === 'enum';
}

// The two spellings citty (scule) derives from a name; flag names here are kebab-case words.
const camelCase = (name: string): string =>
  name.replace(/[-_]+([a-zA-Z0-9])/g, (_, letter: string) => letter.toUpperCase());
const kebabCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
