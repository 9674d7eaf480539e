/**
 * Closes open runs when the process ends without `finish()`, keeping every point `addScalar`
 * accepted:
 *
 * - the event loop empties ('beforeExit'): `finish()`, asynchronously (`failed` when
 *   `process.exitCode` is set);
 * - `process.exit()`, an uncaught exception, an unhandled rejection ('exit', where only
 *   synchronous code runs): each run is closed synchronously, `finished` for exit code 0, else
 *   `failed` with the exception's message (seen first by 'uncaughtExceptionMonitor') or
 *   `exited with code N`. A local folder is written in place; GCS, which has no synchronous
 *   upload, gets the local journal, uploaded by the next `startRun` on that store or
 *   `ml-tracking sync`;
 * - SIGINT and SIGTERM: the runs are closed as `failed` (interrupted), then the process dies by
 *   the signal. Where the run can be written synchronously (a local folder), that happens at once
 *   and the process dies before the program runs again; on GCS the final flush is awaited first
 *   (the program's calls are ignored meanwhile), and spooled to the journal if it fails.
 *
 * The hooks are installed only while a run is open. A program that handles these signals itself
 * starts its runs with `closeOnExit: false` and finishes them.
 */
import { constants } from 'node:os';
import type { Run, FinishOptions } from './experiment-logger.js';

const open = new Set<Run>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** Runs whose `finish()` was started on 'beforeExit': each is tried once. */
const finishing = new WeakSet<Run>();
/** The last exception the process did not catch: what a run that ends with it failed of. */
let uncaught: { error: unknown } | undefined;
/** The signal being handled: the process ends with it, whatever happens meanwhile. */
let interruptedBy: NodeJS.Signals | undefined;
let installed = false;

/** Closes `logger` on the way out if it is still open then. */
export function closeOnExit(logger: Run): void {
  open.add(logger);
  install();
}

/** Called when `logger` ended by itself. */
export function forget(logger: Run): void {
  if (open.delete(logger) && open.size === 0 && interruptedBy === undefined) uninstall();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', finishAll);
  process.on('exit', closeAllNow);
  process.on('uncaughtExceptionMonitor', remember);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  installed = false;
  process.off('beforeExit', finishAll);
  process.off('exit', closeAllNow);
  process.off('uncaughtExceptionMonitor', remember);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function remember(error: unknown): void {
  // A program that handles 'uncaughtException' goes on: this only says why, if it then ends.
  uncaught = { error };
}

function finishAll(): void {
  // beforeExit lets asynchronous work run: the event loop goes on until the writes are done. A
  // run whose finish() fails (a store that is down) is not tried again here, or beforeExit would
  // fire forever: the 'exit' hook keeps its data.
  const code = exitCodeOf(process.exitCode);
  for (const logger of [...open]) {
    if (finishing.has(logger)) continue;
    finishing.add(logger);
    void logger.finish(endingFor(code)).catch(() => undefined);
  }
}

function closeAllNow(code: number): void {
  const ending = endingFor(code);
  for (const logger of [...open]) logger.closeSync(ending);
  open.clear();
  // The event loop emptied before the signal that was re-raised came back: end with its status.
  if (interruptedBy !== undefined) process.exitCode = 128 + constants.signals[interruptedBy];
}

/** How a run ends when the process ends with `code`. */
function endingFor(code: number): FinishOptions {
  if (interruptedBy !== undefined)
    return { status: 'failed', error: `interrupted by ${interruptedBy}` };
  if (code === 0) return {};
  return { status: 'failed', error: uncaught?.error ?? `exited with code ${code}` };
}

function onSignal(signal: NodeJS.Signals): void {
  if (interruptedBy !== undefined) {
    // A second signal while a final flush is still under way: spool it and go now.
    for (const logger of [...open]) logger.closeSync(endingFor(1));
    open.clear();
    die(signal);
    return;
  }
  interruptedBy = signal;
  const ending = endingFor(1);
  const waiting: Promise<unknown>[] = [];
  for (const logger of [...open]) {
    if (logger.closesSynchronously) {
      logger.closeSync(ending);
      continue;
    }
    // No synchronous write reaches GCS: the last flush is awaited while the program's calls are
    // ignored, and spooled to the journal if it fails.
    waiting.push(
      logger.closeOnSignal(signal).catch(() => {
        logger.closeSync(ending);
      }),
    );
  }
  if (waiting.length === 0) die(signal);
  else {
    void Promise.allSettled(waiting).then(() => {
      die(signal);
    });
  }
}

/**
 * Ends the process by `signal`, as it would have ended without our listener. The signal is
 * delivered at once to the other listeners, as Node would deliver it again: signal-exit (which
 * proper-lockfile installs) acts when it alone listens, releasing its locks and raising the
 * signal again with no listener left, so the process dies before the program runs another step.
 * A listener of the program that stays keeps the decision to the program.
 */
function die(signal: NodeJS.Signals): void {
  for (const each of SIGNALS) process.off(each, onSignal);
  if (process.listenerCount(signal) > 0) process.emit(signal, signal);
  process.kill(process.pid, signal);
}

function exitCodeOf(code: string | number | null | undefined): number {
  const number = Number(code ?? 0);
  return Number.isInteger(number) ? number : 1;
}
