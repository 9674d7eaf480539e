import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { encodeCell, encodeTable } from '../../src/csv/encode.js';

describe('CSV encoding', () => {
  it('survives a round trip through csv-parse: quotes, commas, newlines, non-ASCII', () => {
    const cells = [
      'plain',
      'a,b',
      'say "hi"',
      'two\nlines',
      'crlf\r\nend',
      'ünïcödé 日本語 🚀',
      '',
    ];
    const text = encodeTable(
      ['value'],
      cells.map((cell) => [cell]),
    );
    const records = parse<{ value: string }>(text, { columns: true });
    expect(records.map((record) => record.value)).toEqual(cells);
  });

  it('neutralises free text that a spreadsheet would run as a formula', () => {
    for (const dangerous of ['=1+1', '-1+2', '+A1', '@SUM(A1)', '\tx', '\t1', '\rx', '-', '+']) {
      const [record] = parse<{ v: string }>(encodeTable(['v'], [[dangerous]]), { columns: true });
      expect(record?.v).toBe(`'${dangerous}`);
    }
  });

  it('keeps text that is a plain signed number as it is: a spreadsheet shows it, never runs it', () => {
    for (const plain of ['-1', '+1', '-5', '+0.5', '-.5', '-1e-3', '+2E+10', '-007']) {
      expect(encodeCell(plain)).toBe(plain);
    }
  });

  it('writes numbers untouched at full precision, and empty cells for missing values', () => {
    expect(encodeCell(-1.5)).toBe('-1.5');
    expect(encodeCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(Number(encodeCell(Math.PI))).toBe(Math.PI);
    expect(encodeCell(1e-300)).toBe('1e-300');
    expect(encodeCell(undefined)).toBe('');
    expect(encodeCell(Number.NaN)).toBe('');
    expect(encodeCell(true)).toBe('true');
  });

  it('uses \\n line ends and a header row', () => {
    expect(encodeTable(['a', 'b'], [[1, 'x']])).toBe('a,b\n1,x\n');
  });
});
