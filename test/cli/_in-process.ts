// `ml-tracking` run in this process through runCli: what a test of a command's output, exit code
// and store needs, without starting Node and loading the CLI again for each call (about 1.5 s
// each). Tests of what only a process shows (signals, a closed pipe, the real exit) start one.
import type { InterruptSource } from '../../src/cli/_interrupts.js';
import { runCli } from '../../src/cli/run-cli.js';

/** What a call printed and its exit code, as a process would give them. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Interrupts a test sends: `interrupt('SIGINT')` is Ctrl-C to a command that listens. */
export function testInterrupts(): InterruptSource & { interrupt(signal: NodeJS.Signals): void } {
  const listeners = new Set<(signal: NodeJS.Signals) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    interrupt(signal) {
      for (const listener of [...listeners]) listener(signal);
    },
  };
}

/**
 * Runs `ml-tracking args…` in-process in `cwd`, with `ML_TRACKING_STORE` unset unless `env`
 * sets it; resolves what it printed and its exit code.
 */
export async function cli(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    interrupts?: InterruptSource;
    /** Also called with each piece of stdout as it is written. */
    onStdout?: (text: string) => void;
    /** Stdout is a terminal this wide (default: not a terminal). */
    terminalColumns?: number;
  } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: {
      write: (text) => {
        stdout += text;
        options.onStdout?.(text);
      },
      ...(options.terminalColumns !== undefined && {
        isTTY: true,
        columns: options.terminalColumns,
      }),
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
    },
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    env: { ...process.env, ML_TRACKING_STORE: '', ...options.env },
    interrupts: options.interrupts ?? testInterrupts(),
  });
  return { code, stdout, stderr };
}

/** A call that failed: what it printed on stderr, and its exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * The lines `ml-tracking args…` printed on stdout (one element per line; JSON is joined back
 * with `\n`); rejects with a {@link CliFailure} carrying stderr and the exit code when it fails.
 */
export async function cliLines(args: string[], options: { cwd?: string } = {}): Promise<string[]> {
  const result = await cli(args, options);
  if (result.code !== 0) throw new CliFailure(result.stderr.trimEnd(), result.code);
  return result.stdout.replace(/\n$/, '').split('\n');
}
