/**
 * `Run` (also exported as `ExperimentLogger`): the handle of one run, what `startRun()` returns.
 * Scalars are checked at the call, buffered in memory and written in the background, so a
 * training loop never waits on the store and the run stays readable while it goes.
 */
import { debug } from '../_debug.js';
import { jsonText } from '../_json.js';
import { ValidationError } from '../errors.js';
import type { RunStatus } from '../layout/tables.js';
import type { ProtocolMessage } from './line-protocol.js';
import { checkHyperparameters } from './_check-hyperparameters.js';
import { PointBuffer } from './_point-buffer.js';
import type { RunWriter } from './_run-writer.js';
import { addToTagSummary, type JsonValue, type RunRecord, type TagSummary } from './run-record.js';

/** How a run ends: `finish()` alone means it finished. */
export interface FinishOptions {
  /**
   * `lost` is for tools that hold the run's work by a claim and were given up on (it was taken
   * over): the run is not to be counted as ended by its own code.
   * @default 'finished' ('failed' when `error` is given)
   */
  status?: Exclude<RunStatus, 'running'>;
  /** What went wrong; its message is kept in the record. */
  error?: unknown;
}

/** Timings of a logger, chosen by `startRun` from the store. */
export interface LoggerTimings {
  /** Time between background flushes. */
  flushIntervalMs: number;
  /** Longest time without a record write; 4 missed heartbeats make the run `lost`. */
  heartbeatIntervalMs: number;
}

// `__proto__` is refused: as a key of the summary's JSON it would be read back as the object's
// prototype, and the tag would vanish from the record.
const isTag = (tag: unknown): tag is string =>
  typeof tag === 'string' &&
  tag !== '' &&
  tag !== '__proto__' &&
  tag.length <= 256 &&
  !/[\n\r]/.test(tag);

interface TagState {
  summary: TagSummary;
  /** The step an `addScalar` without one gets. */
  nextStep: number;
}

/**
 * The handle of one run: records its scalars, summary, linked predictions and how it ended. Get
 * one from `startRun()`; call `finish()` at the end (a normal exit, SIGINT or SIGTERM also close
 * it). Not the run's stored record: `getRun(id)` reads that ({@link RunRecord}).
 */
export class Run {
  private readonly points = new PointBuffer();
  private readonly tagStates = new Map<string, TagState>();
  private logText = '';
  private messages: ProtocolMessage[] = [];
  private recordChanged = false;
  private recordUrgent = false;
  private lastRecordWrite = 0;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private ended: Promise<RunRecord> | undefined;
  /** finish() was called: the record says how the run ended. */
  private closed = false;
  /** Closed by a signal while the program may still be running its loop. */
  private interrupted = false;
  /** closeSync() ran: the process is ending. */
  private closedSync = false;
  private readonly record: RunRecord;

  /** @internal Use `startRun()`. */
  constructor(
    record: RunRecord,
    private readonly writer: RunWriter,
    private readonly timings: LoggerTimings,
    private readonly onEnd: (logger: Run) => void = () => undefined,
  ) {
    this.record = record;
    // startRun() has just created the record and the scalars object: those were writes too.
    this.lastRecordWrite = this.lastWrite = Date.now();
    this.schedule();
  }

  /** The run id: sortable by start time, the name of the run's files. */
  get id(): string {
    return this.record.id;
  }

  /** The slugified project. */
  get project(): string {
    return this.record.project;
  }

  /** The run's name (given, or generated). */
  get name(): string {
    return this.record.name;
  }

  /** A copy of the record as it stands (summary up to the last `addScalar`). */
  get snapshot(): RunRecord {
    return structuredClone({ ...this.record, summary: this.summary() });
  }

  /**
   * Records one point of a series. Synchronous and buffered: nothing is written until the next
   * background flush. `step` defaults to the tag's previous step + 1 (0 for the first).
   * @throws ValidationError for an empty tag, a value that is not a finite number, or a step
   *   that is not a non-negative integer; nothing is recorded then.
   */
  addScalar(tag: string, value: number, step?: number): void {
    if (!isTag(tag)) {
      throw new ValidationError(
        'tag',
        `${JSON.stringify(tag)} is not a tag`,
        'Pass a non-empty name of at most 256 characters on one line other than __proto__, e.g. "loss" or "val/accuracy".',
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(
        'value',
        `${String(value)} is not a finite number (tag ${tag})`,
        'Pass a finite number; skip the point (or log a sentinel tag) when a loss diverges.',
      );
    }
    let state = this.tagStates.get(tag);
    const at = step ?? state?.nextStep ?? 0;
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new ValidationError(
        'step',
        `${String(step)} is not a non-negative integer (tag ${tag})`,
        'Pass 0, 1, 2…, or leave the step out to count up from the last one.',
      );
    }
    if (!this.accepting()) return;
    if (state === undefined) {
      state = { summary: addToTagSummary(undefined, at, value), nextStep: 0 };
      this.tagStates.set(tag, state);
    } else {
      addToTagSummary(state.summary, at, value);
    }
    state.nextStep = Math.max(state.nextStep, at + 1);
    this.points.push(tag, at, value, Date.now());
    this.recordChanged = true;
  }

  /** @internal The step `addScalar(tag, value)` without a step would record. */
  nextStep(tag: string): number {
    return this.tagStates.get(tag)?.nextStep ?? 0;
  }

  /** Records several tags at one step, e.g. `addScalars({ accuracy, f1 }, epoch)`. */
  addScalars(values: Record<string, number>, step?: number): void {
    checkValues(values, 'values', 'Pass an object of tags and numbers, e.g. { accuracy, f1 }.');
    // Checked as a whole first: a bad tag or value records none of the others.
    for (const [tag, value] of Object.entries(values)) {
      if (!isTag(tag) || typeof value !== 'number' || !Number.isFinite(value)) {
        this.addScalar(tag, value, step);
      }
    }
    for (const [tag, value] of Object.entries(values)) this.addScalar(tag, value, step);
  }

  /**
   * Sets final values of the summary, as W&B's `run.summary` does: a tag's `last` becomes the
   * value given (a tag without points gets an entry of its own, count 0).
   */
  setSummary(values: Record<string, number>): void {
    checkValues(values, 'summary', 'Pass an object of names and numbers, e.g. { test_f1: 0.9 }.');
    for (const [tag, value] of Object.entries(values)) {
      if (!isTag(tag) || typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ValidationError(
          `summary.${tag}`,
          isTag(tag) ? `${String(value)} is not a finite number` : 'is not a tag name',
          'Pass finite numbers keyed by names of at most 256 characters on one line (not __proto__).',
        );
      }
    }
    if (!this.accepting()) return;
    for (const [tag, value] of Object.entries(values)) {
      const summary = this.tagStates.get(tag)?.summary;
      if (summary === undefined) {
        this.tagStates.set(tag, {
          summary: {
            last: value,
            lastStep: 0,
            min: value,
            minStep: 0,
            max: value,
            maxStep: 0,
            count: 0,
          },
          nextStep: 0,
        });
      } else {
        summary.last = value;
      }
    }
    this.messages.push({ type: 'summary', values: { ...values } });
    this.recordChanged = true;
  }

  /** Links a prediction id logged with `logExperiment` to this run. */
  linkPrediction(predictionId: string): void {
    if (typeof predictionId !== 'string' || !/^[0-9a-f-]{36}$/.test(predictionId)) {
      throw new ValidationError(
        'predictionId',
        `${JSON.stringify(predictionId)} is not a prediction id`,
        'Pass the predictionId that logExperiment returned.',
      );
    }
    if (!this.accepting()) return;
    if (this.record.predictionIds.includes(predictionId)) return;
    this.record.predictionIds.push(predictionId);
    this.messages.push({ type: 'prediction', predictionId });
    this.recordUrgent = true;
  }

  /**
   * Adds hyperparameters (those of the same name are replaced). A copy is kept: changing the
   * object afterwards changes nothing recorded.
   * @throws ValidationError for values JSON cannot hold (NaN, Infinity, BigInt, functions,
   *   `undefined`, cycles) or a `__proto__` key, naming where; nothing is recorded then.
   */
  setHyperparameters(values: Record<string, JsonValue>): void {
    const checked = checkHyperparameters(values, true);
    if (!this.accepting()) return;
    for (const [name, value] of Object.entries(checked)) {
      // Defined, not assigned: a key such as "constructor" is data like any other.
      Object.defineProperty(this.record.hyperparameters, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    this.messages.push({ type: 'hyperparameters', values: checked });
    this.recordUrgent = true;
  }

  /** @internal Output of the run's process, kept as its log (`ml-tracking exec`, sweeps). */
  appendLog(text: string): void {
    this.logText += text;
  }

  /**
   * Writes what is buffered now. On GCS it first waits until a second has passed since the
   * last write (the per-object update limit).
   */
  flush(): Promise<void> {
    return this.enqueueFlush(true);
  }

  /**
   * Flushes, writes the final record and stops the background work. Calling it again returns
   * the same result.
   * @example await run.finish({ status: 'failed', error })
   */
  finish(options: FinishOptions = {}): Promise<RunRecord> {
    if (this.ended !== undefined) return this.ended;
    this.close(options);
    const ending = (async () => {
      await this.enqueueFlush(true);
      this.onEnd(this);
      return this.snapshot;
    })();
    this.ended = ending;
    // A final write that failed can be tried again by calling finish() again.
    ending.catch(() => {
      if (this.ended === ending) this.ended = undefined;
    });
    return ending;
  }

  /**
   * @internal Closes the run because the process got `signal` (see `_exit-hooks.ts`). The
   * program may still be in its loop until the signal ends it: its calls are ignored from now
   * on rather than thrown at, so that the final flush can land.
   */
  closeOnSignal(signal: NodeJS.Signals): Promise<RunRecord> {
    this.interrupted = true;
    return this.finish({ status: 'failed', error: `interrupted by ${signal}` });
  }

  /** @internal Whether {@link closeSync} writes the run's own destination (not the journal). */
  get closesSynchronously(): boolean {
    return this.writer.writesSyncToStore;
  }

  /**
   * @internal Ends the run before returning, for a process that is ending (see
   * `_exit-hooks.ts`): the 'exit' event runs no asynchronous code, so what is buffered, what an
   * unfinished flush holds and the final record are written synchronously (a local folder) or
   * spooled to the local journal (GCS). A run already closed by `finish()` keeps the status it
   * was given. Calls made afterwards are ignored. Never throws.
   */
  closeSync(options: FinishOptions): void {
    if (this.closedSync) return;
    this.closedSync = true;
    this.interrupted = true;
    this.close(options);
    const points = this.points.length > 0 ? this.points.take() : undefined;
    const log = this.logText;
    this.logText = '';
    const messages = this.messages;
    this.messages = [];
    this.record.heartbeatAt = new Date();
    const record = { ...this.record, summary: this.summary() };
    try {
      this.writer.writeSync({
        ...(points && { points }),
        ...(log !== '' && { log }),
        messages,
        record,
      });
    } catch (error) {
      debug(`run ${this.record.id}: the last write on exit failed: ${String(error)}`);
    }
    this.ended ??= Promise.resolve(this.snapshot);
    this.onEnd(this);
  }

  /** Marks the run closed with how it ended; the next flush writes the final record. */
  private close(options: FinishOptions): void {
    if (this.closed) return;
    this.closed = true;
    const status = options.status ?? (options.error === undefined ? 'finished' : 'failed');
    this.record.status = status;
    this.record.endedAt = new Date();
    if (options.error !== undefined) {
      this.record.error =
        options.error instanceof Error ? options.error.message : describeError(options.error);
    }
    // `lost` is a tool's verdict on a run it was given up on (its claim was taken over), never
    // something a child reports to its parent.
    if (status !== 'lost') {
      const message: ProtocolMessage = { type: 'status', status };
      if (this.record.error !== undefined) message.error = this.record.error;
      this.messages.push(message);
    }
    this.recordUrgent = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** `false` when calls are to be ignored (closed by a signal); throws when finished. */
  private accepting(): boolean {
    if (this.interrupted) return false;
    if (this.closed) {
      throw new ValidationError(
        'run',
        `run ${this.record.id} has finished`,
        'Record scalars before calling finish(), or start a new run.',
      );
    }
    return true;
  }

  private summary(): Record<string, TagSummary> {
    const summary: Record<string, TagSummary> = {};
    for (const [tag, state] of this.tagStates) summary[tag] = { ...state.summary };
    return summary;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.enqueueFlush(false).then(
        () => {
          this.schedule();
        },
        (error: unknown) => {
          // Kept buffered and tried again at the next tick; flush() and finish() report it.
          debug(`run ${this.record.id}: background flush failed, will retry: ${String(error)}`);
          this.schedule();
        },
      );
    }, this.timings.flushIntervalMs);
    // A pending flush never keeps the process alive: exit hooks flush on the way out.
    this.timer.unref();
  }

  private enqueueFlush(everything: boolean): Promise<void> {
    const next = this.flushing.then(() => this.flushOnce(everything));
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async flushOnce(everything: boolean): Promise<void> {
    const wait = this.writer.minIntervalMs - (Date.now() - this.lastWrite);
    if (wait > 0) {
      // A background tick right after a flush() leaves the data to the next tick: writing now
      // would update the objects twice within the store's limit.
      if (!everything) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const now = Date.now();
    const sinceRecord = now - this.lastRecordWrite;
    const recordDue =
      everything ||
      this.recordUrgent ||
      sinceRecord >= this.timings.heartbeatIntervalMs ||
      (this.recordChanged && sinceRecord >= this.timings.heartbeatIntervalMs / 2);
    const hasData = this.points.length > 0 || this.logText !== '' || this.messages.length > 0;
    if (!hasData && !recordDue) return;
    const points = this.points.length > 0 ? this.points.take() : undefined;
    const log = this.logText;
    const messages = this.messages;
    this.logText = '';
    this.messages = [];
    let record: RunRecord | undefined;
    if (recordDue) {
      this.record.heartbeatAt = new Date(now);
      record = { ...this.record, summary: this.summary() };
      this.recordChanged = false;
      this.recordUrgent = false;
    }
    try {
      await this.writer.write({
        ...(points && { points }),
        ...(log !== '' && { log }),
        messages,
        ...(record && { record }),
      });
      if (record) this.lastRecordWrite = now;
    } catch (error) {
      // The writer keeps the points and log it encoded; the record is simply due again.
      if (record) this.recordUrgent = true;
      throw error;
    } finally {
      // The store's limit is between its updates of an object: counted from when this write
      // ended, a next one is never sent sooner, however long encoding this one took (a busy
      // machine delayed the store calls of one write and not the next's, 916 ms apart).
      this.lastWrite = Date.now();
    }
  }
}

/** Refuses what is not an object of values (`null`, an array, a number…). */
function checkValues(values: unknown, parameter: string, fix: string): void {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    const what = values === null ? 'null' : Array.isArray(values) ? 'an array' : typeof values;
    throw new ValidationError(parameter, `${what} is not an object`, fix);
  }
}

/** A thrown value that is not an Error, as text: a string as it is, anything else as JSON. */
function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  try {
    return jsonText(error) ?? Object.prototype.toString.call(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/**
 * {@link Run} under the name the original system's users know: the same class, so
 * `run instanceof ExperimentLogger` holds for every run.
 */
export const ExperimentLogger = Run;
/** {@link Run} under the name the original system's users know. */
export type ExperimentLogger = Run;
