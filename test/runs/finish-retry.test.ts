import { describe, expect, it } from 'vitest';
import {
  getRun,
  openStore,
  readScalars,
  startRun,
  StoreError,
  type Store,
} from '../../src/index.js';

/** A memory store whose writes of run records fail while `failing` is set. */
async function flakyStore(
  name: string,
): Promise<{ store: Store; setFailing: (on: boolean) => void }> {
  const real = await openStore(`memory://${name}`);
  let failing = false;
  const store: Store = {
    ...real,
    write: (path, data, options) =>
      failing && path.startsWith('runs/')
        ? Promise.reject(new StoreError('injected', { operation: 'write', store: real.url, path }))
        : real.write(path, data, options),
  };
  return {
    store,
    setFailing: (on) => {
      failing = on;
    },
  };
}

describe('finish()', () => {
  it('can be called again after its final write failed, and then records the ending', async () => {
    const { store, setFailing } = await flakyStore('finish-retry');
    const run = await startRun({ project: 'retry', store, closeOnExit: false });
    for (let step = 0; step < 5; step += 1) run.addScalar('loss', 1 / (step + 1));
    setFailing(true);
    await expect(run.finish()).rejects.toThrow('injected');
    expect((await getRun(run.id, { store })).status).toBe('running');
    // The run is closed for new points, but its ending can still be written.
    expect(() => {
      run.addScalar('loss', 0);
    }).toThrow(/has finished/);
    setFailing(false);
    const record = await run.finish();
    expect(record.status).toBe('finished');
    expect((await getRun(run.id, { store })).status).toBe('finished');
    expect([...(await readScalars(run.id, { store })).loss!.step]).toEqual([0, 1, 2, 3, 4]);
  });
});
