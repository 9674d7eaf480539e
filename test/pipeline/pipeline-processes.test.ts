// `ml-tracking pipeline -r` as several processes run it: two sharing one pipeline run every
// version exactly once; one killed mid-version (SIGKILL: nothing closed) leaves a version that the
// other, or the next start, runs again; Ctrl-C gives the running version back. On a local folder
// and on the GCS fake. Every version appends a line to a file as it starts, so "ran twice" is
// counted by the models themselves, not inferred from the store. Needs the built CLI.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src/runs/read-runs.js';
import { readVersionClaim } from '../../src/records/pipeline-records.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import {
  ALL,
  canUnsharePid,
  PROJECT,
  pidNamespaceWrap,
  runsByVersion,
  starts,
  writePipelineFolder,
} from '../support/pipeline-fixture.js';
import {
  cliSandbox,
  isAlive,
  startCli,
  waitFor,
  type CliProcess,
} from '../sweeps/sweep-helpers.js';

const sandbox = cliSandbox('ml-tracking-pipeline-processes-');

let folders = 0;

/** A pipeline folder of the test's own (see test/support/pipeline-fixture.ts). */
async function pipelineFolder(): Promise<{ folder: string; ranFile: string }> {
  folders += 1;
  return writePipelineFolder(join(sandbox.folder, `pipeline-${folders}`));
}

function pipeline(
  store: Store,
  folder: string,
  ranFile: string,
  env: Record<string, string> = {},
): CliProcess {
  const running = startCli(['pipeline', '-r', '--store', store.url], {
    cwd: folder,
    env: { PIPELINE_RAN_FILE: ranFile, ML_TRACKING_HEARTBEAT_SECONDS: '0.5', ...env },
  });
  sandbox.started.push(running);
  return running;
}

/** The version a pipeline process is running now (its model has started), from the store. */
async function versionRunningIn(store: Store, pid: number): Promise<string | undefined> {
  for (const name of ALL) {
    const [scriptName = '', version = ''] = name.split(':');
    const stored = await readVersionClaim(store, PROJECT, scriptName, version);
    const claim = stored?.claim;
    if (claim?.agent.endsWith(`:${pid}`) !== true) continue;
    const runs = await listRuns({ store, project: PROJECT });
    const run = runs.find((each) => each.id === claim.runId);
    if (run?.status === 'running') return name;
  }
  return undefined;
}

/** The version a pipeline process runs whose model has started (its line is in the file). */
async function modelRunningIn(store: Store, ranFile: string, pid: number) {
  const version = await versionRunningIn(store, pid);
  return version !== undefined && (await starts(ranFile)).has(version) ? version : undefined;
}

/**
 * Every version ran to a finished run exactly once, except `lost`: that one started twice and
 * has a lost run beside its finished one.
 */
async function expectEachVersionFinishedOnce(store: Store, ranFile: string, lost?: string) {
  const started = await starts(ranFile);
  const runs = await runsByVersion(store);
  expect([...runs.keys()].sort()).toEqual(ALL);
  for (const name of ALL) {
    const statuses = (runs.get(name) ?? []).map((run) => run.status).sort();
    if (name === lost) {
      expect(statuses, name).toEqual(['finished', 'lost']);
      expect(started.get(name), name).toHaveLength(2);
    } else {
      expect(statuses, name).toEqual(['finished']);
      expect(started.get(name), name).toHaveLength(1);
    }
  }
}

function sharedPipelineTests(open: () => Promise<Store>, env: () => Record<string, string>) {
  it('two processes share one pipeline: every version runs once, and both took some', async () => {
    const store = await open();
    const { folder, ranFile } = await pipelineFolder();
    const processes = [0, 1].map(() =>
      pipeline(store, folder, ranFile, { ...env(), SLOW_VERSION_MS: '600' }),
    );
    for (const running of processes) expect(await running.exited, running.stderr).toBe(0);
    await expectEachVersionFinishedOnce(store, ranFile);
    // Both processes ran some of the versions: the work was shared, not done twice or serialised.
    const ranHere = processes.map((running) =>
      Number(/(\d+) versions? run/.exec(running.stdout)?.[1] ?? -1),
    );
    expect(ranHere[0]! + ranHere[1]!).toBe(ALL.length);
    for (const count of ranHere) expect(count).toBeGreaterThan(0);
  }, 90_000);

  it('a process killed mid-version: the other runs that version again', async () => {
    const store = await open();
    const { folder, ranFile } = await pipelineFolder();
    // The victim's versions take a minute: it is surely killed in the middle of one.
    const victim = pipeline(store, folder, ranFile, { ...env(), SLOW_VERSION_MS: '60000' });
    const lost = await waitFor('the victim to start a version', () =>
      modelRunningIn(store, ranFile, victim.child.pid!),
    );
    const survivor = pipeline(store, folder, ranFile, { ...env(), SLOW_VERSION_MS: '300' });
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    expect(await survivor.exited, survivor.stderr).toBe(0);
    await expectEachVersionFinishedOnce(store, ranFile, lost);
    // The lost version's claim was taken over: attempt 2, by the survivor.
    const [scriptName = '', version = ''] = lost.split(':');
    const claim = (await readVersionClaim(store, PROJECT, scriptName, version))?.claim;
    expect(claim).toMatchObject({ attempt: 2 });
    expect(claim?.agent.endsWith(`:${survivor.child.pid}`)).toBe(true);
    // The orphaned model process went with its pipeline (its output pipe closed).
    const orphan = (await starts(ranFile)).get(lost)?.[0];
    await waitFor('the killed version process to end', () => !isAlive(orphan!), 10_000);
  }, 90_000);
}

/**
 * `pipeline -r` in a PID namespace of its own, as in a container (see `pidNamespaceWrap`):
 * `padding` makes the two sandboxes' pipeline processes get different pids.
 */
function pipelineInNamespace(
  store: Store,
  folder: string,
  ranFile: string,
  padding: number,
): CliProcess {
  const running = startCli(['pipeline', '-r', '--store', store.url], {
    cwd: folder,
    env: {
      PIPELINE_RAN_FILE: ranFile,
      ML_TRACKING_HEARTBEAT_SECONDS: '0.5',
      SLOW_VERSION_MS: '600',
    },
    wrap: pidNamespaceWrap(padding),
  });
  sandbox.started.push(running);
  return running;
}

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
  describe('local folder', () => {
    sharedPipelineTests(
      () => openStore(join(sandbox.folder, `store-${folders + 1}`)),
      () => ({}),
    );

    it('resumes after a kill: finished versions are skipped, the killed one runs again', async () => {
      const store = await openStore(join(sandbox.folder, 'store-resume'));
      const { folder, ranFile } = await pipelineFolder();
      // The second version of alpha takes a minute: the process is killed in it.
      const first = pipeline(store, folder, ranFile, { SLOW_VERSION: 'alpha:v2' });
      await waitFor(
        'alpha:v2 to start',
        async () => (await modelRunningIn(store, ranFile, first.child.pid!)) === 'alpha:v2',
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
