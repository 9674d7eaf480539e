import { PassThrough, type Readable } from 'node:stream';
import type { FileMetadata, Storage } from '@google-cloud/storage';
import { ConflictError, StoreError } from '../../errors.js';
import { DEFAULT_RETRY_POLICY } from '../_retry.js';
import type { Leftover, RetryPolicy, StoreDriver } from '../types.js';
import { PARTS_FOLDER, gcsAppend } from './_gcs-append.js';
import { isRefused, isTransient, statusOf, toStoreError } from './_gcs-errors.js';
import { gcsObjects } from './_gcs-objects.js';
import { DEFAULT_PAGE_SIZE } from './_paging.js';

/** Options of {@link createGcsDriver}. */
export interface GcsDriverOptions {
  bucket: string;
  /** Folder inside the bucket that holds the store, without slashes at either end. */
  prefix?: string;
  /**
   * The client to use. @default a `new Storage()` with Application Default Credentials, or the
   * emulator named by `STORAGE_EMULATOR_HOST`
   */
  storage?: Storage;
  /** How transient failures and lost races are retried. */
  retry?: RetryPolicy;
  /**
   * The least time between two writes of one object (`Store.updateIntervalMs`).
   * @default 1000 on Google's service (its limit of about one update per second of an object); 0
   *   on an emulator (`STORAGE_EMULATOR_HOST`, or an endpoint on this machine), which has no limit
   */
  updateIntervalMs?: number;
}

/** GCS's documented rate of updates of one object: about one per second. */
const GCS_UPDATE_INTERVAL_MS = 1000;

/** Whether the client talks to an emulator rather than to Google's service. */
function isEmulator(storage: Storage): boolean {
  const endpoint = storage.apiEndpoint;
  const named = process.env.STORAGE_EMULATOR_HOST;
  if (named !== undefined && named !== '' && endpoint.startsWith(named.replace(/\/$/, ''))) {
    return true;
  }
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * A store in a Google Cloud Storage bucket. Appends upload only the new bytes as a part object
 * and `compose` it onto the destination in place, under an `ifGenerationMatch` precondition, so
 * an append costs the same whatever the object's size and concurrent appends never lose rows
 * (`_gcs-append.ts`); an append's answer lost on the way is settled by the object's append
 * ledger (`_append-ledger.ts`), never by guessing from the bytes. Every request is sent once by
 * the client library: its own retries are turned off, and ours (`_retry.ts`) know about
 * preconditions and ledgers; `_gcs-errors.ts` reads its failures.
 */
export async function createGcsDriver(options: GcsDriverOptions): Promise<StoreDriver> {
  const storage = options.storage ?? (await defaultClient());
  // A library retry of a compose whose answer was lost would apply it twice; so would one of an
  // upload without precondition. `combine()` even passes its own maxRetries, which is why this
  // driver sends compose itself; these two settings cover every other call of the client.
  storage.retryOptions.autoRetry = false;
  storage.retryOptions.maxRetries = 0;
  const bucket = storage.bucket(options.bucket);
  const prefix = options.prefix ?? '';
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const url = `gs://${options.bucket}${prefix === '' ? '' : `/${prefix}`}`;
  const emulatorHost = process.env.STORAGE_EMULATOR_HOST;

  const objects = gcsObjects(bucket, prefix, url, policy);
  const { objectName, fileOf, info, metadataOf, upload, run } = objects;

  return {
    kind: 'gcs',
    url,
    updateIntervalMs:
      options.updateIntervalMs ?? (isEmulator(storage) ? 0 : GCS_UPDATE_INTERVAL_MS),
    read: (path, { start, end }) =>
      run('read', path, async () => {
        if (end !== undefined && end <= (start ?? 0)) {
          await fileOf(path).getMetadata(); // a missing object is still NotFound
          return new Uint8Array();
        }
        let data: Buffer;
        try {
          [data] = await fileOf(path).download({
            ...(start === undefined ? {} : { start }),
            // GCS ranges end on the last byte; ours after it, as slice() does.
            ...(end === undefined ? {} : { end: end - 1 }),
          });
        } catch (error) {
          // A range that starts past the end: nothing there to read.
          if (statusOf(error) === 416) return new Uint8Array();
          throw error;
        }
        // A server may ignore a range and send the whole object (HTTP 200; the emulator does
        // for a range past the end): then the range is cut here.
        const asked = (end ?? Infinity) - (start ?? 0);
        if (start !== undefined && data.byteLength > asked) data = data.subarray(start, end);
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }),
    readStream: (path) =>
      run('read', path, async (): Promise<Readable> => {
        // Ask first so that a missing object fails here, not later inside the stream. The
        // download is not pinned to that generation: an object being appended to gets a new one
        // at every append, and GCS serves one download from one generation anyway.
        await fileOf(path).getMetadata();
        const download = fileOf(path).createReadStream();
        // What fails later (a delete in between, a dropped connection) fails as a StoreError.
        const typed = new PassThrough();
        download.on('error', (error) => {
          typed.destroy(toStoreError(error, { operation: 'read', store: url, path }));
        });
        typed.on('close', () => download.destroy());
        return download.pipe(typed);
      }),
    write(path, data, { ifGeneration, contentType }) {
      let answerLost = false;
      return run(
        'write',
        path,
        async () => {
          try {
            return await upload(path, data, { ifGeneration, contentType });
          } catch (error) {
            if (statusOf(error) !== 412 || ifGeneration === undefined) {
              answerLost ||= isTransient(error) && !isRefused(error);
              throw error;
            }
            const actual = await metadataOf(path);
            // The attempt whose answer was lost may be what moved the generation: the same bytes
            // are there, so the compare-and-swap succeeded.
            if (answerLost && actual && data instanceof Uint8Array && (await holds(actual, data))) {
              return info(actual);
            }
            throw new ConflictError({
              operation: 'write',
              store: url,
              path,
              expectedGeneration: ifGeneration,
              actualGeneration: actual === undefined ? undefined : String(actual.generation),
              cause: error,
            });
          }
        },
        // Streamed chunks are consumed by the first attempt and cannot be sent again.
        data instanceof Uint8Array ? isTransient : () => false,
      );
    },
    append: gcsAppend(objects),
    list: (listPrefix, { pageSize, pageToken }) =>
      run('list', listPrefix, async () => {
        const [files, nextQuery] = await bucket.getFiles({
          prefix: objectName(listPrefix),
          maxResults: pageSize ?? DEFAULT_PAGE_SIZE,
          autoPaginate: false,
          ...(pageToken === undefined ? {} : { pageToken }),
        });
        const objects = files
          .map((file) => info(file.metadata))
          .filter((object) => !object.path.split('/').some((segment) => segment.startsWith('.')));
        const next = (nextQuery as { pageToken?: string } | null)?.pageToken;
        return next === undefined ? { objects } : { objects, nextPageToken: next };
      }),
    stat: (path) =>
      run('stat', path, async () => {
        const metadata = await metadataOf(path);
        return metadata && info(metadata);
      }),
    delete: (path) =>
      run('delete', path, async () => {
        try {
          await fileOf(path).delete();
          return true;
        } catch (error) {
          if (statusOf(error) === 404) return false;
          throw error;
        }
      }),
    listLeftovers: (before) =>
      run('list', PARTS_FOLDER, async () => {
        const [files] = await bucket.getFiles({ prefix: objectName(`${PARTS_FOLDER}/`) });
        return files
          .map((file) => info(file.metadata))
          .filter((part) => part.updated < before)
          .map(({ path, size, updated }): Leftover => ({ path, size, updated }));
      }),
    deleteLeftover: (leftover) =>
      run('delete', leftover.path, async () => {
        if (!leftover.path.startsWith(`${PARTS_FOLDER}/`)) {
          throw new StoreError(`${leftover.path} in ${url} is not an append part.`, {
            operation: 'delete leftover',
            store: url,
            path: leftover.path,
          });
        }
        try {
          await fileOf(leftover.path).delete();
          return true;
        } catch (error) {
          if (statusOf(error) === 404) return false;
          throw error;
        }
      }),
    objectUrl: (path) =>
      emulatorHost
        ? `${emulatorHost.replace(/\/$/, '')}/storage/v1/b/${options.bucket}/o/${encodeURIComponent(objectName(path))}?alt=media`
        : `https://storage.cloud.google.com/${options.bucket}/${objectName(path).split('/').map(encodeURIComponent).join('/')}`,
  };
}

async function defaultClient(): Promise<Storage> {
  const { Storage } = await import('@google-cloud/storage');
  // Retries are ours (see _retry.ts): one policy, aware of preconditions, for every driver call.
  return new Storage({ retryOptions: { autoRetry: false, maxRetries: 0 } });
}

/** Whether the object holds exactly these bytes (same size and CRC32C). */
async function holds(metadata: FileMetadata, data: Uint8Array): Promise<boolean> {
  if (Number(metadata.size) !== data.byteLength) return false;
  const { CRC32C } = await import('@google-cloud/storage');
  const crc = new CRC32C();
  crc.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return metadata.crc32c === crc.toString();
}
