import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingColumns } from '../../src/layout/tables.js';
import { cli as runInProcess } from './_in-process.js';

const cli = (args: string[], cwd: string) => runInProcess(args, { cwd });

describe('ml-tracking migrate', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-migrate-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('lists an old tracker, log refuses it naming the command, --apply migrates it, then log works', async () => {
    const store = join(cwd, 'store');
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const folder = join(store, 'projects', 'classification');
    const tracker = join(folder, `soil_${today}_1.csv`);
    const v1 = trackingColumns('classification', 1).map((column) => column.name);
    const id = randomUUID();
    const old = `${v1.join(',')}\n${v1.map((name) => (name.startsWith('prediction_') ? id : '')).join(',')}\n`;
    await mkdir(folder, { recursive: true });
    await writeFile(tracker, old);
    const predictions = join(cwd, 'predictions.csv');
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,1,1\nB,0,1\n');
    const log = () =>
      cli(
        [
          'log',
          '--store',
          store,
          '--kind',
          'classification',
          '--project',
          'soil',
          '--predictions',
          predictions,
          '--dataset-uri',
          'x',
          '--target-column',
          'y',
          '--model',
          'M',
          '--no-plots',
        ],
        cwd,
      );

    const refused = await log();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/schema version 1.*Run `ml-tracking migrate --store file:\/\//);

    const dry = await cli(['migrate', '--store', store], cwd);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `to migrate     projects/classification/soil_${today}_1.csv (1 rows)`,
    );
    expect(dry.stdout).toContain('header: schema version 1 → 2');
    expect(dry.stdout).toContain('run again with --apply');
    expect(await readFile(tracker, 'utf8')).toBe(old);

    const applied = await cli(['migrate', '--apply', '--store', store], cwd);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('migrated 1 of 1 trackers to schema version 2');

    const logged = await log();
    expect(logged.code).toBe(0);
    const rows = parse<Record<string, string>>(await readFile(tracker, 'utf8'), { columns: true });
    expect(rows).toHaveLength(2);
    expect(rows[0]?.prediction_uri).toMatch(
      new RegExp(`^file:///.*/predictions/classification/${id}\\.csv$`),
    );
    expect((await cli(['migrate', '--store', store], cwd)).stdout).toContain(
      'all 1 trackers are at schema version 2',
    );
  });
});
