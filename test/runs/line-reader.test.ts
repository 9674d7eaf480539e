/*
 * The bounded line splitter under runCommand: the line ends readline knows, wherever chunks
 * break, and a line past the limit cut at a character boundary, the rest of it skipped up to the
 * next line end.
 */
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/runs/_line-reader.js';

/** Splits `chunks` with a limit of `max` bytes; resolves lines and cut heads in order. */
function split(chunks: (string | Buffer)[], max = 1024): string[] {
  const seen: string[] = [];
  const splitter = new LineSplitter(max, {
    line: (text) => seen.push(text),
    cut: (head) => seen.push(`cut:${head}`),
  });
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return seen;
}

describe('LineSplitter', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r, wherever the chunks break', () => {
    const text = 'a\nb\r\nc\rd\n\ne';
    const expected = ['a', 'b', 'c', 'd', '', 'e'];
    expect(split([text])).toEqual(expected);
    for (let at = 0; at <= text.length; at += 1) {
      expect(split([text.slice(0, at), text.slice(at)]), `broken at ${at}`).toEqual(expected);
    }
    expect(split(Array.from(text, (character) => character))).toEqual(expected);
  });

  it('decodes a character split across chunks', () => {
    const bytes = Buffer.from('ünïcode ✓\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 9), bytes.subarray(9)])).toEqual([
      'ünïcode ✓',
    ]);
  });

  it('cuts a line past the limit once, at a character boundary, and goes on at the next line', () => {
    // 'é' is 2 bytes: a cut at 5 bytes keeps 2 of them, not half of the third.
    expect(split(['éééééé\nnext\n'], 5)).toEqual(['cut:éé', 'next']);
    // Exactly the limit is a whole line.
    expect(split(['abcde\nf'], 5)).toEqual(['abcde', 'f']);
    // Over several chunks, the rest dropped however long it goes on.
    expect(split(['abc', 'def', 'ghi'.repeat(1000), 'jk\r', '\nlast'], 4)).toEqual([
      'cut:abcd',
      'last',
    ]);
  });
});
