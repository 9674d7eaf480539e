/**
 * Closes open runs when the process ends without `finish()`: a normal exit finishes them; SIGINT
 * and SIGTERM flush them, mark them failed, and then the signal does what it would have done
 * (the process dies by it). The hooks are installed only while a run is open. A program that
 * handles these signals itself starts its runs with `closeOnExit: false` and finishes them.
 */
import type { ExperimentLogger } from './experiment-logger.js';

const open = new Set<ExperimentLogger>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Closes `logger` on the way out if it is still open then. */
export function closeOnExit(logger: ExperimentLogger): void {
  if (open.size === 0) install();
  open.add(logger);
}

/** Called when `logger` ended by itself. */
export function forget(logger: ExperimentLogger): void {
  if (open.delete(logger) && open.size === 0) uninstall();
}

function install(): void {
  process.on('beforeExit', finishAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('beforeExit', finishAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function finishAll(): void {
  // beforeExit lets asynchronous work run: the event loop goes on until the writes are done.
  // Each run is tried once: a store that is down must not make beforeExit fire forever.
  const closing = [...open];
  open.clear();
  uninstall();
  for (const logger of closing) void logger.finish().catch(() => undefined);
}

function onSignal(signal: NodeJS.Signals): void {
  const closing = [...open].map((logger) => logger.closeOnSignal(signal));
  open.clear();
  uninstall();
  void Promise.allSettled(closing).then(() => {
    // Our handler kept Node from ending the process; without it, the signal does. Other
    // listeners (signal-exit, which proper-lockfile installs) act when the signal comes again.
    process.kill(process.pid, signal);
  });
}
