/**
 * Collects CSV text straight into UTF-8 bytes. For tables of a million rows this is about twice
 * as fast as joining strings and encoding the result, and it holds one
 * copy of the table instead of two.
 */
export class ByteWriter {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written since the writer was created or last {@link take}n from. */
  get length(): number {
    return this.used;
  }

  write(text: string): void {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    const worstCase = this.used + text.length * 3;
    if (worstCase > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(worstCase, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(text, this.used);
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.used);
  }

  /**
   * Hands over the bytes written so far and starts afresh in a new buffer. The returned bytes are
   * never written to again, so a consumer may hold on to them (a stream queues chunks without
   * copying them).
   */
  take(): Uint8Array {
    const taken = this.bytes();
    this.buffer = Buffer.allocUnsafe(this.initialBytes);
    this.used = 0;
    return taken;
  }
}

/**
 * Bytes per chunk when a table is written in chunks (`write` when `length` reaches it, then
 * `take`): large enough that writes stay cheap, small enough that memory stays flat.
 */
export const TABLE_CHUNK_BYTES = 1 << 20;
