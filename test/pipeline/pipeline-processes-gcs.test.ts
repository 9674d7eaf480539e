// `ml-tracking pipeline -r` as several processes run it, on the GCS fake (two sharing one
// pipeline, one killed mid-version) and in two PID namespaces with one host name, as containers
// are. The local folder's cases are in pipeline-processes.test.ts. Needs the built CLI.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { canUnsharePid } from '../support/pipeline-fixture.js';
import { pipelineProcesses } from './_pipeline-processes.js';

const {
  sandbox,
  pipelineFolder,
  expectEachVersionFinishedOnce,
  sharedPipelineTests,
  pipelineInNamespace,
} = pipelineProcesses('ml-tracking-pipeline-processes-gcs-');

const canUnshare = canUnsharePid();

describe('pipeline processes in two PID namespaces with one host name (containers)', () => {
  if (!canUnshare) {
    it.skip('needs `unshare --pid --fork --mount-proc` (root, util-linux): not available here', () =>
      undefined);
    return;
  }
  it('take nothing from each other: a pid from another namespace is no evidence', async () => {
    const store = await openStore(join(sandbox.folder, 'store-namespaces'));
    const { folder, ranFile } = await pipelineFolder();
    const processes = [1, 4].map((padding) => pipelineInNamespace(store, folder, ranFile, padding));
    for (const running of processes) expect(await running.exited, running.stderr).toBe(0);
    // Every version ran once and finished: none taken from a live neighbour, none marked lost.
    await expectEachVersionFinishedOnce(store, ranFile);
  }, 90_000);
});

describe('several pipeline processes on one store', () => {
  describe('GCS (fake server with preconditions)', () => {
    let fake: GcsFake;
    let stores = 0;
    beforeAll(async () => {
      fake = await startGcsFake();
    });
    afterAll(() => fake.stop());
    sharedPipelineTests(
      () => {
        stores += 1;
        return openStore(`gs://pipeline-shared/run-${stores}`, { storage: fake.createClient() });
      },
      () => ({ STORAGE_EMULATOR_HOST: fake.host }),
    );
  });
});
