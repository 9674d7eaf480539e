import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';

export interface StoredObject {
  readonly data: Buffer;
  readonly generation: bigint;
  readonly metageneration: bigint;
  readonly contentType: string;
  /** Real GCS gives composite objects no MD5, only a CRC32C. */
  readonly md5Hash: string | undefined;
  readonly crc32c: string;
  readonly timeCreated: string;
  readonly updated: string;
  /** Set only on composed objects, as in GCS. */
  readonly componentCount: number | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

export interface OperationStats {
  requests: number;
  bytesReceived: number;
}

export interface GcsStats extends OperationStats {
  byOperation: Record<string, OperationStats>;
}

export type FaultStatus = 403 | 412 | 429 | 500 | 503 | 'reset';

export interface Fault {
  operation?: string;
  status: FaultStatus;
  times?: number;
  /**
   * `before` (default): the request is refused and changes nothing. `after`: the request is
   * carried out and committed, then its answer is lost (`reset`) or replaced (a status), as when
   * a connection drops on the way back or a front end times out after the backend wrote.
   */
  when?: 'before' | 'after';
  /** Each matching request is struck with this probability, until `times` have been. @default 1 */
  probability?: number;
}

export interface ResumableSession {
  readonly bucket: string;
  readonly name: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly query: URLSearchParams;
  readonly chunks: Buffer[];
  received: number;
  /** Kept so a status query after completion answers like GCS: with the object. */
  finished: StoredObject | undefined;
}

export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

export function crc32cBase64(data: Buffer): string {
  // `CRC32C.from(buffer)` would read the buffer as an existing checksum, not as data.
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

export interface NewObject {
  data: Buffer;
  contentType: string;
  metadata: Readonly<Record<string, string>> | undefined;
  componentCount?: number;
}

export class GcsState {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private lastGeneration = 0n;
  private pendingFaults: {
    operation: string | undefined;
    status: FaultStatus;
    left: number;
    when: 'before' | 'after';
    probability: number;
  }[] = [];
  readonly sessions = new Map<string, ResumableSession>();
  readonly stats: GcsStats = { requests: 0, bytesReceived: 0, byOperation: {} };

  get(bucket: string, name: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(name);
  }

  /** Sorted by name, the order GCS lists in. */
  list(bucket: string): [string, StoredObject][] {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    return [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Replaces the object in one synchronous step. Callers check preconditions in the
   * same synchronous stretch (no await in between), which is what makes a
   * check-then-write atomic against concurrent requests on the one event loop.
   */
  write(bucket: string, name: string, input: NewObject): StoredObject {
    const now = new Date().toISOString();
    const stored: StoredObject = {
      data: input.data,
      generation: this.nextGeneration(),
      metageneration: 1n,
      contentType: input.contentType,
      md5Hash: input.componentCount === undefined ? md5Base64(input.data) : undefined,
      crc32c: crc32cBase64(input.data),
      // A new generation is a new object version: GCS gives it a new timeCreated too.
      timeCreated: now,
      updated: now,
      componentCount: input.componentCount,
      metadata: input.metadata,
    };
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    objects.set(name, stored);
    return stored;
  }

  delete(bucket: string, name: string): boolean {
    return this.buckets.get(bucket)?.delete(name) ?? false;
  }

  /**
   * GCS generations are microsecond timestamps; keep that shape but force strict
   * growth, since several writes can land in the same microsecond here.
   */
  private nextGeneration(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.lastGeneration = now > this.lastGeneration ? now : this.lastGeneration + 1n;
    return this.lastGeneration;
  }

  record(operation: string, bytes: number): void {
    this.stats.requests += 1;
    this.stats.bytesReceived += bytes;
    const entry = (this.stats.byOperation[operation] ??= { requests: 0, bytesReceived: 0 });
    entry.requests += 1;
    entry.bytesReceived += bytes;
  }

  resetStats(): void {
    this.stats.requests = 0;
    this.stats.bytesReceived = 0;
    // Cleared in place so a reference taken before the reset stays live.
    for (const key of Object.keys(this.stats.byOperation)) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete this.stats.byOperation[key];
    }
  }

  injectFault(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be >= 1: ${times}`);
    this.pendingFaults.push({
      operation: fault.operation,
      status: fault.status,
      left: times,
      when: fault.when ?? 'before',
      probability: fault.probability ?? 1,
    });
  }

  clearFaults(): void {
    this.pendingFaults = [];
  }

  /** Injected faults that have not struck yet. */
  pendingFaultCount(): number {
    return this.pendingFaults.reduce((sum, fault) => sum + fault.left, 0);
  }

  /** Consumes one use of the first pending fault that applies to `operation` at `when`. */
  takeFault(operation: string, when: 'before' | 'after' = 'before'): FaultStatus | undefined {
    const index = this.pendingFaults.findIndex(
      (f) => f.when === when && (f.operation === undefined || f.operation === operation),
    );
    if (this.pendingFaults[index] && Math.random() >= this.pendingFaults[index].probability) {
      return undefined;
    }
    const fault = this.pendingFaults[index];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left === 0) this.pendingFaults.splice(index, 1);
    return fault.status;
  }
}
