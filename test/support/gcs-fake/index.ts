/**
 * A fake of the Cloud Storage JSON API v1 for tests, built as msw request handlers
 * and served over real HTTP on 127.0.0.1 so child processes can share it through
 * STORAGE_EMULATOR_HOST.
 *
 * Why not the firebase-tools emulator (./gcs-emulator.ts): it ignores generation
 * preconditions and does not implement compose, the two things concurrent appends
 * depend on. This fake follows the documented GCS behaviour for both.
 */
import { Storage } from '@google-cloud/storage';
import { createGcsHandlers, operationOf } from './handlers.js';
import { serveHandlers } from './server.js';
import { GcsState, type Fault, type GcsStats } from './state.js';

export { createGcsHandlers, operationOf } from './handlers.js';
export { GcsState } from './state.js';
export type { Fault, FaultStatus, GcsStats, OperationStats, StoredObject } from './state.js';

export interface GcsFake {
  /** "http://127.0.0.1:PORT", the value for STORAGE_EMULATOR_HOST. */
  readonly host: string;
  /** A client bound to this fake: no credentials, no environment read, no auto-retry. */
  createClient(): Storage;
  /** Request bodies plus approximate header bytes, in total and per operation. */
  readonly stats: GcsStats;
  resetStats(): void;
  /**
   * The next `times` (default 1) requests of `operation` (default: any) get this
   * answer instead (`when: 'after'`: after they were carried out). 'reset' destroys the
   * socket without a response.
   */
  injectFault(fault: Fault): void;
  /** Injected faults that have not struck yet. */
  pendingFaults(): number;
  /** Forgets the faults that have not struck yet. */
  clearFaults(): void;
  /** A snapshot of the objects currently stored in `bucket`. */
  objects(bucket: string): Map<string, { data: Uint8Array; generation: string }>;
  stop(): Promise<void>;
}

const PROJECT_ID = 'gcs-fake-project';

/**
 * Uploads that are carried out and then lose their answer (503), each with probability 1/4, until
 * `times` have. Not 1/2: the store gives up after 12 attempts of one write (DEFAULT_RETRY_POLICY),
 * which at 1/2 is one write in 4096, so a test of a few hundred writes failed about once in
 * six CI runs on the store's documented limit rather than on a bug. At 1/4 it is one in 17 million.
 */
export function lostUploadAnswers(times: number): Fault {
  return { operation: 'upload', status: 503, when: 'after', times, probability: 0.25 };
}

/**
 * Starts the fake; over `state` when given (a benchmark fills 100,000 objects into it directly
 * rather than through 100,000 uploads).
 */
export async function startGcsFake(state = new GcsState()): Promise<GcsFake> {
  const transport = await serveHandlers(createGcsHandlers(state), (request) =>
    state.takeFault(operationOf(request), 'after'),
  );
  const host = transport.origin;

  return {
    host,
    createClient(): Storage {
      // An apiEndpoint that is not a googleapis.com host makes the client skip
      // authorization entirely (its `customEndpoint` path, for the JSON API and for
      // resumable uploads alike), so no credential lookup or token request happens.
      // An explicit projectId keeps it from asking the auth library for one.
      const storage = new Storage({
        apiEndpoint: host,
        projectId: PROJECT_ID,
        useAuthWithCustomEndpoint: false,
        retryOptions: { autoRetry: false },
      });
      // The constructor prefers STORAGE_EMULATOR_HOST, when set, as the JSON API
      // base; pin this fake so a variable meant for child processes cannot redirect it.
      storage.baseUrl = `${host}/storage/v1`;
      return storage;
    },
    stats: state.stats,
    resetStats(): void {
      state.resetStats();
    },
    injectFault(fault: Fault): void {
      state.injectFault(fault);
    },
    pendingFaults: () => state.pendingFaultCount(),
    clearFaults: () => {
      state.clearFaults();
    },
    objects(bucket: string): Map<string, { data: Uint8Array; generation: string }> {
      return new Map(
        state
          .list(bucket)
          .map(([name, object]) => [
            name,
            { data: new Uint8Array(object.data), generation: object.generation.toString() },
          ]),
      );
    },
    stop(): Promise<void> {
      return transport.close();
    },
  };
}
