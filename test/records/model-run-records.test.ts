/*
 * A trainModel run's model_runs row is written once, also when the store lost the answer of the
 * write that committed it: the retry finds its own row (issue 18: every read-modify-write commit
 * is idempotent by a key its writer owns). Memory, a local folder and the GCS fake.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import {
  readModelRun,
  storeArtifact,
  writeModelRun,
  type ModelRunRow,
} from '../../src/records/model-run-records.js';
import type { Store } from '../../src/store/types.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore, openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

const aRow = (runId: string, seed = 7): ModelRunRow => ({
  runId,
  project: 'soil',
  kind: 'classification',
  modelClass: 'Forest',
  hyperparameters: { trees: 20 },
  datasetClass: 'Iris',
  datasetParams: {},
  testFraction: 0.25,
  seed,
  metrics: { accuracy: 0.9 },
  predictionId: 'p-1',
  artifacts: { dataset: 'artifacts/sha256/abc' },
  startTime: new Date('2026-12-01T10:00:00Z'),
  endTime: new Date('2026-12-01T10:01:00Z'),
});

for (const kind of ['memory', 'local', 'gcs-fake'] as const) {
  describe(`model_runs rows on ${kind}`, () => {
    let subject: RunStoreSubject;
    beforeAll(async () => {
      subject = await openRunStore(kind);
    });
    afterAll(() => subject.close());

    it('writing the same row again is a no-op; another row for the run is a ConflictError', async () => {
      const runId = `run-${randomUUID().slice(0, 8)}`;
      await writeModelRun(subject.store, aRow(runId));
      const before = await subject.store.stat(`model_runs/${runId}.csv`);
      await writeModelRun(subject.store, aRow(runId));
      await expect(writeModelRun(subject.store, aRow(runId, 8))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await subject.store.stat(`model_runs/${runId}.csv`)).toEqual(before);
      expect((await readModelRun(subject.store, runId))?.seed).toBe(7);
    });
  });
}

describe('model_runs rows and artifacts on the GCS fake losing the answer after commit', () => {
  let fake: GcsFake;
  let store: Store;
  beforeAll(async () => {
    fake = await startGcsFake();
    // A store that gives up at the first lost answer: the commit itself must settle it.
    store = await openFakeStore(fake, randomUUID(), {
      retry: { attempts: 1, minDelayMs: 1, maxDelayMs: 1 },
    });
  });
  afterAll(async () => {
    await store.close();
    await fake.stop();
  });

  it('writeModelRun resolves and the row is there once', async () => {
    const runId = `run-${randomUUID().slice(0, 8)}`;
    fake.injectFault({ operation: 'upload', status: 503, when: 'after' });
    await writeModelRun(store, aRow(runId));
    expect(fake.pendingFaults()).toBe(0);
    expect((await readModelRun(store, runId))?.runId).toBe(runId);
  });

  it('storeArtifact stores the bytes under their hash; asked again, finds them', async () => {
    const bytes = new TextEncoder().encode(`data ${randomUUID()}`);
    const first = await storeArtifact(store, bytes, 'application/json');
    expect(first.created).toBe(true);
    const second = await storeArtifact(store, bytes, 'application/json');
    expect(second).toEqual({ ...first, created: false });
  });
});
