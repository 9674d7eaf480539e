/**
 * What a trial's command line can carry. A trial gets its values as `--name=value` arguments after
 * `command` and `main_script_name`: a value no argv can hold would pass the configuration and then
 * fail every trial when it is started (Node refuses a NUL in an argument; the kernel answers E2BIG
 * past its limits). So the configuration refuses it, with its key path.
 */
import type { HyperparameterSpec } from './_hyperparameter-spec.js';
import type { Problems } from '../_config-problems.js';

/**
 * The longest value (a candidate, an argument of `command`, the script's name, a hyperparameter's
 * name), in UTF-8 bytes. Linux refuses one argument over 128 KiB (MAX_ARG_STRLEN) and an argv and
 * environment together over ARG_MAX (a quarter of the stack limit, 2 MiB by default). A
 * hyperparameter is a word, a number or a short list: 4 KiB is far beyond any real one, yet
 * hundreds of them fit in ARG_MAX; data that large belongs in a file whose path is the value.
 */
export const MAX_ARGUMENT_BYTES = 4096;

/**
 * The longest command line a trial may have (its arguments with their terminating NULs): half of
 * Linux's default ARG_MAX, the other half left to the environment, which shares that limit.
 */
export const MAX_COMMAND_LINE_BYTES = 1024 * 1024;

/** A float64 as `String()` writes it is at most 24 characters (`-2.2250738585072014e-308`). */
const NUMBER_BYTES = 24;

/** What a problem with a value says to do, by where the value is. */
export interface ArgumentFixes {
  /** How to do without a NUL character there. */
  nul: string;
  /** How to do without a long value there. */
  long: string;
}

/**
 * Whether `text` can be (part of) one argument of a trial's command line; records the problem
 * with `at` otherwise.
 */
export function checkArgument(
  text: string,
  at: string,
  problems: Problems,
  fixes: ArgumentFixes,
): boolean {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    problems.add(
      at,
      `it contains a NUL character (at character ${nul}), which no command-line argument can carry`,
      fixes.nul,
    );
    return false;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_ARGUMENT_BYTES) {
    problems.add(
      at,
      `it is ${bytes} bytes long, more than ${MAX_ARGUMENT_BYTES} bytes, the longest value a trial's command line takes`,
      fixes.long,
    );
    return false;
  }
  return true;
}

/**
 * Records a problem when the longest command line the configuration can give a trial (each
 * hyperparameter at its longest value) is over {@link MAX_COMMAND_LINE_BYTES}. The interpreter
 * inferred from the script and `--logdir` are not counted: they are short and not in the file.
 */
export function checkCommandLineLength(
  argv: readonly string[],
  hyperparameters: Record<string, HyperparameterSpec>,
  problems: Problems,
): void {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  // Each argument ends with a NUL in the kernel's count.
  let total = 0;
  for (const argument of argv) total += bytes(argument) + 1;
  for (const [name, spec] of Object.entries(hyperparameters)) {
    const longest =
      spec.type === 'choice'
        ? Math.max(...spec.candidates.map((candidate) => bytes(String(candidate))))
        : NUMBER_BYTES;
    total += bytes(`--${name}=`) + longest + 1;
  }
  if (total <= MAX_COMMAND_LINE_BYTES) return;
  problems.add(
    'hyperparameters',
    `the longest command line a trial can get from them is ${total} bytes, more than ${MAX_COMMAND_LINE_BYTES} bytes (half of Linux's 2 MiB limit, which the environment shares)`,
    'Shorten the longest candidates: put large data in a file and give its path as the candidate.',
  );
}
