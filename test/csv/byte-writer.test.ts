import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/csv/byte-writer.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('ByteWriter', () => {
  it('encodes text as UTF-8 and grows past its initial size', () => {
    const writer = new ByteWriter(4);
    writer.write('ünï,');
    writer.write('日本語 🚀\n'.repeat(100));
    expect(text(writer.bytes())).toBe(`ünï,${'日本語 🚀\n'.repeat(100)}`);
    expect(writer.length).toBe(Buffer.byteLength(text(writer.bytes())));
  });

  it('hands over chunks that later writes never touch', () => {
    const writer = new ByteWriter(16);
    const chunks: Uint8Array[] = [];
    for (let row = 0; row < 50; row += 1) {
      writer.write(`row ${row},é\n`);
      if (writer.length >= 16) chunks.push(writer.take());
    }
    expect(writer.length).toBeLessThan(16);
    chunks.push(writer.take());
    expect(writer.length).toBe(0);
    // Kept chunks still hold their rows after every later write.
    const expected = Array.from({ length: 50 }, (_, row) => `row ${row},é\n`).join('');
    expect(text(Buffer.concat(chunks))).toBe(expected);
    expect(chunks.length).toBeGreaterThan(10);
  });
});
