import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { File, FileMetadata, Storage } from '@google-cloud/storage';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import { debug } from '../../_debug.js';
import { DEFAULT_RETRY_POLICY, RetriesExhausted, retry } from '../_retry.js';
import type { Leftover, ObjectChunks, ObjectInfo, RetryPolicy, StoreDriver } from '../types.js';
import { appendLedger, type AppendLedger, type PendingAppend } from './_append-ledger.js';
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
}

/** Where append parts wait to be composed; hidden from listings like all `.` names. */
const PARTS_FOLDER = '.ml-tracking/append-parts';

/**
 * A store in a Google Cloud Storage bucket. Appends upload only the new bytes as a part object
 * and `compose` it onto the destination in place, under an `ifGenerationMatch` precondition, so
 * an append costs the same whatever the object's size and concurrent appends never lose rows.
 * Servers without compose (the emulator answers 501) get a conditional read-modify-write.
 *
 * Exactly once: the request that appends also writes, in the same atomic step, the object's
 * append ledger (see `_append-ledger.ts`). When an append's answer is lost, the next attempt
 * reads the ledger and knows whether the append landed, instead of guessing from the bytes.
 * Every request is sent once by the client library: its own retries are turned off, and ours
 * (`_retry.ts`) know about preconditions and ledgers.
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
  let composeSupported = true;

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

  /** Runs one logical operation with retries and turns the last failure into a typed error. */
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

  interface UploadOptions {
    ifGeneration?: string | undefined;
    contentType?: string | undefined;
    metadata?: Record<string, string> | undefined;
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

  /** Appends `part` to the object at `generation` with one compose, sent exactly once. */
  async function composeOnto(
    path: string,
    part: string,
    current: FileMetadata,
    ledger: AppendLedger,
  ): Promise<ObjectInfo> {
    const destination = objectName(path);
    const [response] = await fileOf(path).request({
      method: 'POST',
      uri: '/compose',
      maxRetries: 0,
      json: {
        destination: {
          ...(current.contentType === undefined ? {} : { contentType: current.contentType }),
          metadata: { ...current.metadata, ...ledger.metadata },
        },
        sourceObjects: [
          { name: destination, generation: String(current.generation) },
          { name: part },
        ],
      },
      qs: { ifGenerationMatch: String(current.generation) },
    });
    return info(response as FileMetadata);
  }

  async function readModifyWrite(
    path: string,
    current: FileMetadata,
    data: Uint8Array,
    ledger: AppendLedger,
  ) {
    const [existing] = await fileOf(path).download();
    return upload(path, Buffer.concat([existing, data]), {
      ifGeneration: String(current.generation),
      contentType: current.contentType,
      metadata: ledger.metadata,
    });
  }

  return {
    kind: 'gcs',
    url,
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
    append(path, data, { key }) {
      let part: string | undefined;
      // The append sent last whose answer was lost: it may have landed.
      let pending: PendingAppend | undefined;
      const attempt = async (): Promise<ObjectInfo> => {
        const current = await metadataOf(path);
        // An earlier call with this key may have landed although it failed for its caller.
        if (pending === undefined && current && appendLedger.holds(current, key)) {
          return info(current);
        }
        if (pending !== undefined) {
          const landed = appendLedger.landed(current, pending, { store: url, path });
          if (landed && current) return info(current);
          pending = undefined;
        }
        const ledger = appendLedger.next(current, key);
        const send = async (request: () => Promise<ObjectInfo>) => {
          pending = ledger.pending;
          const result = await request();
          pending = undefined;
          return result;
        };
        if (!current) {
          return send(() => upload(path, data, { ifGeneration: '0', metadata: ledger.metadata }));
        }
        if (composeSupported) {
          part ??= await uploadPart(data);
          try {
            return await send(() => composeOnto(path, part!, current, ledger));
          } catch (error) {
            if (statusOf(error) !== 501) throw error;
            pending = undefined;
            composeSupported = false;
            debug(`${url} does not implement compose; appends fall back to read-modify-write`);
          }
        }
        return send(() => readModifyWrite(path, current, data, ledger));
      };
      return run(
        'append',
        path,
        async () => {
          try {
            return await attempt();
          } catch (error) {
            // A precondition failure is a definite "no": that append did not land.
            if (statusOf(error) === 412) pending = undefined;
            throw error;
          }
        },
        (error, attempt) => isTransient(error, attempt) || statusOf(error) === 412,
      ).finally(async () => {
        if (part !== undefined) await deleteQuietly(part);
      });
    },
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

  /** Uploads the bytes to append; a retry after a lost answer overwrites the same part. */
  async function uploadPart(data: Uint8Array): Promise<string> {
    const name = objectName(`${PARTS_FOLDER}/${randomUUID()}`);
    await retry(
      () =>
        bucket.file(name).save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
          resumable: false,
        }),
      isTransient,
      policy,
    );
    return name;
  }

  async function deleteQuietly(name: string): Promise<void> {
    try {
      await bucket.file(name).delete({ ignoreNotFound: true });
    } catch (error) {
      // The row is in; a leftover part under .ml-tracking/ costs a few bytes and nothing else.
      debug(`could not delete append part ${name}: ${String(error)}`);
    }
  }
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

/** The HTTP status of a client error: `ApiError.code` or `GaxiosError.response.status`. */
function statusOf(error: unknown): number | undefined {
  const candidate = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const value of [candidate.code, candidate.response?.status, candidate.status]) {
    if (typeof value === 'number') return value;
  }
  return undefined;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** Refused before anything was sent: such a request cannot have landed. */
function isRefused(error: unknown): boolean {
  return (
    (error as { code?: unknown }).code === 'ECONNREFUSED' ||
    (error instanceof Error ? error.message : '').includes('ECONNREFUSED')
  );
}

/** Worth another attempt: throttling, server errors, dropped connections. */
function isTransient(error: unknown, attempt = 1): boolean {
  const status = statusOf(error);
  if (status !== undefined)
    return status === 408 || status === 429 || (status >= 500 && status !== 501);
  // A refused connection is a server that is not there (a wrong emulator port, no network):
  // one more try covers a restart, twelve only make the user wait.
  if (isRefused(error)) return attempt < 2;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) ||
    /socket hang up|ECONNRESET|network/i.test(error instanceof Error ? error.message : '')
  );
}

function toStoreError(
  error: unknown,
  context: { operation: string; store: string; path: string },
): StoreError {
  const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
  const last = error instanceof RetriesExhausted ? error.cause : error;
  const status = statusOf(last);
  if (last instanceof StoreError) return last;
  if (status === 404) return new NotFoundError({ ...context, cause: last });
  const reason = status === undefined ? describe(last) : `HTTP ${status}: ${describe(last)}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const hint =
    status === 401 || status === 403
      ? ' Check the credentials (Application Default Credentials) and the bucket permissions.'
      : ' Check the network and the bucket, then try again.';
  return new StoreError(
    `Cannot ${context.operation} ${context.path} in ${context.store}${tries} (${reason}).${hint}`,
    { ...context, cause: last },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
