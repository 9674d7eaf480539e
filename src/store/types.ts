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

/** Bytes, or text written as UTF-8. */
export type ObjectData = Uint8Array | string;

/**
 * What every storage backend implements. Paths handed to a driver are already validated and
 * normalised by the store (relative, `/`-separated, no `.`/`..` segments).
 */
export interface StoreDriver {
  /** `memory`, `local` or `gcs`. */
  readonly kind: string;
  /** The store's URL, safe to print. */
  readonly url: string;
  read(path: string): Promise<Uint8Array>;
  readStream(path: string): Promise<Readable>;
  write(path: string, data: Uint8Array, options: WriteOptions): Promise<ObjectInfo>;
  /** Appends bytes so that only the new bytes travel; concurrent appends never lose bytes. */
  append(path: string, data: Uint8Array): Promise<ObjectInfo>;
  /** Objects whose path starts with `prefix` (a plain string prefix, not only a folder). */
  list(prefix: string, options: ListOptions): Promise<ListPage>;
  stat(path: string): Promise<ObjectInfo | undefined>;
  /** Deletes the object; resolves `false` when there was none. */
  delete(path: string): Promise<boolean>;
  /** A URL a person can open to see the object. */
  objectUrl(path: string): string;
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
  /** Reads a whole object. Throws `NotFoundError` when it does not exist. */
  read(path: string): Promise<Uint8Array>;
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
   * the object's size, and appends from concurrent writers (threads, processes, machines) never
   * lose or interleave one another's bytes.
   */
  append(path: string, data: ObjectData): Promise<ObjectInfo>;
  /** One page of the objects whose path starts with `prefix`. */
  list(prefix?: string, options?: ListOptions): Promise<ListPage>;
  /** Every object whose path starts with `prefix`, page after page. */
  listAll(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Size, generation and update time, or `undefined` when the object does not exist. */
  stat(path: string): Promise<ObjectInfo | undefined>;
  /** Deletes an object; resolves `false` when there was none. */
  delete(path: string): Promise<boolean>;
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
