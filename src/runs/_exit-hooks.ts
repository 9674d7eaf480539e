/**
 * Closes open runs when the process ends without `finish()`: a normal exit finishes them, SIGINT
 * and SIGTERM flush them and mark them failed, then let the signal do what it would have done.
 * The hooks are installed only while a run is open.
 */
import type { ExperimentLogger } from './experiment-logger.js';

const open = new Set<ExperimentLogger>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Closes `logger` on the way out if it is still open then. */
export function closeOnExit(logger: ExperimentLogger): void {
  if (open.size === 0) {
    process.on('beforeExit', finishAll);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  open.add(logger);
}

/** Called when `logger` ended by itself. */
export function forget(logger: ExperimentLogger): void {
  if (!open.delete(logger) || open.size > 0) return;
  process.off('beforeExit', finishAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function finishAll(): void {
  // beforeExit lets asynchronous work run: the event loop goes on until the writes are done.
  for (const logger of [...open]) void logger.finish().catch(() => undefined);
}

function onSignal(signal: NodeJS.Signals): void {
  const closing = [...open].map((logger) =>
    logger.finish({ status: 'failed', error: `interrupted by ${signal}` }),
  );
  void Promise.allSettled(closing).then(() => {
    // Ours were the only handlers: do what the signal would have done without them.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
