/**
 * The run writer's half of the series index: each batch of points that landed in the scalars
 * file is fed to the builder, and the records it made are appended to the index's files under
 * keys of their own, after the bytes they describe, so the index only ever covers rows that are
 * in the file (a kill leaves it behind the file, never ahead). It is an index for speed: when
 * anything about it goes wrong it stops growing, and readers decode what lies beyond it.
 */
import { debug } from '../_debug.js';
import { scalarsLodLevelPath, scalarsLodTagsPath } from '../layout/paths.js';
import { writeIfGeneration } from '../store/outcomes.js';
import type { ObjectInfo, Store } from '../store/types.js';
import { LodBuilder, type LodRows } from './lod-builder.js';
import { encodeRecords, encodeTags, INDEX_FROM_BYTES } from './lod-format.js';
import { batchRows, type EncodedPoints } from './lod-rows.js';

/** Level-1 records made since the last append after which the index is appended again. */
const RECORDS_PER_APPEND = 256;

/** At most this long between two appends of a growing index, in ms. */
const MOST_MS_BETWEEN_APPENDS = 30_000;

/** A batch's rows with where each ends, before its append landed. */
export interface PreparedRows {
  rows: LodRows;
  tags: readonly string[];
}

/** One append of an index file, kept with its key until it has landed. */
interface IndexAppend {
  path: string;
  bytes: Uint8Array;
  key: string;
}

/** Builds and appends one run's series index as its scalars land. */
export class SeriesIndexWriter {
  /** `undefined`: the index no longer grows (see {@link stop}). */
  private builder: LodBuilder | undefined;
  /** What the scalars file holds, in bytes, after the appends that landed. */
  private fileBytes = 0;
  private tags: readonly string[] = [];
  private tagsAppended = 0;
  private readonly pending: IndexAppend[] = [];
  private sequence = 0;
  private recordsAtAppend = 0;
  private lastAppend = Date.now();

  constructor(
    private readonly store: Store,
    private readonly runId: string,
  ) {}

  /**
   * Starts the index of a new run whose scalars file holds `headerBytes` (its header): the tag
   * file is created empty, which tells readers that a writer owns this index (a reader that
   * finds none builds one for a finished run). Never throws: without it the run has no index.
   */
  async create(headerBytes: number): Promise<void> {
    const path = scalarsLodTagsPath(this.runId);
    try {
      const created = await writeIfGeneration(this.store, path, '', '0');
      // There already: this writer's own create whose answer was lost, when it is empty.
      if (created === undefined && (await this.store.stat(path))?.size !== 0) return;
      this.builder = new LodBuilder(headerBytes);
      this.fileBytes = headerBytes;
    } catch (error) {
      debug(`run ${this.runId}: no series index: ${String(error)}`);
    }
  }

  /**
   * The rows of a batch of points, encoded as `text`, about to be appended after what landed so
   * far (worked out while the append is under way). Nothing changes until {@link landed}.
   */
  prepare(points: EncodedPoints, text: string): PreparedRows | undefined {
    if (this.builder === undefined || points.length === 0) return undefined;
    try {
      return { rows: batchRows(this.runId, points, text, this.fileBytes), tags: points.tags };
    } catch (error) {
      this.stop(String(error));
      return undefined;
    }
  }

  /** The prepared batch landed: `info` is the scalars file after it. */
  landed(prepared: PreparedRows | undefined, info: ObjectInfo): void {
    const builder = this.builder;
    if (builder === undefined || prepared === undefined) return;
    const { rows } = prepared;
    const end = rows.rowEnd[rows.length - 1]!;
    // Bytes that are not this writer's, or rows prepared at another offset: where its rows are
    // is no longer known.
    if (info.size !== end || rows.rowEnd[0]! <= this.fileBytes) {
      this.stop(`the scalars file holds ${info.size} bytes, not ${end}`);
      return;
    }
    this.fileBytes = end;
    builder.addRows(rows);
    this.tags = prepared.tags;
  }

  /**
   * Appends what is due (everything when the run has `ended`: the last rows then close a block
   * of their own), oldest first; an append that fails is tried again, under its key, next time.
   * Never throws: a failure leaves the index behind the scalars file.
   */
  async flush(ended: boolean): Promise<void> {
    const builder = this.builder;
    if (builder !== undefined) {
      if (ended) builder.seal();
      const made = builder.count(1) - this.recordsAtAppend;
      const due =
        this.fileBytes >= INDEX_FROM_BYTES &&
        (ended ||
          made >= RECORDS_PER_APPEND ||
          (made > 0 && Date.now() - this.lastAppend >= MOST_MS_BETWEEN_APPENDS));
      if (due) this.enqueue(builder);
    }
    // The tags first (records name them), then every level side by side: readers leave out a
    // block whose children have not landed yet. Each object's appends go in order.
    const [tags, levels] = partition(
      this.pending,
      (append) => append.path === scalarsLodTagsPath(this.runId),
    );
    if (!(await this.appendInOrder(tags))) return;
    const byPath = new Map<string, IndexAppend[]>();
    for (const append of levels)
      byPath.set(append.path, [...(byPath.get(append.path) ?? []), append]);
    await Promise.all([...byPath.values()].map((appends) => this.appendInOrder(appends)));
  }

  /** Appends one object's queued appends in order; resolves whether all landed. */
  private async appendInOrder(appends: readonly IndexAppend[]): Promise<boolean> {
    for (const append of appends) {
      try {
        await this.store.append(append.path, append.bytes, { key: append.key });
      } catch (error) {
        debug(`run ${this.runId}: series index append failed, will retry: ${String(error)}`);
        return false;
      }
      this.pending.splice(this.pending.indexOf(append), 1);
    }
    return true;
  }

  /** Queues the new tag names, then each level's new records, level 1 first. */
  private enqueue(builder: LodBuilder): void {
    this.recordsAtAppend = builder.count(1);
    this.lastAppend = Date.now();
    if (this.tags.length > this.tagsAppended) {
      const text = encodeTags(this.tags.slice(this.tagsAppended));
      this.push(scalarsLodTagsPath(this.runId), Buffer.from(text));
      this.tagsAppended = this.tags.length;
    }
    for (const [index, records] of builder.take().entries()) {
      if (records.length > 0) {
        this.push(scalarsLodLevelPath(this.runId, index + 1), encodeRecords(records));
      }
    }
  }

  private push(path: string, bytes: Uint8Array): void {
    this.sequence += 1;
    this.pending.push({ path, bytes, key: `${this.runId}.x${this.sequence}` });
  }

  /** The index stops growing; what is queued describes rows that landed, and still goes. */
  private stop(reason: string): void {
    debug(`run ${this.runId}: the series index stops here: ${reason}`);
    this.builder = undefined;
  }
}

/** The items that pass, and the others, each in order. */
function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
