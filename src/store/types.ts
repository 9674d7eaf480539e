import type { Readable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectInfo {
  /** The object's path inside the store, e.g. `projects/classification/soil_20261124_1.csv`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /**
   * An opaque version token that changes on every write or append. Pass it back as
   * {@link WriteOptions.ifGeneration} for a compare-and-swap write.
   */
  generation: string;
  /** When the object was last written. */
  updated: Date;
}

/** Options of {@link Store.write}. */
export interface WriteOptions {
  /**
   * Write only if the object is still at this generation; otherwise throw a `ConflictError`.
   * `"0"` means: write only if the object does not exist yet (create-only).
   */
  ifGeneration?: string;
  /** MIME type stored with the object (GCS only). @default guessed from the extension */
  contentType?: string;
}

/** Options of {@link Store.read}: a byte range, as `Uint8Array.slice` takes it. */
export interface ReadOptions {
  /** First byte to read. @default 0 */
  start?: number;
  /** Byte after the last one to read; past the end reads to the end. @default the object's size */
  end?: number;
}

/** Options of {@link Store.list}. */
export interface ListOptions {
  /** At most this many objects per page. @default 1000 */
  pageSize?: number;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
}

/** One page of a listing, in lexicographic order of path. */
export interface ListPage {
  objects: ObjectInfo[];
  /** Present when more objects follow; pass it as {@link ListOptions.pageToken}. */
  nextPageToken?: string;
}

/**
 * Bytes, text written as UTF-8, or a sequence of byte chunks for objects too large to hold in
 * one buffer (a generator, an array, a Node stream). Chunks are consumed once: a write of chunks
 * is attempted once, where bytes and text are retried after a transient failure.
 */
export type ObjectData = Uint8Array | string | ObjectChunks;

/** Byte chunks, written one after the other. */
export type ObjectChunks = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of {@link Store.append}. */
export interface AppendOptions {
  /**
   * Identifies this append so that it is applied exactly once, however often the store must
   * retry after an answer was lost (GCS). Sending the same bytes again under the same key after
   * a call failed is safe too: on GCS an append whose key is among the object's last 64 is not
   * applied again (the failed call's compose may have landed); elsewhere a failed append never
   * landed. 1–128 characters of `A-Z a-z 0-9 . _ -`; a tracker row uses its prediction id.
   * @default a random UUID per call
   */
  key?: string;
}

/** A piece of a store's own bookkeeping left behind by a crash: a lock, a staging file, a part. */
export interface Leftover {
  /** Where it is, for people: a path relative to the store root. */
  path: string;
  /** Bytes it occupies. */
  size: number;
  /** When it was last touched. */
  updated: Date;
}

/**
 * What every storage backend implements. Paths handed to a driver are already validated and
 * normalised by the store (relative, `/`-separated, no `.`/`..` segments).
 */
export interface StoreDriver {
  /** `memory`, `local` or `gcs`. */
  readonly kind: string;
  /** The store's URL, safe to print. */
  readonly url: string;
  /** See {@link Store.updateIntervalMs}. @default 0 */
  readonly updateIntervalMs?: number;
  /** The whole object, or only `start … end - 1` (only those bytes travel). */
  read(path: string, range: ReadOptions): Promise<Uint8Array>;
  readStream(path: string): Promise<Readable>;
  write(path: string, data: Uint8Array | ObjectChunks, options: WriteOptions): Promise<ObjectInfo>;
  /**
   * Appends bytes so that only the new bytes travel. Concurrent appends never lose or interleave
   * bytes, and an append is applied exactly once per `key`, also when an answer was lost.
   */
  append(path: string, data: Uint8Array, options: Required<AppendOptions>): Promise<ObjectInfo>;
  /** Objects whose path starts with `prefix` (a plain string prefix, not only a folder). */
  list(prefix: string, options: ListOptions): Promise<ListPage>;
  /**
   * Every object under `prefix`, in path order, when the driver can do better than paging
   * through `list` (a local folder is walked once, where each page walked it again).
   */
  listAll?(prefix: string): AsyncIterable<ObjectInfo>;
  stat(path: string): Promise<ObjectInfo | undefined>;
  /** Deletes the object; resolves `false` when there was none. */
  delete(path: string): Promise<boolean>;
  /** A URL a person can open to see the object. */
  objectUrl(path: string): string;
  /**
   * Bookkeeping that a crashed writer left behind and that no writer has touched since `before`
   * (locks, staging files, append parts). Drivers without bookkeeping leave this out.
   */
  listLeftovers?(before: Date): Promise<Leftover[]>;
  /** Removes one leftover found by {@link listLeftovers}; resolves `false` when it was gone. */
  deleteLeftover?(leftover: Leftover): Promise<boolean>;
  /** Releases clients, timers and other resources. */
  close?(): Promise<void>;
}

/**
 * A place where experiments are recorded: a local folder, a GCS bucket (or a prefix of one), or
 * memory. Open one with `openStore()`.
 */
export interface Store {
  /** `memory`, `local` or `gcs`. */
  readonly kind: string;
  /** The store's URL, safe to print (never holds credentials). */
  readonly url: string;
  /**
   * The least time between two writes of one object that the store sustains, in ms: 1000 on
   * Google Cloud Storage (about one update per second of an object), 0 where there is no such
   * limit (a local folder, memory, a GCS emulator). Writers that rewrite one object again and
   * again (a run's record, a lease, a pipeline's log) space their writes by it.
   */
  readonly updateIntervalMs: number;
  /**
   * Reads a whole object, or with `start`/`end` only that byte range (the first line of a
   * tracker of 10,000 rows costs a line). Throws `NotFoundError` when it does not exist.
   */
  read(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** Reads a whole object as UTF-8 text. */
  readText(path: string): Promise<string>;
  /** Streams an object, for objects too large to hold in memory. */
  readStream(path: string): Promise<Readable>;
  /**
   * Replaces (or creates) an object atomically: readers see the old or the new content, never a
   * mix. With `ifGeneration`, a compare-and-swap that throws `ConflictError` when it loses.
   */
  write(path: string, data: ObjectData, options?: WriteOptions): Promise<ObjectInfo>;
  /**
   * Appends to an object, creating it when absent. Only the appended bytes are sent, whatever
   * the object's size; appends from concurrent writers (threads, processes, machines) never
   * lose or interleave one another's bytes; and each append lands exactly once, also when the
   * store had to retry after an answer was lost (see {@link AppendOptions.key}).
   */
  append(path: string, data: Uint8Array | string, options?: AppendOptions): Promise<ObjectInfo>;
  /** One page of the objects whose path starts with `prefix`. */
  list(prefix?: string, options?: ListOptions): Promise<ListPage>;
  /** Every object whose path starts with `prefix`, page after page. */
  listAll(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Size, generation and update time, or `undefined` when the object does not exist. */
  stat(path: string): Promise<ObjectInfo | undefined>;
  /** Deletes an object; resolves `false` when there was none. */
  delete(path: string): Promise<boolean>;
  /**
   * The store's own bookkeeping left by crashed writers and untouched since `before` (locks,
   * staging files, append parts); `ml-tracking gc` lists and removes them.
   */
  listLeftovers(before: Date): Promise<Leftover[]>;
  /** Removes one leftover; resolves `false` when it was already gone. */
  deleteLeftover(leftover: Leftover): Promise<boolean>;
  /** A URL a person can open: `file://…` locally, the Cloud console URL on GCS. */
  objectUrl(path: string): string;
  /** Releases the store's resources. The store must not be used afterwards. */
  close(): Promise<void>;
}

/** How hard a store operation tries before it gives up. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 12 */
  attempts: number;
  /** Delay before the first retry; it doubles each time, times a random factor of 1–2. @default 25 */
  minDelayMs: number;
  /** Cap on one delay. @default 2000 */
  maxDelayMs: number;
}
