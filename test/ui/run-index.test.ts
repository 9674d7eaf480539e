/**
 * The dashboard's run index: what a page lists must follow the store (new runs appear, a run's
 * new status shows, deleted runs go) while re-reading only the records that changed, on every
 * store the dashboard serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { RunIndex, withStatusNow } from '../../src/ui/server/run-index.js';
import { readRecord } from '../../src/runs/read-runs.js';
import { encodeRunRecord } from '../../src/runs/run-record.js';
import { countingReads } from '../runs/_read-counts.js';
import { openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

describe.each(['memory', 'local', 'gcs-fake'] as const)('RunIndex on a %s store', (kind) => {
  let subject: RunStoreSubject;
  beforeAll(async () => {
    subject = await openRunStore(kind);
  });
  afterAll(() => subject.close());

  it('lists runs newest first, then follows new, changed and deleted runs', async () => {
    const { store } = subject;
    const first = await startRun({ store, project: 'soil', name: 'first', closeOnExit: false });
    await first.finish();
    const second = await startRun({ store, project: 'soil', name: 'second', closeOnExit: false });
    await second.flush();

    const counted = countingReads(store);
    // maxAgeMs 0: every call refreshes (in the background after the first).
    const index = new RunIndex(counted.store, { maxAgeMs: 0 });
    await index.refresh();
    expect((await index.runs()).map((run) => run.record.name)).toEqual(['second', 'first']);
    expect(counted.recordReads()).toBe(2);

    // Nothing changed: a refresh lists, and reads nothing.
    await index.refresh();
    expect(counted.recordReads()).toBe(2);

    // The running run ends: only its record is read again.
    await second.finish();
    await index.refresh();
    expect(counted.recordReads()).toBe(3);
    expect((await index.get(second.id))?.record.status).toBe('finished');

    // A new run appears; a deleted run goes.
    const third = await startRun({ store, project: 'maize', name: 'third', closeOnExit: false });
    await third.finish();
    await store.delete(runPath(first.id));
    await index.refresh();
    expect(counted.recordReads()).toBe(4);
    expect((await index.runs()).map((run) => run.record.name)).toEqual(['third', 'second']);
    expect(await index.get(first.id)).toBeUndefined();
  });

  it('finds a run started since the last refresh, by id, without waiting for the next', async () => {
    const { store } = subject;
    const index = new RunIndex(store, { maxAgeMs: 60_000 });
    await index.refresh();
    const late = await startRun({ store, project: 'soil', name: 'late', closeOnExit: false });
    await late.flush();
    expect((await index.get(late.id))?.record.name).toBe('late');
    expect((await index.runs()).map((run) => run.record.id)).toContain(late.id);
    expect(await index.get('20990101T000000000Z-deadbeef')).toBeUndefined();
    await late.finish();
  });

  it('searches ids, names, hosts and hyperparameter values case-insensitively', async () => {
    const { store } = subject;
    const run = await startRun({
      store,
      project: 'search',
      name: 'Needle-Run',
      hyperparameters: { optimizer: 'AdamW', layers: [64, 32] },
      closeOnExit: false,
    });
    await run.finish();
    const index = new RunIndex(store);
    const found = await index.get(run.id);
    expect(found?.searchText).toContain('needle-run');
    expect(found?.searchText).toContain('adamw');
    expect(found?.searchText).toContain('[64,32]');
  });

  it("judges lost by when the store wrote a record, not by its writer's clock", async () => {
    const { store } = subject;
    const run = await startRun({ store, project: 'skewed', closeOnExit: false });
    // As a writer whose clock is an hour behind writes it: its heartbeat looks an hour old.
    const record = (await readRecord(store, runPath(run.id)))!;
    const hourAgo = new Date(Date.now() - 3_600_000);
    await store.write(
      runPath(run.id),
      encodeRunRecord({ ...record, heartbeatAt: hourAgo, startedAt: hourAgo }),
    );
    const index = new RunIndex(store, { maxAgeMs: 0 });
    const indexed = (await index.get(run.id))!;
    expect(withStatusNow(indexed, new Date()).status).toBe('running');
    // The store's own time says when it stopped: lost once that is 4 heartbeats ago.
    const later = new Date(indexed.updated.getTime() + 5 * record.heartbeatIntervalSeconds * 1000);
    expect(withStatusNow(indexed, later).status).toBe('lost');
    await run.finish();
  });
});
