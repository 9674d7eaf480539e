/**
 * Where a logger's buffered data goes: the store (the run's own three objects) or, for a program
 * that runs under `ml-tracking exec` or a sweep, the line protocol on standard output, which the
 * parent process writes to the store.
 */
import { writeSync } from 'node:fs';
import { debug } from '../_debug.js';
import { ConflictError } from '../errors.js';
import { runLogPath, runPath, scalarsPath } from '../layout/paths.js';
import { localSyncWrites, type LocalSyncWrites } from '../store/drivers/local.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { SeriesIndexWriter } from '../series/series-index-writer.js';
import { formatProtocolLine, type ProtocolMessage } from './line-protocol.js';
import type { PointBatch } from './_point-buffer.js';
import { writeJournalEntry, type JournalAppend } from './_journal.js';
import { decodeRunRecord, encodeRunRecord, type RunRecord } from './run-record.js';
import { encodeScalarRows, SCALARS_HEADER } from './scalar-table.js';

/** What one flush hands to a writer. Each part is `undefined` when there is nothing to write. */
export interface FlushBatch {
  points?: PointBatch;
  log?: string;
  /** Protocol-only messages (summary, prediction, hyperparameters, status) in order. */
  messages: ProtocolMessage[];
  /** The record as it now stands, when it is due to be written. */
  record?: RunRecord;
}

/** Writes flush batches. A failed `write` is called again later with the same batch. */
export interface RunWriter {
  /** The least time between two writes of one object (GCS: about one update per second). */
  readonly minIntervalMs: number;
  /**
   * Whether {@link writeSync} reaches the run's destination itself (a local folder, the parent
   * process), rather than the local journal that a later process uploads.
   */
  readonly writesSyncToStore: boolean;
  /** Creates the run's objects; `false` when the run already exists (its id was taken). */
  create(record: RunRecord, captureLog: boolean): Promise<boolean>;
  write(batch: FlushBatch): Promise<void>;
  /**
   * The last write, done before returning, for a process that is ending (an 'exit' handler runs
   * no asynchronous code): everything not known to have landed, then the final record. Later
   * writes do nothing. Never throws.
   */
  writeSync(batch: FlushBatch): void;
}

/**
 * Writes to the store. Each encoded batch keeps its append key until it has landed, so a batch
 * retried after a lost answer lands once (see `Store.append`), and new points wait for the next
 * batch rather than changing one in flight.
 */
export class StoreRunWriter implements RunWriter {
  readonly minIntervalMs: number;
  readonly writesSyncToStore: boolean;
  // Batches not yet known to have landed, oldest first, each with its key for good: a batch that
  // was retried after a lost answer must be sent again as it was, under the same key.
  private readonly pending: Record<'points' | 'log', PendingAppend[]> = {
    points: [],
    log: [],
  };
  /** The series index beside the scalars file, fed each batch of points that landed. */
  private readonly index: SeriesIndexWriter;
  private sequence = 0;
  /** The record's generation as this writer last wrote it. */
  private recordGeneration: string | undefined;
  /** Another writer closed the record (marked it lost): this one no longer writes it. */
  private superseded = false;
  /** writeSync() ran: the process is ending and nothing more is written. */
  private ended = false;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
  ) {
    this.minIntervalMs = store.updateIntervalMs;
    this.writesSyncToStore = store.kind !== 'gcs';
    this.index = new SeriesIndexWriter(store, runId);
  }

  async create(record: RunRecord, captureLog: boolean): Promise<boolean> {
    const written = await writeIfGeneration(
      this.store,
      runPath(record.id),
      encodeRunRecord(record),
      '0',
    );
    if (written === undefined) return false;
    this.recordGeneration = written.generation;
    const scalars = scalarsPath(record.id);
    const headerBytes = Buffer.byteLength(SCALARS_HEADER);
    const created = await writeIfGeneration(this.store, scalars, SCALARS_HEADER, '0');
    // There already: this writer's own create whose answer was lost, when it is the header.
    if (created !== undefined || (await this.store.stat(scalars))?.size === headerBytes) {
      await this.index.create(headerBytes);
    }
    if (captureLog) await this.createIfAbsent(runLogPath(record.id), '');
    return true;
  }

  async write(batch: FlushBatch): Promise<void> {
    if (this.ended) return;
    this.encode(batch);
    // The three objects are independent: write them side by side. The series index follows the
    // points it describes.
    const ended = batch.record !== undefined && batch.record.status !== 'running';
    await Promise.all([
      this.appendPending('points', scalarsPath(this.runId)).then(() => this.index.flush(ended)),
      this.appendPending('log', runLogPath(this.runId)),
      batch.record && this.writeRecord(batch.record),
    ]);
  }

  /**
   * Local folder: written in place, under the objects' locks. GCS (or a local write that
   * failed): spooled to the journal, which the next `startRun` on this store or `ml-tracking
   * sync` uploads under the same keys. A memory store ends with the process: nothing to keep.
   */
  writeSync(batch: FlushBatch): void {
    if (this.ended) return;
    this.encode(batch);
    this.ended = true;
    let appends = [
      ...this.takeUnsent('points', scalarsPath(this.runId)),
      ...this.takeUnsent('log', runLogPath(this.runId)),
    ];
    const record = batch.record && !this.superseded ? encodeRunRecord(batch.record) : undefined;
    if (this.store.kind === 'memory') return;
    try {
      const local = localSyncWrites(this.store);
      if (local !== undefined) {
        for (const append of appends) {
          local.appendSync(append.path, append.text, append.key);
          appends = appends.slice(1);
        }
        if (record !== undefined) this.writeRecordSync(local, record);
        return;
      }
      if (this.store.kind === 'local') return; // its folder was removed
    } catch (error) {
      debug(`run ${this.runId}: cannot write the store on exit, spooling: ${String(error)}`);
    }
    if (appends.length === 0 && record === undefined) return;
    try {
      writeJournalEntry({
        store: this.store.url,
        runId: this.runId,
        appends,
        ...(record !== undefined && { record: { path: runPath(this.runId), text: record } }),
      });
    } catch (error) {
      debug(`run ${this.runId}: cannot write the journal on exit: ${String(error)}`);
    }
  }

  private encode(batch: FlushBatch): void {
    if (batch.points !== undefined && batch.points.length > 0) {
      const { tags, tagIndex, step, value, wallTime, length } = batch.points;
      const text = encodeScalarRows(this.runId, tags, tagIndex, step, value, wallTime, length);
      this.pending.points.push({ text, key: this.nextKey('s'), points: batch.points });
    }
    if (batch.log !== undefined && batch.log !== '') {
      this.pending.log.push({ text: batch.log, key: this.nextKey('l') });
    }
  }

  /**
   * The waiting batches of one object, taken out of the queue: the first as it is, since it may
   * be in flight and must keep its key; the others, never sent (appends go one at a time), joined
   * under one new key, so that an upload repeated later stays far within the keys a store
   * remembers.
   */
  private takeUnsent(which: 'points' | 'log', path: string): JournalAppend[] {
    const queue = this.pending[which];
    const [first, ...rest] = queue.splice(0);
    if (first === undefined) return [];
    const appends = [{ path, text: first.text, key: first.key }];
    if (rest.length > 0) {
      const text = rest.map((batch) => batch.text).join('');
      appends.push({ path, text, key: this.nextKey(which === 'points' ? 's' : 'l') });
    }
    return appends;
  }

  /** {@link writeRecord}, synchronously, on a local folder. */
  private writeRecordSync(local: LocalSyncWrites, text: string): void {
    const path = runPath(this.runId);
    try {
      local.writeSync(
        path,
        text,
        this.recordGeneration === undefined ? {} : { ifGeneration: this.recordGeneration },
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    // Our own write whose answer had not come back yet, or another writer that closed the run.
    const current = local.readTextSync(path);
    const stored = current && decodeRunRecord(current.text);
    if (stored !== undefined && stored.status !== 'running') return;
    local.writeSync(path, text, { ifGeneration: current?.generation ?? '0' });
  }

  /**
   * Rewrites the record on the generation this writer last wrote. Another writer only ever
   * writes a running record to close it (an agent marking it lost after its heartbeat
   * stopped): then this writer was given up on, and leaves the record as the other wrote it
   * rather than bring a lost run back to life.
   */
  private async writeRecord(record: RunRecord): Promise<void> {
    if (this.superseded) return;
    const path = runPath(this.runId);
    const text = encodeRunRecord(record);
    const written = await writeIfGeneration(this.store, path, text, this.recordGeneration ?? '0');
    if (written !== undefined) {
      this.recordGeneration = written.generation;
      return;
    }
    const current = await readTextIfExists(this.store, path);
    const stored = current && decodeRunRecord(current.text);
    if (stored !== undefined && stored.status !== 'running') {
      this.superseded = true;
      debug(`run ${this.runId} was closed as ${stored.status} by another writer`);
      return;
    }
    // Our own earlier write, whose answer was lost: write again over what is there, on the
    // generation just read, so that a last record written meanwhile (the exit path) is kept.
    const again = await this.store.write(path, text, {
      ifGeneration: current?.generation ?? '0',
    });
    this.recordGeneration = again.generation;
  }

  /** Appends the waiting batches of one object, in order; one append when there is one. */
  private async appendPending(which: 'points' | 'log', path: string): Promise<void> {
    const queue = this.pending[which];
    while (queue[0] !== undefined && !this.ended) {
      const batch = queue[0];
      const appending = this.store.append(path, batch.text, { key: batch.key });
      // The index's share of the work while the append is under way.
      const rows = batch.points && this.index.prepare(batch.points, batch.text);
      const landed = await appending;
      // writeSync() may have taken the queue over meanwhile.
      if (queue[0] === batch) queue.shift();
      this.index.landed(rows, landed);
    }
  }

  private nextKey(kind: string): string {
    this.sequence += 1;
    return `${this.runId}.${kind}${this.sequence}`;
  }

  private async createIfAbsent(path: string, text: string): Promise<void> {
    try {
      await this.store.write(path, text, { ifGeneration: '0' });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** An encoded batch waiting to land, with its key for good; a batch of points keeps them. */
interface PendingAppend {
  text: string;
  key: string;
  points?: PointBatch;
}

/** Writes nothing: the run of a pipeline's test mode, whose records must not reach any store. */
export class DiscardRunWriter implements RunWriter {
  readonly minIntervalMs = 0;
  readonly writesSyncToStore = true;

  create(): Promise<boolean> {
    return Promise.resolve(true);
  }

  write(): Promise<void> {
    return Promise.resolve();
  }

  writeSync(): void {
    // Nothing is recorded anywhere.
  }
}

/**
 * Writes protocol lines to a file descriptor (standard output by default), synchronously so that
 * lines reach the parent in order and before the process exits, also on a signal.
 */
export class ProtocolRunWriter implements RunWriter {
  readonly minIntervalMs = 0;
  readonly writesSyncToStore = true;

  constructor(private readonly fd = 1) {}

  create(): Promise<boolean> {
    return Promise.resolve(true);
  }

  write(batch: FlushBatch): Promise<void> {
    this.writeSync(batch);
    return Promise.resolve();
  }

  writeSync(batch: FlushBatch): void {
    let text = '';
    const points = batch.points;
    if (points !== undefined) {
      for (let index = 0; index < points.length; index += 1) {
        text += formatProtocolLine({
          type: 'scalar',
          tag: points.tags[points.tagIndex[index] ?? 0] ?? '',
          value: points.value[index] ?? 0,
          step: points.step[index] ?? 0,
        });
        if (text.length > 1 << 16) text = this.emit(text);
      }
    }
    for (const message of batch.messages) text += formatProtocolLine(message);
    this.emit(text);
  }

  private emit(text: string): string {
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length;) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        // A pipe that is full (non-blocking standard output) says EAGAIN: try again.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
    return '';
  }
}
