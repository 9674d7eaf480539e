import { describe, expect, it } from 'vitest';
import { getRun, openStore, readScalars, startRun } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { readRecord } from '../../src/runs/read-runs.js';
import { encodeRunRecord } from '../../src/runs/run-record.js';

describe('a run that another writer closed', () => {
  it('stays lost: its stalled writer, back to life, never rewrites the record as running', async () => {
    const store = await openStore('memory://superseded');
    const run = await startRun({ project: 'stalled', store, closeOnExit: false });
    run.addScalar('loss', 1);
    await run.flush();
    // What a process that takes the run's work over does (fenceRun): it closes it.
    const record = (await readRecord(store, runPath(run.id)))!;
    await store.write(runPath(run.id), encodeRunRecord({ ...record, status: 'lost' }));
    run.addScalar('loss', 0.5);
    await run.flush();
    await run.finish();
    expect((await getRun(run.id, { store })).status).toBe('lost');
    // Its points still land: they are what the process did.
    expect([...(await readScalars(run.id, { store })).loss!.value]).toEqual([1, 0.5]);
  });

  it('a run nobody else touched is rewritten as usual, finished in the end', async () => {
    const store = await openStore('memory://not-superseded');
    const run = await startRun({ project: 'alone', store, closeOnExit: false });
    run.addScalar('loss', 1);
    await run.flush();
    await run.finish();
    expect((await getRun(run.id, { store })).status).toBe('finished');
  });
});
