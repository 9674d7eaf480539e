// What the two files of pipeline processes share (pipeline-processes.test.ts on a local folder,
// pipeline-processes-gcs.test.ts on the GCS fake and in PID namespaces): the processes, the
// checks, and the cases both stores run. Two files, so that the two halves run side by side.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { listRuns } from '../../src/runs/read-runs.js';
import { readVersionClaim } from '../../src/records/pipeline-records.js';
import type { Store } from '../../src/store/types.js';
import {
  ALL,
  PROJECT,
  pidNamespaceWrap,
  runsByVersion,
  starts,
  writePipelineFolder,
} from '../support/pipeline-fixture.js';
import { processGroupOf } from '../support/processes.js';
import {
  cliSandbox,
  isAlive,
  startCli,
  waitFor,
  type CliProcess,
} from '../sweeps/sweep-helpers.js';

/**
 * Both processes ran some of the `total` versions, by what each printed: the work was shared,
 * not done twice or one process after the other.
 */
export function expectWorkShared(processes: readonly CliProcess[], total: number): void {
  const ranHere = processes.map((running) =>
    Number(/(\d+) versions? run/.exec(running.stdout)?.[1] ?? -1),
  );
  expect(ranHere.reduce((sum, count) => sum + count, 0)).toBe(total);
  for (const count of ranHere) expect(count).toBeGreaterThan(0);
}

/** The helpers of one test file, with its own sandbox folder (cleaned up after the file). */
export function pipelineProcesses(prefix: string) {
  const sandbox = cliSandbox(prefix);

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
    { ownProcessGroup = false }: { ownProcessGroup?: boolean } = {},
  ): CliProcess {
    const running = startCli(['pipeline', '-r', '--store', store.url], {
      cwd: folder,
      env: { PIPELINE_RAN_FILE: ranFile, ML_TRACKING_HEARTBEAT_SECONDS: '0.5', ...env },
      ownProcessGroup,
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
      expectWorkShared(processes, ALL.length);
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

    // A machine that stops (a paused VM, a frozen container, a long GC) outlives its lease while
    // it is alive: pids say nothing, only the lease does. Awake, it must stop its copy at its next
    // renewal instead of training the version a second time.
    it('a process paused past its lease, then resumed: its version is taken over once, and the paused copy stops', async () => {
      const store = await open();
      const { folder, ranFile } = await pipelineFolder();
      // Its versions would take a minute: one ends sooner only if it is stopped.
      const paused = pipeline(
        store,
        folder,
        ranFile,
        { ...env(), SLOW_VERSION_MS: '60000' },
        { ownProcessGroup: true },
      );
      const taken = await waitFor('the paused process to start a version', () =>
        modelRunningIn(store, ranFile, paused.child.pid!),
      );
      const model = (await starts(ranFile)).get(taken)![0]!;
      // The whole machine stops: the pipeline's process group and its model's.
      const modelGroup = processGroupOf(model);
      process.kill(-paused.child.pid!, 'SIGSTOP');
      process.kill(-modelGroup, 'SIGSTOP');
      try {
        const taker = pipeline(store, folder, ranFile, { ...env(), SLOW_VERSION_MS: '300' });
        expect(await taker.exited, taker.stderr).toBe(0);
        const [scriptName = '', version = ''] = taken.split(':');
        const claim = (await readVersionClaim(store, PROJECT, scriptName, version))?.claim;
        expect(claim).toMatchObject({ attempt: 2, state: 'done' });
        expect(claim?.agent.endsWith(`:${taker.child.pid}`)).toBe(true);
      } finally {
        process.kill(-modelGroup, 'SIGCONT');
        process.kill(-paused.child.pid!, 'SIGCONT');
      }
      await waitFor('the paused copy of the version to stop', () => !isAlive(model), 20_000);
      expect(await paused.exited, paused.stderr).toBe(0);
      // It says why it stopped: neither a failure of the version nor an interruption.
      expect(paused.stderr).toMatch(
        new RegExp(`^${taken} lost in .*taken over by another process`, 'm'),
      );
      expect(paused.stdout).toContain('1 taken over by another process');
      // Its run stays lost (its late writes are fenced), the taker's finished; nothing else ran twice.
      await expectEachVersionFinishedOnce(store, ranFile, taken);
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

  return {
    sandbox,
    pipelineFolder,
    pipeline,
    modelRunningIn,
    expectEachVersionFinishedOnce,
    sharedPipelineTests,
    pipelineInNamespace,
  };
}
