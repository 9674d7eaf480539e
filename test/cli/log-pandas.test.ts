import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { logFlags } from '../support/log-flags.js';
import { cli } from './_in-process.js';

const baseArgs = (kind: string, file: string, store: string) =>
  logFlags({ kind, project: 'pandas', predictions: file, store });

/** A Python with pandas, to write CSVs with pandas itself; `undefined` when there is none. */
function pythonWithPandas(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import pandas'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

describe('ml-tracking log: CSVs as pandas writes them', () => {
  let folder: string;
  let count = 0;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-log-pandas-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  async function csv(text: string): Promise<string> {
    const file = join(folder, `predictions-${(count += 1)}.csv`);
    await writeFile(file, text);
    return file;
  }

  /** Runs `log` in this process; returns the rows of the predictions table it wrote. */
  async function loggedPredictions(text: string, flags: string[] = [], kind = 'classification') {
    const store = `memory://log-pandas-${randomUUID()}`;
    const result = await cli(['log', ...baseArgs(kind, await csv(text), store), ...flags]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const opened = await openStore(store);
    const tables: string[] = [];
    for await (const object of opened.listAll('predictions/')) tables.push(object.path);
    expect(tables).toHaveLength(1);
    return parse<Record<string, string>>(await opened.readText(tables[0]!), { columns: true });
  }

  const sampleIds = (rows: Record<string, string>[]) => rows.map((row) => row.sample_id);

  it('df.to_csv(): the unnamed index column is the sample id, without --sample-id', async () => {
    const rows = await loggedPredictions(',y_true,y_pred\n17,cat,cat\n3,dog,cat\n42,dog,dog\n');
    expect(sampleIds(rows)).toEqual(['17', '3', '42']);
    expect(rows.map((row) => row.correct)).toEqual(['true', 'false', 'true']);
  });

  it("encoding='utf-8-sig': the byte-order mark is dropped before the header is read", async () => {
    const rows = await loggedPredictions(
      '\ufeff,y_true,y_pred\r\n17,1.5,1.25\r\n3,2,2.5\r\n',
      [],
      'regression',
    );
    expect(sampleIds(rows)).toEqual(['17', '3']);
    expect(rows.map((row) => Number(row.residual))).toEqual([-0.25, 0.5]);
  });

  it('df.to_csv(index=False) without sample_id: the row position counting from 0, like pandas', async () => {
    const rows = await loggedPredictions('y_true,y_pred\n\n1,1\n0,1\n1,0\n');
    expect(sampleIds(rows)).toEqual(['0', '1', '2']);
  });

  it('a sample_id column wins over the index; --sample-id names any column', async () => {
    const text = ',sample_id,id,y_true,y_pred\n0,a,x,1,1\n1,b,y,0,0\n';
    expect(sampleIds(await loggedPredictions(text))).toEqual(['a', 'b']);
    expect(sampleIds(await loggedPredictions(text, ['--sample-id', 'id']))).toEqual(['x', 'y']);
  });

  it('--sample-id naming a missing column is still an error', async () => {
    const store = `memory://log-pandas-${randomUUID()}`;
    const file = await csv(',y_true,y_pred\n0,1,1\n');
    const result = await cli([
      'log',
      ...baseArgs('classification', file, store),
      '--sample-id',
      'sample_id',
      '--json',
    ]);
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stderr) as { error: { code: string; parameter: string } };
    expect(error).toMatchObject({ code: 'ERR_VALIDATION', parameter: '--sample-id' });
  });

  it('a ragged CSV: one line naming the file and the line, exit code 2', async () => {
    const file = await csv(',y_true,y_pred\n0,1,1\n1,0\n2,1,1\n');
    const store = join(folder, 'ragged-store');
    const result = await cli(['log', ...baseArgs('classification', file, store)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/not a valid CSV file .*line 3/);
  });

  it('real pandas output: to_csv() of a shuffled test set, plain and utf-8-sig', async (context) => {
    const python = pythonWithPandas();
    context.skip(
      python === undefined,
      'pandas is not installed for python3 or /usr/bin/python3 (Debian: apt-get install python3-pandas); the hand-written pandas CSVs above still run',
    );
    const plain = join(folder, 'pandas-plain.csv');
    const bom = join(folder, 'pandas-bom.csv');
    const script = [
      'import sys, pandas as pd',
      "df = pd.DataFrame({'y_true': ['b', 'a', 'c', 'a'], 'y_pred': ['b', 'a', 'a', 'a']}, index=[40, 7, 13, 2])",
      'df.to_csv(sys.argv[1])',
      "df.to_csv(sys.argv[2], encoding='utf-8-sig')",
    ].join('\n');
    const written = spawnSync(python!, ['-c', script, plain, bom], { encoding: 'utf8' });
    expect(written.stderr).toBe('');
    for (const file of [plain, bom]) {
      const store = join(folder, `pandas-store-${(count += 1)}`);
      const result = await cli(['log', ...baseArgs('classification', file, store), '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const logged = JSON.parse(result.stdout) as { files: { predictions: { path: string } } };
      const table = await (await openStore(store)).readText(logged.files.predictions.path);
      const rows = parse<Record<string, string>>(table, { columns: true });
      expect(sampleIds(rows)).toEqual(['40', '7', '13', '2']);
      expect(rows.map((row) => row.y_true)).toEqual(['b', 'a', 'c', 'a']);
    }
  }, 60_000);
});
