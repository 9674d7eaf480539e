/**
 * Appends on GCS. Only the new bytes travel: they are uploaded as a part object, then
 * `compose`d onto the destination in place under an `ifGenerationMatch` precondition, so an
 * append costs the same whatever the object's size and concurrent appends never lose rows.
 * Servers without compose (the emulator answers 501) get a conditional read-modify-write.
 *
 * Exactly once: the request that appends also writes, in the same atomic step, the object's
 * append ledger (see `_append-ledger.ts`). When an append's answer is lost, the next attempt
 * reads the ledger and knows whether the append landed, instead of guessing from the bytes.
 */
import { randomUUID } from 'node:crypto';
import type { FileMetadata } from '@google-cloud/storage';
import { debug } from '../../_debug.js';
import { retry } from '../_retry.js';
import type { ObjectInfo, StoreDriver } from '../types.js';
import { appendLedger, type AppendLedger, type PendingAppend } from './_append-ledger.js';
import { isTransient, statusOf } from './_gcs-errors.js';
import type { GcsObjects } from './_gcs-objects.js';

/**
 * How many times an append may lose the race for its object before it gives up: five times the
 * attempts the store's policy gives a failing network (60 by default), with the same jittered
 * waits, so that dozens of writers of one object all get through.
 */
const LOST_RACES_PER_ATTEMPT = 5;

/** Where append parts wait to be composed; hidden from listings like all `.` names. */
export const PARTS_FOLDER = '.ml-tracking/append-parts';

/** The driver's `append`, for the store `objects` are in. */
export function gcsAppend(objects: GcsObjects): StoreDriver['append'] {
  const { bucket, url, policy, objectName, fileOf, info, metadataOf, upload, run } = objects;
  let composeSupported = true;

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

  return (path, data, { key }) => {
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
    // Lost races (412) have a budget of their own: among many writers of one object, each loss
    // is another writer's progress, and 16 writers under load used up the 12 attempts meant for
    // failures of the network.
    const attemptUntilWon = () =>
      retry(
        async () => {
          try {
            return await attempt();
          } catch (error) {
            // A precondition failure is a definite "no": that append did not land.
            if (statusOf(error) === 412) pending = undefined;
            throw error;
          }
        },
        (error) => statusOf(error) === 412,
        { ...policy, attempts: policy.attempts * LOST_RACES_PER_ATTEMPT },
      );
    return run('append', path, attemptUntilWon, isTransient).finally(async () => {
      if (part !== undefined) await deleteQuietly(part);
    });
  };
}
