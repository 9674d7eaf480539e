import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import type { ExperimentKind } from '../../../src/layout/tables.js';
import {
  readPredictionsCsv,
  type PredictionsCsv,
} from '../../../src/tracking/predictions-csv/read-predictions-csv.js';
import { runNodeProgram } from '../../support/processes.js';

const columns = { yTrue: 'y_true', yPred: 'y_pred', sampleId: 'sample_id' };

/** The sample ids, actual and predicted values: what these tests compare. */
const labelColumns = ({ sampleIds, yTrue, yPred }: PredictionsCsv) => ({
  sampleIds,
  yTrue,
  yPred,
});

describe('readPredictionsCsv', () => {
  let folder: string;
  let count = 0;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-read-predictions-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  async function csv(text: string): Promise<string> {
    const file = join(folder, `predictions-${(count += 1)}.csv`);
    await writeFile(file, text);
    return file;
  }

  /** A CSV of sample_id, y_true, y_pred with one data row per pair. */
  const rows = (pairs: [string, string][]) =>
    `sample_id,y_true,y_pred\n${pairs.map(([t, p], i) => `s${i},${t},${p}`).join('\n')}\n`;

  async function read(text: string, kind: ExperimentKind) {
    return readPredictionsCsv(await csv(text), { kind, ...columns });
  }

  async function failure(text: string, kind: ExperimentKind): Promise<ValidationError> {
    const error = await read(text, kind).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }

  describe('classification labels', () => {
    it.each<[string, [string, string][], unknown[], unknown[]]>([
      [
        'integers that read back as themselves become numbers',
        [
          ['1', '2'],
          ['-3', '10'],
        ],
        [1, -3],
        [2, 10],
      ],
      [
        'zero-padded labels stay text, so 01 and 1 are two classes',
        [
          ['01', '1'],
          ['1', '1'],
        ],
        ['01', '1'],
        ['1', '1'],
      ],
      [
        '007 and 7 stay two classes',
        [
          ['007', '7'],
          ['7', '7'],
        ],
        ['007', '7'],
        ['7', '7'],
      ],
      [
        'integers beyond 2^53 stay text instead of merging after rounding',
        [
          ['12345678901234567890', '12345678901234567891'],
          ['12345678901234567891', '12345678901234567891'],
        ],
        ['12345678901234567890', '12345678901234567891'],
        ['12345678901234567891', '12345678901234567891'],
      ],
      [
        'one non-canonical label keeps every label of both columns text',
        [
          ['1', '2'],
          ['2', '+1'],
        ],
        ['1', '2'],
        ['2', '+1'],
      ],
      [
        'signs, decimals and spaces are not canonical integers',
        [
          ['1.0', '-0'],
          [' 1', '1e0'],
        ],
        ['1.0', ' 1'],
        ['-0', '1e0'],
      ],
      [
        'words stay text',
        [
          ['cat', 'dog'],
          ['dog', 'dog'],
        ],
        ['cat', 'dog'],
        ['dog', 'dog'],
      ],
    ])('%s', async (_, pairs, yTrue, yPred) => {
      const columns = await read(rows(pairs), 'classification');
      expect(labelColumns(columns)).toEqual({ sampleIds: ['s0', 's1'], yTrue, yPred });
    });
  });

  describe('regression numbers', () => {
    it('accepts decimal numbers: signed, with a point, with an exponent, with spaces around', async () => {
      const columns = await read(
        rows([
          ['12', '-0.5'],
          ['+3', '.25'],
          ['1.', '1.5e-3'],
          ['-2E+2', ' 4 '],
        ]),
        'regression',
      );
      expect(columns.yTrue).toEqual([12, 3, 1, -200]);
      expect(columns.yPred).toEqual([-0.5, 0.25, 0.0015, 4]);
    });

    it.each([
      ['0x10', 'the cell "0x10" is not a decimal number'],
      ['0b11', 'the cell "0b11" is not a decimal number'],
      ['0o7', 'the cell "0o7" is not a decimal number'],
      ['Infinity', 'the cell "Infinity" is not a decimal number'],
      ['-Infinity', 'the cell "-Infinity" is not a decimal number'],
      ['NaN', 'the cell "NaN" is not a decimal number'],
      ['1_000', 'the cell "1_000" is not a decimal number'],
      ['"1,5"', 'the cell "1,5" is not a decimal number'],
      ['" "', 'the blank cell " " is not a decimal number'],
      ['', 'the empty cell is not a decimal number'],
      ['1e999', 'the cell "1e999" is not a usable regression value'],
      ['1e308', 'the cell "1e308" is not a usable regression value'],
    ])('rejects %j, naming the column, the row, the line and the cell', async (cell, problem) => {
      const text = `sample_id,y_true,y_pred\n\na,1,2\nb,3,${cell}\n`;
      const error = await failure(text, 'regression');
      expect(error.parameter).toBe('file');
      expect(error.message).toContain(`column "y_pred", data row 2 (line 4): ${problem}`);
    });

    it('says why 1e308 is unusable: the range that keeps squared errors finite', async () => {
      const error = await failure(rows([['1e308', '0']]), 'regression');
      expect(error.message).toMatch(/column "y_true", data row 1 \(line 2\).*±1e100/);
    });
  });

  describe('file problems keep their messages', () => {
    it('a missing column names its option and lists the columns', async () => {
      const error = await failure('id,truth,y_pred\na,1,1\n', 'regression');
      expect(error.parameter).toBe('yTrue');
      expect(error.message).toMatch(
        /has no column "y_true".*Name one of its columns: id, truth, y_pred\./,
      );
      const sample = await failure('y_true,y_pred\n1,1\n', 'regression');
      expect(sample.parameter).toBe('sampleId');
    });

    it.each([
      ['an empty file', ''],
      ['a header only', 'sample_id,y_true,y_pred\n'],
      ['a header only, without the named columns', 'a,b\n'],
      ['blank lines only after the header', 'sample_id,y_true,y_pred\n\n\n'],
    ])('%s has no rows', async (_, text) => {
      const error = await failure(text, 'classification');
      expect(error.parameter).toBe('file');
      expect(error.message).toMatch(/has no rows/);
    });

    it('a file that cannot be read, or rows of different lengths, are ValidationErrors', async () => {
      const missing = await readPredictionsCsv(join(folder, 'absent.csv'), {
        kind: 'regression',
        ...columns,
      }).catch((caught: unknown) => caught);
      expect(missing).toBeInstanceOf(ValidationError);
      expect((missing as Error).message).toMatch(/cannot read .*absent\.csv/);
      const ragged = await failure('sample_id,y_true,y_pred\na,1,1\nb,2\n', 'regression');
      expect(ragged.message).toMatch(/not a valid CSV file.*line 3/);
    });

    it('reads a byte-order mark, quoted cells and the last of duplicate columns', async () => {
      const columns = await read(
        '\ufeffsample_id,y_true,y_pred,y_pred\n"a,1",1,9,2\n',
        'classification',
      );
      expect(labelColumns(columns)).toEqual({ sampleIds: ['a,1'], yTrue: [1], yPred: [2] });
    });
  });

  it('streams a large file: only the three columns are kept, in a heap smaller than the file', async () => {
    // 300,000 rows with a 100-byte column that log does not need: a 38 MB file. Read whole, it
    // took over 128 MB of heap (the text, then every cell of every row); streamed, it fits in 96 MB
    // together with the modules that log imports.
    const file = join(folder, 'large.csv');
    const out = createWriteStream(file);
    const padding = 'x'.repeat(100);
    const n = 300_000;
    let chunk = 'sample_id,y_true,y_pred,features\n';
    for (let i = 0; i < n; i += 1) {
      chunk += `s${i},${i / 8},${-i},${padding}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');

    const result = await runNodeProgram(
      'test/tracking/predictions-csv/read-predictions-worker.ts',
      [file, 'regression'],
      { env: { NODE_OPTIONS: '--max-old-space-size=96' } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      rows: n,
      first: ['s0', 0, 0],
      last: [`s${n - 1}`, (n - 1) / 8, -(n - 1)],
      allNumbers: true,
    });
  }, 30_000);
});
