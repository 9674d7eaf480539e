import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findLatestTracker, openStore, openTracker, type Store } from '../../src/index.js';

const memory = () => openStore(`memory://${randomUUID()}`);
const touch = (store: Store, path: string) => store.write(path, 'header\n');

describe('trackers', () => {
  it('picks the greatest (date, index) among files of exactly this project', async () => {
    const store = await memory();
    for (const name of [
      'soil_20261101_1',
      'soil_20261102_2',
      'soil_20261102_10',
      'soil_20261102_9',
      'soil-carbon_20261231_1',
      'soil_notadate_5',
      'soil_20261103_0',
    ]) {
      await touch(store, `projects/classification/${name}.csv`);
    }
    await touch(store, 'projects/regression/soil_20261230_1.csv');
    expect(await findLatestTracker(store, 'classification', 'soil')).toMatchObject({
      path: 'projects/classification/soil_20261102_10.csv',
      date: '20261102',
      index: 10,
    });
    expect(await findLatestTracker(store, 'classification', 'soil-carbon')).toMatchObject({
      index: 1,
      date: '20261231',
    });
    expect(await findLatestTracker(store, 'classification', 'clay')).toBeUndefined();
  });

  it('creates <project>_<today>_1.csv with the header when there is none', async () => {
    const store = await memory();
    const now = new Date('2026-11-24T23:59:59Z');
    const tracker = await openTracker(store, 'regression', 'soil', { now });
    expect(tracker.path).toBe('projects/regression/soil_20261124_1.csv');
    expect(
      (await store.readText(tracker.path)).startsWith('prediction_id,logged_at,date,project,kind,'),
    ).toBe(true);
  });

  it('dates trackers in UTC', async () => {
    const store = await memory();
    const timeZone = process.env.TZ;
    // 01:30 on the 25th in UTC is still the 24th in New York; the file name follows UTC.
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date('2026-11-25T01:30:00Z').getDate()).toBe(24);
      const tracker = await openTracker(store, 'regression', 'soil', {
        now: new Date('2026-11-25T01:30:00Z'),
      });
      expect(tracker.date).toBe('20261125');
    } finally {
      if (timeZone === undefined) delete process.env.TZ;
      else process.env.TZ = timeZone;
    }
  });

  it("newCsv: the next index when the latest is from today, else today's first", async () => {
    const store = await memory();
    const now = new Date('2026-11-24T10:00:00Z');
    await touch(store, 'projects/classification/soil_20261124_3.csv');
    expect((await openTracker(store, 'classification', 'soil', { now, newCsv: true })).path).toBe(
      'projects/classification/soil_20261124_4.csv',
    );
    const tomorrow = new Date('2026-11-25T10:00:00Z');
    expect(
      (await openTracker(store, 'classification', 'soil', { now: tomorrow, newCsv: true })).path,
    ).toBe('projects/classification/soil_20261125_1.csv');
    // Without newCsv the latest is reused.
    expect((await openTracker(store, 'classification', 'soil', { now: tomorrow })).path).toBe(
      'projects/classification/soil_20261125_1.csv',
    );
  });

  it('two callers asking for a new tracker at once end with one new file', async () => {
    const store = await memory();
    const now = new Date('2026-11-24T10:00:00Z');
    await touch(store, 'projects/classification/soil_20261124_1.csv');
    const [first, second] = await Promise.all([
      openTracker(store, 'classification', 'soil', { now, newCsv: true }),
      openTracker(store, 'classification', 'soil', { now, newCsv: true }),
    ]);
    expect(first.path).toBe('projects/classification/soil_20261124_2.csv');
    expect(second.path).toBe(first.path);
    expect((await store.list('projects/classification/')).objects).toHaveLength(2);
  });
});
