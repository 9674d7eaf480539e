// `ml-tracking pipeline -r` as several processes run it: two sharing one pipeline run every
// version exactly once; one killed mid-version (SIGKILL: nothing closed) leaves a version that the
// other, or the next start, runs again; Ctrl-C gives the running version back. On a local folder (the
// GCS fake and PID namespaces: pipeline-processes-gcs.test.ts). Every version appends a line to a file as it starts, so "ran twice" is
// counted by the models themselves, not inferred from the store. Needs the built CLI.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVersionClaim } from '../../src/records/pipeline-records.js';
import { openStore } from '../../src/store/open-store.js';
import { PROJECT, runsByVersion } from '../support/pipeline-fixture.js';
import { waitFor } from '../sweeps/sweep-helpers.js';
import { pipelineProcesses } from './_pipeline-processes.js';

const {
  sandbox,
  pipelineFolder,
  pipeline,
  modelRunningIn,
  expectEachVersionFinishedOnce,
  sharedPipelineTests,
} = pipelineProcesses('ml-tracking-pipeline-processes-');
let stores = 0;

describe('several pipeline processes on one store', () => {
  describe('local folder', () => {
    sharedPipelineTests(
      () => openStore(join(sandbox.folder, `store-${(stores += 1)}`)),
      () => ({}),
    );

    it('resumes after a kill: finished versions are skipped, the killed one runs again', async () => {
      const store = await openStore(join(sandbox.folder, 'store-resume'));
      const { folder, ranFile } = await pipelineFolder();
      // The second version of alpha takes a minute: the process is killed in it.
      const first = pipeline(store, folder, ranFile, { SLOW_VERSION: 'alpha:v2' });
      // Generous: on a busy machine the process starts, describes both scripts and runs alpha:v1
      // first (a busy CI took over 20 s).
      await waitFor(
        'alpha:v2 to start',
        async () => (await modelRunningIn(store, ranFile, first.child.pid!)) === 'alpha:v2',
        60_000,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const second = pipeline(store, folder, ranFile, { SLOW_VERSION_MS: '100' });
      expect(await second.exited, second.stderr).toBe(0);
      // It did not wait four heartbeats: on this host a dead pid is a lost run at once.
      expect(second.stderr).not.toContain('waiting for other processes');
      expect(second.stderr).toContain('alpha:v1 skipped: it finished before');
      await expectEachVersionFinishedOnce(store, ranFile, 'alpha:v2');

      // A third start has nothing left to do.
      const third = pipeline(store, folder, ranFile);
      expect(await third.exited, third.stderr).toBe(0);
      expect(third.stdout).toContain('0 versions run');
    }, 90_000);

    it('Ctrl-C stops the running version and gives it back: the next start runs it as new', async () => {
      const store = await openStore(join(sandbox.folder, 'store-interrupt'));
      const { folder, ranFile } = await pipelineFolder();
      const first = pipeline(store, folder, ranFile, { SLOW_VERSION_MS: '60000' });
      const interrupted = await waitFor('the first version to start', () =>
        modelRunningIn(store, ranFile, first.child.pid!),
      );
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(130);
      const [scriptName = '', version = ''] = interrupted.split(':');
      expect((await readVersionClaim(store, PROJECT, scriptName, version))?.claim?.state).toBe(
        'released',
      );
      const failed = (await runsByVersion(store)).get(interrupted);
      expect(failed?.map((run) => [run.status, run.error])).toEqual([['failed', 'interrupted']]);

      const second = pipeline(store, folder, ranFile, { SLOW_VERSION_MS: '100' });
      expect(await second.exited, second.stderr).toBe(0);
      const runs = (await runsByVersion(store))
        .get(interrupted)
        ?.map((run) => run.status)
        .sort();
      expect(runs).toEqual(['failed', 'finished']);
      // Given back, it was taken as a new attempt.
      expect((await readVersionClaim(store, PROJECT, scriptName, version))?.claim).toMatchObject({
        attempt: 2,
        state: 'done',
      });
    }, 90_000);
  });
});
