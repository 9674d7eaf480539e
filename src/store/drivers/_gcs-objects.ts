/**
 * The objects of one GCS store as the driver's parts see them: names under the store's prefix,
 * metadata as `ObjectInfo`, one upload (simple, or resumable for streamed chunks) and one way to
 * run an operation with retries and a typed error. Shared by the driver (`gcs.ts`) and its
 * append (`_gcs-append.ts`).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { retry } from '../_retry.js';
import type { ObjectChunks, ObjectInfo, RetryPolicy } from '../types.js';
import { isTransient, statusOf, toStoreError } from './_gcs-errors.js';

/** Options of {@link GcsObjects.upload}. */
export interface UploadOptions {
  ifGeneration?: string | undefined;
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** One store's objects in its bucket; see {@link gcsObjects}. */
export interface GcsObjects {
  readonly bucket: Bucket;
  /** The store's URL, `gs://bucket[/prefix]`, for messages. */
  readonly url: string;
  readonly policy: RetryPolicy;
  /** The object name of a store path: the path under the store's prefix. */
  objectName: (path: string) => string;
  fileOf: (path: string) => File;
  info: (metadata: FileMetadata) => ObjectInfo;
  /** The object's metadata, or `undefined` when it does not exist. */
  metadataOf: (path: string) => Promise<FileMetadata | undefined>;
  upload: (
    path: string,
    data: Uint8Array | ObjectChunks,
    options: UploadOptions,
  ) => Promise<ObjectInfo>;
  /** Runs one logical operation with retries and turns the last failure into a typed error. */
  run: <T>(
    operation: string,
    path: string,
    action: () => Promise<T>,
    retryable?: (error: unknown, attempt: number) => boolean,
  ) => Promise<T>;
}

/** The objects of the store under `prefix` in `bucket`. */
export function gcsObjects(
  bucket: Bucket,
  prefix: string,
  url: string,
  policy: RetryPolicy,
): GcsObjects {
  const objectName = (path: string): string => (prefix === '' ? path : `${prefix}/${path}`);
  const storePath = (name: string): string =>
    prefix === '' ? name : name.slice(prefix.length + 1);
  const fileOf = (path: string): File => bucket.file(objectName(path));
  const info = (metadata: FileMetadata): ObjectInfo => ({
    path: storePath(metadata.name ?? ''),
    size: Number(metadata.size ?? 0),
    generation: String(metadata.generation),
    updated: new Date(metadata.updated ?? Date.now()),
  });

  async function run<T>(
    operation: string,
    path: string,
    action: () => Promise<T>,
    retryable: (error: unknown, attempt: number) => boolean = isTransient,
  ): Promise<T> {
    try {
      return await retry(action, retryable, policy);
    } catch (error) {
      throw toStoreError(error, { operation, store: url, path });
    }
  }

  async function metadataOf(path: string): Promise<FileMetadata | undefined> {
    try {
      const [metadata] = await fileOf(path).getMetadata();
      return metadata;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async function upload(path: string, data: Uint8Array | ObjectChunks, options: UploadOptions) {
    const file = fileOf(path);
    const saveOptions = {
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { metadata: { metadata: options.metadata } }),
      ...(options.ifGeneration === undefined
        ? {}
        : { preconditionOpts: { ifGenerationMatch: options.ifGeneration } }),
    };
    if (data instanceof Uint8Array) {
      await file.save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        ...saveOptions,
        resumable: false,
      });
    } else {
      // Too large for one buffer: a resumable upload streams it, never holding it whole.
      await pipeline(
        Readable.from(data),
        file.createWriteStream({ ...saveOptions, resumable: true }),
      );
    }
    return info(file.metadata);
  }

  return { bucket, url, policy, objectName, fileOf, info, metadataOf, upload, run };
}
