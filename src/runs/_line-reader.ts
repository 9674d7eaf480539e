/**
 * Splits a stream of bytes into lines with a bound on what one line may hold in memory, where
 * `readline` buffers a line whole, whatever its length (a 512 MiB line ends the process with a
 * RangeError). Line ends are those `readline` knows: `\n`, `\r\n` and a lone `\r` (progress bars).
 */
import type { Readable } from 'node:stream';

/** What a {@link LineSplitter} hands over. */
export interface LineHandlers {
  /** A whole line, decoded as UTF-8, without its line end. */
  line(text: string): void;
  /**
   * A line longer than the limit: its first bytes (cut at a character boundary); the rest of
   * it, up to the next line end, is skipped without being kept.
   */
  cut(head: string): void;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Splits chunks of bytes into lines of at most `maxLineBytes` bytes held at a time. */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #handlers: LineHandlers;
  #parts: Buffer[] = [];
  #length = 0;
  /** Inside a line that was cut: its bytes are dropped until the next line end. */
  #skipping = false;
  /** The last chunk ended with `\r`: a `\n` opening the next one belongs to it. */
  #carriageReturn = false;

  constructor(maxLineBytes: number, handlers: LineHandlers) {
    this.#maxLineBytes = maxLineBytes;
    this.#handlers = handlers;
  }

  /** Takes the next chunk. */
  push(chunk: Buffer): void {
    let at = 0;
    if (this.#carriageReturn && chunk[0] === LINE_FEED) at = 1;
    this.#carriageReturn = false;
    // Both searches run ahead of `at` and are redone only once passed: a chunk of many short
    // lines without a `\r` is not searched to its end for a `\r` once per line.
    let feed = chunk.indexOf(LINE_FEED, at);
    let carriage = chunk.indexOf(CARRIAGE_RETURN, at);
    while (at < chunk.length) {
      if (feed !== -1 && feed < at) feed = chunk.indexOf(LINE_FEED, at);
      if (carriage !== -1 && carriage < at) carriage = chunk.indexOf(CARRIAGE_RETURN, at);
      const end = feed === -1 ? carriage : carriage === -1 ? feed : Math.min(feed, carriage);
      if (end === -1) {
        this.#take(chunk.subarray(at));
        return;
      }
      this.#take(chunk.subarray(at, end));
      this.#endLine();
      at = end + 1;
      if (chunk[end] === CARRIAGE_RETURN) {
        if (at === chunk.length) this.#carriageReturn = true;
        else if (chunk[at] === LINE_FEED) at += 1;
      }
    }
  }

  /** The input ended: a last line without a line end is a line too. */
  end(): void {
    if (this.#length > 0) this.#endLine();
    this.#skipping = false;
  }

  #take(bytes: Buffer): void {
    if (this.#skipping || bytes.length === 0) return;
    const room = this.#maxLineBytes - this.#length;
    if (bytes.length <= room) {
      this.#parts.push(bytes);
      this.#length += bytes.length;
      return;
    }
    this.#parts.push(bytes.subarray(0, room));
    const head = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#length = 0;
    this.#skipping = true;
    this.#handlers.cut(head.toString('utf8', 0, characterBoundary(head)));
  }

  #endLine(): void {
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    const line = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#parts = [];
    this.#length = 0;
    this.#handlers.line(line.toString('utf8'));
  }
}

/** The length of `bytes` without a UTF-8 character cut off at its end. */
function characterBoundary(bytes: Buffer): number {
  let end = bytes.length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  let lead = end - 1;
  while (lead > 0 && end - lead < 4 && (bytes[lead]! & 0xc0) === 0x80) lead -= 1;
  const first = bytes[lead] ?? 0;
  const needs = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  if (end - lead < needs) end = lead;
  return end;
}

/**
 * Reads `input` line by line until it ends, is closed or is destroyed; resolves then (never
 * rejects: a read error ends the lines like an end would).
 */
export function readLines(input: Readable, maxLineBytes: number, handlers: LineHandlers) {
  const splitter = new LineSplitter(maxLineBytes, handlers);
  return new Promise<void>((resolve) => {
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      splitter.end();
      resolve();
    };
    input.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
    });
    input.once('end', finish);
    input.once('close', finish);
    input.once('error', finish);
  });
}
