import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { expectedWorkerRows, runNodeProgramOk } from '../support/processes.js';

const WORKERS = 8;
const ROWS_EACH = 25;

async function appendFromProcesses(
  storeUrl: string,
  path: string,
  env: Record<string, string> = {},
) {
  await Promise.all(
    Array.from({ length: WORKERS }, (_, worker) =>
      runNodeProgramOk(
        'test/support/append-worker.ts',
        [storeUrl, path, String(worker), String(ROWS_EACH)],
        env,
      ),
    ),
  );
}

function expectEveryRowOnceAndIntact(content: string) {
  const lines = content.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(WORKERS * ROWS_EACH);
  expect(new Set(lines)).toEqual(expectedWorkerRows(WORKERS, ROWS_EACH));
}

describe(`${WORKERS} processes × ${ROWS_EACH} appends to one object`, () => {
  let root: string;
  let fake: GcsFake;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-concurrency-'));
    fake = await startGcsFake();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await fake.stop();
  });

  it('local folder: every row written exactly once, none interleaved', async () => {
    await appendFromProcesses(root, 'projects/classification/race_20261124_1.csv');
    const store = await openStore(root);
    expectEveryRowOnceAndIntact(
      await store.readText('projects/classification/race_20261124_1.csv'),
    );
  }, 120_000);

  it('GCS (fake server with preconditions and compose): every row written exactly once', async () => {
    await appendFromProcesses(
      'gs://race-bucket/tracking',
      'projects/regression/race_20261124_1.csv',
      {
        STORAGE_EMULATOR_HOST: fake.host,
      },
    );
    const object = fake
      .objects('race-bucket')
      .get('tracking/projects/regression/race_20261124_1.csv');
    expectEveryRowOnceAndIntact(Buffer.from(object?.data ?? new Uint8Array()).toString('utf8'));
    // Parts are removed once composed.
    expect(
      [...fake.objects('race-bucket').keys()].filter((name) => name.includes('append-parts')),
    ).toEqual([]);
  }, 180_000);

  it('GCS with injected 503s, 429s and dropped connections: still every row exactly once', async () => {
    fake.injectFault({ status: 503, times: 10 });
    fake.injectFault({ status: 429, times: 5 });
    fake.injectFault({ status: 'reset', times: 5 });
    fake.injectFault({ operation: 'compose', status: 412, times: 5 });
    await appendFromProcesses('gs://race-bucket/faulty', 'rows.csv', {
      STORAGE_EMULATOR_HOST: fake.host,
    });
    const object = fake.objects('race-bucket').get('faulty/rows.csv');
    expectEveryRowOnceAndIntact(Buffer.from(object?.data ?? new Uint8Array()).toString('utf8'));
  }, 180_000);
});
