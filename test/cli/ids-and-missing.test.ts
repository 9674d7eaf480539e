// Ids as people type them and stores that are not there (issue 22, items 1 to 3), through runCli
// in this process: a unique prefix of 8+ characters wherever an id is taken, the ids an
// ambiguous one matches, "No run with id X in <store>", and a store folder that does not exist.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logExperiment, startRun } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { fixtureConfig } from '../sweeps/sweep-helpers.js';
import { cli, testInterrupts } from './_in-process.js';

let folder: string;
let store: Store;
let runIds: string[];
let predictionId: string;
let sweepId: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-ids-'));
  store = await openStore(join(folder, 'store'));
  runIds = [];
  for (const name of ['first', 'second']) {
    const run = await startRun({ project: 'soil', name, store, closeOnExit: false });
    run.addScalar('loss', 0.5);
    runIds.push((await run.finish()).id);
  }
  ({ predictionId } = await logExperiment({
    kind: 'regression',
    project: 'soil',
    parameters: {
      datasetUri: 'd',
      targetColumn: 't',
      testSet: ['a', 'b', 'c'],
      model: { name: 'Ridge', params: {} },
    },
    yTrue: [1, 2, 3],
    yPred: [1, 2, 4],
    plots: false,
    store,
  }));
  ({ sweepId } = await createSweep({ config: fixtureConfig('failing'), store }));
}, 60_000);
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

/** The shortest prefix of `id` (8 characters at least) that no other id starts with. */
function uniquePrefix(id: string, others: string[]): string {
  for (let length = 8; length < id.length; length += 1) {
    const prefix = id.slice(0, length);
    if (!others.some((other) => other !== id && other.startsWith(prefix))) return prefix;
  }
  return id;
}

const inStore = (...args: string[]) => cli([...args, '--store', store.url]);

describe('ids as people type them', () => {
  it('show takes the short id of plot titles (8 characters), in any case', async () => {
    const short = predictionId.slice(0, 8);
    const result = await inStore('show', short.toUpperCase(), '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ predictionId });
  });

  it('run, compare and sweep show take a unique prefix of the id', async () => {
    const [first, second] = runIds.map((id) => uniquePrefix(id, runIds));
    const run = await inStore('run', first!.toLowerCase(), '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ id: runIds[0], name: 'first' });

    const compared = await inStore('compare', first!, second!, '--json');
    expect(compared.stderr).toBe('');
    const comparison = JSON.parse(compared.stdout) as { runs: { id: string }[] };
    expect(comparison.runs.map((row) => row.id).sort()).toEqual([...runIds].sort());

    const sweep = await inStore('sweep', 'show', sweepId.slice(0, 8), '--json');
    expect(sweep.stderr).toBe('');
    expect(JSON.parse(sweep.stdout)).toMatchObject({ description: { sweepId } });
  });

  it('an ambiguous prefix names the ids it matches and changes nothing (exit 2)', async () => {
    const shared = runIds[0]!.slice(0, 8);
    expect(runIds[1]!.startsWith(shared)).toBe(true);
    const result = await inStore('run', shared);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const id of runIds) expect(result.stderr).toContain(id);
    expect(result.stderr).toContain('Pass more characters of the id');
  });

  it('fewer than 8 characters, or characters no id has, is not an id (exit 2)', async () => {
    for (const typed of [runIds[0]!.slice(0, 7), 'latest-run']) {
      const result = await inStore('run', typed);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`"${typed}" is not a run id`);
      expect(result.stderr).toContain('first 8 or more characters');
    }
    const show = await inStore('show', '1');
    expect(show.code).toBe(2);
    expect(show.stderr).toContain('"1" is not an experiment id');
  });

  it('an id the store does not have says so, naming the store (exit 1)', async () => {
    const cases = [
      ['run', '20991231T235959999Z-00000000', 'run'],
      ['run', '20991231', 'run'],
      ['sweep', 'show', '20991231T235959999Z-00000000', 'sweep'],
      ['show', '00000000-0000-4000-8000-000000000000', 'experiment'],
      ['show', 'abcdef12', 'experiment'],
    ];
    for (const args of cases) {
      const noun = args.at(-1)!;
      const typed = args.at(-2)!;
      const result = await inStore(...args.slice(0, -1));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`No ${noun} with id ${typed} in ${store.url}`);
      expect(result.stderr).not.toContain('no such object');
    }
  });
});

describe('a store folder that does not exist', () => {
  it('read commands say so (exit 1) and create nothing', async () => {
    const missing = join(folder, 'not-there');
    for (const args of [
      ['runs'],
      ['list'],
      ['sweeps'],
      ['run', runIds[0]!],
      ['show', predictionId],
      ['sweep', 'show', sweepId],
      ['compare', ...runIds],
      ['gc'],
    ]) {
      const result = await cli([...args, '--store', missing]);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`No store at ${missing}: the folder does not exist`);
    }
    // Bad input is told first, before any store is looked at.
    const malformed = await cli(['run', 'latest-run', '--store', missing]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"latest-run" is not a run id');
    const dashboard = await cli(['ui', '--store', missing, '--port', '0'], {
      interrupts: testInterrupts(),
    });
    expect(dashboard.code).toBe(1);
    expect(dashboard.stderr).toContain(`No store at ${missing}`);
    expect(
      await openStore(folder).then(async (parent) => {
        const names = (await parent.list()).objects.map((object) => object.path);
        await parent.close();
        return names.some((name) => name.startsWith('not-there'));
      }),
    ).toBe(false);
  });

  it('an existing empty store is a normal empty answer (exit 0)', async () => {
    const empty = join(folder, 'empty');
    await mkdir(empty);
    const runs = await cli(['runs', '--store', empty]);
    expect(runs).toMatchObject({ code: 0, stdout: 'No runs.\n' });
    const experiments = await cli(['list', '--store', empty]);
    expect(experiments.code).toBe(0);
  });
});
