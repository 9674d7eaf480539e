import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { encodeRow } from '../../src/csv/encode.js';
import { listTrackers, trackingColumns, ValidationError } from '../../src/index.js';
import { createStore } from '../../src/store/create-store.js';
import { createMemoryDriver } from '../../src/store/drivers/memory.js';
import { TRACKER_READS_AT_ONCE } from '../../src/tracking/list-trackers.js';

describe('listTrackers', () => {
  it('counts rows (JSON cells with line breaks included), by project and kind, reading each tracker once and a few at a time', async () => {
    const driver = createMemoryDriver({ name: randomUUID() });
    const reads: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const store = createStore({
      ...driver,
      read: async (path, range) => {
        reads.push(path);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(5);
        inFlight -= 1;
        return driver.read(path, range);
      },
    });
    const header = encodeRow(trackingColumns('regression').map((column) => column.name));
    const row = encodeRow(
      trackingColumns('regression').map((column) =>
        column.name === 'extra_parameters' ? '{\n"note": "two\nlines"}' : 'x',
      ),
    );
    const trackers = 2 * TRACKER_READS_AT_ONCE;
    for (let index = 1; index <= trackers; index += 1) {
      await store.write(
        `projects/regression/soil_20261124_${index}.csv`,
        header + row.repeat(index),
      );
    }
    await store.write('projects/classification/soil_20261124_1.csv', header);
    await store.write('projects/regression/soil-carbon_20261124_1.csv', header + row);

    const listed = await listTrackers(store, { project: 'Soil', kind: 'regression' });
    expect(listed.map((tracker) => [tracker.index, tracker.rows])).toEqual(
      Array.from({ length: trackers }, (_, index) => [index + 1, index + 1]),
    );
    expect(reads).toHaveLength(trackers);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(TRACKER_READS_AT_ONCE);

    const soil = await listTrackers(store, { project: 'soil' });
    expect(soil.map((tracker) => tracker.kind)).toEqual([
      'classification',
      ...Array<string>(trackers).fill('regression'),
    ]);
    expect(await listTrackers(store)).toHaveLength(trackers + 2);
    await expect(listTrackers(store, { kind: 'clustering' as never })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
