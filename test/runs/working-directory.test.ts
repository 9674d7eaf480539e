// Where a run's command ran (issue 22, item 13): `python train.py` means something only in its
// folder, so a run that records a command records that folder (runs schema 2), and the line that
// runs it again (`ml-tracking run`, the dashboard) starts there. A run file of schema 1 reads as
// before, and `ml-tracking migrate` brings it to the current header, byte for byte.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, listRuns, startRun } from '../../src/index.js';
import { headerOf, RUNS_COLUMNS } from '../../src/layout/tables.js';
import { planRunMigration } from '../../src/runs/migrate-runs.js';
import { rawRecords } from '../../src/tracking/migrate-trackers.js';
import { reproduceLine } from '../../src/runs/reproduce-line.js';
import { encodeRunRecord, type RunRecord } from '../../src/runs/run-record.js';
import { cli } from '../cli/_in-process.js';

let folder: string;
let project: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), 'ml-tracking-working-directory-')));
  project = join(folder, 'my project');
  await mkdir(project);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the working directory of a run', () => {
  it('exec records the folder its command ran in, and `run` gives the line that runs it again there', async () => {
    const store = join(folder, 'exec-store');
    const ran = await cli(
      ['exec', '--store', store, '--project', 'p', '--', process.execPath, '-e', '0'],
      { cwd: project },
    );
    expect(ran.code, ran.stderr).toBe(0);
    const [run] = await listRuns({ store });
    expect(run?.workingDirectory).toBe(project);
    const shown = await cli(['run', run!.id, '--store', store]);
    expect(shown.stdout).toMatch(/^directory +.*my project$/m);
    expect(shown.stdout).toContain(`reproduce        cd '${project}' && `);
  });

  it("a logger records the process's folder; a run with no command records none", async () => {
    const store = join(folder, 'logger-store');
    const logger = await startRun({ project: 'p', store, closeOnExit: false });
    const none = await startRun({
      project: 'p',
      store,
      origin: 'experiment',
      closeOnExit: false,
    });
    await logger.finish();
    await none.finish();
    expect((await getRun(logger.id, { store })).workingDirectory).toBe(process.cwd());
    expect((await getRun(none.id, { store })).workingDirectory).toBeUndefined();
  });

  it('the line to run it again: cd first, quoted for a shell', () => {
    const record = { command: ['python', 'train.py'], workingDirectory: "/home/a b/it's" };
    expect(
      reproduceLine(record as RunRecord, { hasModelRun: false, storeUrl: 'file:///s' })?.command,
    ).toBe(`cd '/home/a b/it'\\''s' && python train.py`);
  });
});

describe('a run file of runs schema 1', () => {
  const v1Header = headerOf(RUNS_COLUMNS).filter((name) => name !== 'working_directory');

  /** A finished run's file as version 1 wrote it (no working_directory column). */
  async function writeV1Run(
    store: string,
    status: string,
  ): Promise<{ path: string; text: string }> {
    const run = await startRun({ project: 'old', store, closeOnExit: false });
    await run.finish();
    const path = join(store, 'runs', `${run.id}.csv`);
    const current = await readFile(path, 'utf8');
    const [header = [], cells = []] = rawRecords(current);
    const kept = header
      .map((name, index) => [name, cells[index]!] as const)
      .filter(([name]) => name !== 'working_directory')
      .map(([name, cell]) => (name === 'status' ? status : cell));
    const text = `${v1Header.join(',')}\n${kept.join(',')}\n`;
    await writeFile(path, text);
    return { path, text };
  }

  it('reads as before, with no working directory', async () => {
    const store = join(folder, 'v1-read');
    const { path } = await writeV1Run(store, 'finished');
    const id = path.slice(path.lastIndexOf('/') + 1, -'.csv'.length);
    const run = await getRun(id, { store });
    expect(run).toMatchObject({ id, project: 'old', status: 'finished' });
    expect(run.workingDirectory).toBeUndefined();
  });

  it('migrate lists it, --apply rewrites it with the current header and every cell kept, a running run is left', async () => {
    const store = join(folder, 'v1-migrate');
    const finished = await writeV1Run(store, 'finished');
    const running = await writeV1Run(store, 'running');

    const dry = await cli(['migrate', '--store', store]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^to migrate +runs\/\S+\.csv \(adds working_directory\)$/m);
    expect(dry.stdout).toContain('the run is still running');
    expect(await readFile(finished.path, 'utf8')).toBe(finished.text);

    const applied = await cli(['migrate', '--apply', '--store', store]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('migrated 1 of 2 run files to runs schema version 2');
    const migrated = await readFile(finished.path, 'utf8');
    expect(migrated).toBe(planRunMigration(finished.text)?.text);
    const [header, row] = migrated.trimEnd().split('\n');
    expect(header).toBe(headerOf(RUNS_COLUMNS).join(','));
    // The same cells, byte for byte, and the new column empty at the end.
    expect(row).toBe(`${finished.text.trimEnd().split('\n')[1]!},`);
    expect(rawRecords(migrated)[1]).toEqual([...rawRecords(finished.text)[1]!, '']);
    expect(await readFile(running.path, 'utf8')).toBe(running.text);
    // What a current writer writes needs nothing.
    expect(planRunMigration(encodeRunRecord((await listRuns({ store }))[0]!))).toBeUndefined();
  });
});
