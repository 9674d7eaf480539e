import { constants } from 'node:os';

/** The signals a long command winds down on: Ctrl-C, and `kill`, docker stop, Kubernetes. */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Where interrupts come from: the process's signals, or a test's. */
export interface InterruptSource {
  /** Calls `listener` for each interrupt until the returned function is called. */
  subscribe(listener: (signal: NodeJS.Signals) => void): () => void;
}

/** SIGINT and SIGTERM of this process. */
export const processInterrupts: InterruptSource = {
  subscribe(listener) {
    for (const signal of INTERRUPT_SIGNALS) process.on(signal, listener);
    return () => {
      for (const signal of INTERRUPT_SIGNALS) process.off(signal, listener);
    };
  },
};

/** The exit code a shell reports for a process a signal ended: 130 for SIGINT, 143 for SIGTERM. */
export const signalExitCode = (signal: NodeJS.Signals): number => 128 + constants.signals[signal];

/** An interrupt being listened for (see {@link listenForInterrupts}). */
export interface Interrupts {
  /** Aborted at the first interrupt. */
  signal: AbortSignal;
  /** The first interrupt's signal, once there was one. */
  interruptedBy: () => NodeJS.Signals | undefined;
  /** Stops listening: the signals' default action (ending the process) applies again. */
  stop: () => void;
}

/**
 * The one way long commands (sweep, pipeline, exec, ui) take interrupts: the first SIGINT or
 * SIGTERM aborts `signal`, so the command stops its work cleanly (trials closed, claims given
 * back) and returns; a second calls `exitNow` with 128 + its number, for a user who will not wait.
 */
export function listenForInterrupts(
  source: InterruptSource,
  exitNow: (code: number) => void,
): Interrupts {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const stop = source.subscribe((signal) => {
    if (first !== undefined) {
      exitNow(signalExitCode(signal));
      return;
    }
    first = signal;
    controller.abort();
  });
  return { signal: controller.signal, interruptedBy: () => first, stop };
}
