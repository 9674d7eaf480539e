/**
 * `runSink()`: a run owned by this process and fed by another one through the line protocol on
 * an input stream (`ml-tracking run-sink`, which the Python client starts for `start_run()`). The
 * run is the one `startRun()` opens, with its buffering, flushing, heartbeat and journal: a
 * program in another language records runs without a second writer of the store.
 *
 * The run ends when the program says so (a `status` message), when its input ends without one (the
 * program died: the run fails, keeping every point received), or when the program is gone while
 * something it started still holds the input open (a forked data loader): `parentGone`.
 */
import type { Readable } from 'node:stream';
import { MlTrackingError } from '../errors.js';
import type { RunOrigin } from '../layout/tables.js';
import type { Store } from '../store/types.js';
import type { FinishOptions, Run } from './experiment-logger.js';
import { MAX_LINE_BYTES, parseProtocolLine, type ProtocolMessage } from './line-protocol.js';
import { readLines } from './_line-reader.js';
import type { JsonValue, RunRecord } from './run-record.js';
import { startRun } from './start-run.js';

/** The error of a run whose program ended without finishing it. */
export const ENDED_WITHOUT_STATUS = 'the Python process ended without finishing the run';

/** How often `parentGone` is asked. */
const PARENT_POLL_MS = 250;
/**
 * How long lines are still read once the parent is gone: what it wrote before dying is in the
 * pipe already, and is read within a turn or two of the event loop.
 */
const DRAIN_MS = 300;

/** Options of {@link runSink}. */
export interface RunSinkOptions {
  /** Project of the run; slugified. */
  project: string;
  /** @default a generated name */
  name?: string;
  hyperparameters?: Record<string, JsonValue>;
  /** A store URL or an opened store (left open). @default as `startRun`'s */
  store?: string | Store;
  /** Where the git commit is read and a relative store path starts. @default process.cwd() */
  cwd?: string;
  /** @default 'logger' */
  origin?: RunOrigin;
  /** The experiment class or model name, for runs an experiment starts. */
  experiment?: string;
  /** The argv of the program that reports, recorded as the run's command. */
  command?: string[];
  /** The protocol lines. */
  input: Readable;
  /**
   * Asked every 250 ms: `true` when the reporting program is gone even though the input is still
   * open; the run then ends as when the input ends.
   */
  parentGone?: () => boolean;
  /** The run was created (before any line is read). */
  onStarted?: (run: { id: string; project: string }) => void;
}

/** How a sink's run ended. */
export interface RunSinkResult {
  /** The run's final record. */
  run: RunRecord;
  /** What ended it. */
  endedBy: 'status' | 'input-closed' | 'parent-gone';
  /** Lines that were not protocol messages, malformed or refused, one each (the first 100). */
  warnings: string[];
}

const MOST_WARNINGS = 100;

/** Opens a run, applies the protocol lines of `input` to it, and resolves once it is written. */
export async function runSink(options: RunSinkOptions): Promise<RunSinkResult> {
  const run = await startRun({
    project: options.project,
    ...(options.name !== undefined && { name: options.name }),
    ...(options.hyperparameters !== undefined && { hyperparameters: options.hyperparameters }),
    ...(options.store !== undefined && { store: options.store }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.experiment !== undefined && { experiment: options.experiment }),
    origin: options.origin ?? 'logger',
    command: options.command ?? [],
  });
  options.onStarted?.({ id: run.id, project: run.project });

  const warnings: string[] = [];
  const warn = (warning: string) => {
    if (warnings.length < MOST_WARNINGS) warnings.push(warning);
  };
  let ending: { finish: FinishOptions; endedBy: RunSinkResult['endedBy'] } | undefined;
  let stopped: () => void = () => undefined;
  const statusCame = new Promise<void>((resolve) => (stopped = resolve));

  const onLine = (line: string) => {
    if (ending !== undefined) return;
    const parsed = parseProtocolLine(line);
    if (parsed.kind !== 'message') {
      warn(
        `${parsed.kind === 'output' ? 'not a protocol line' : `malformed ml_tracking line (${parsed.problem})`}: ${line.slice(0, 200)}`,
      );
      return;
    }
    try {
      const finish = apply(run, parsed.message);
      if (finish !== undefined) {
        ending = { finish, endedBy: 'status' };
        stopped();
      }
    } catch (error) {
      // The program checks its values before sending them; a bad one never ends the run.
      const problem = error instanceof MlTrackingError ? error.message : String(error);
      warn(`refused ml_tracking line (${problem}): ${line.slice(0, 200)}`);
    }
  };
  const reading = readLines(options.input, MAX_LINE_BYTES, {
    line: onLine,
    cut: (head) => {
      warn(`a line longer than ${MAX_LINE_BYTES} bytes was dropped: ${head.slice(0, 200)}`);
    },
  });

  const parentGone = watchParent(options.parentGone);
  try {
    const first = await Promise.race([
      statusCame.then(() => 'status' as const),
      reading.then(() => 'input-closed' as const),
      parentGone.gone.then(() => 'parent-gone' as const),
    ]);
    if (first === 'parent-gone') await Promise.race([reading, delay(DRAIN_MS)]);
    ending ??= {
      finish: { status: 'failed', error: ENDED_WITHOUT_STATUS },
      endedBy: first === 'parent-gone' ? 'parent-gone' : 'input-closed',
    };
  } finally {
    parentGone.stop();
    // Nothing more is read: lines after the status, or from a process that outlived its parent.
    options.input.destroy();
  }
  const record = await run.finish(ending.finish);
  return { run: record, endedBy: ending.endedBy, warnings };
}

/** Applies one message to the run; a status message is returned as how the run finishes. */
function apply(run: Run, message: ProtocolMessage): FinishOptions | undefined {
  switch (message.type) {
    case 'scalar':
      run.addScalar(message.tag, message.value, message.step);
      return undefined;
    case 'summary':
      run.setSummary(message.values);
      return undefined;
    case 'prediction':
      run.linkPrediction(message.predictionId);
      return undefined;
    case 'hyperparameters':
      run.setHyperparameters(message.values);
      return undefined;
    case 'status':
      return message.error === undefined
        ? { status: message.status }
        : { status: message.status, error: message.error };
  }
}

/** Polls `parentGone`; `gone` resolves the first time it says so (never without one). */
function watchParent(parentGone: (() => boolean) | undefined) {
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve) => {
    if (parentGone === undefined) return;
    timer = setInterval(() => {
      if (parentGone()) resolve();
    }, PARENT_POLL_MS);
    // The input keeps the process alive while it is open; the poll alone never should.
    timer.unref();
  });
  return {
    gone,
    stop: () => {
      clearInterval(timer);
    },
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
