// Shared by the sweep tests: the trial fixtures, copies of them with a changed configuration,
// the built CLI as a child process, and polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { listRuns } from '../../src/runs/read-runs.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import type { Store } from '../../src/store/types.js';
import type { HeldClaim } from '../../src/records/claims.js';
import { listTrialClaims, type TrialClaim } from '../../src/records/sweep-records.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { BUILT_CLI } from '../support/programs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `test/fixtures/sweep-trials/<name>/`: a trial script and its experiment_cfg.json. */
export const trialFixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/sweep-trials/${name}/`, import.meta.url));

/** The fixture's configuration path. */
export const fixtureConfig = (name: string): string =>
  join(trialFixture(name), 'experiment_cfg.json');

/** The fixture's configuration, parsed (the file's own snake_case keys). */
export async function readFixtureConfig(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(fixtureConfig(name), 'utf8')) as Record<string, unknown>;
}

/**
 * Copies a fixture into `folder` with its configuration changed by `change` (keys set to
 * `undefined` are removed); resolves the copy's experiment_cfg.json.
 */
export function copyFixture(
  name: string,
  folder: string,
  change: Record<string, unknown> = {},
): Promise<string> {
  return copySweepFolder(trialFixture(name), folder, change);
}

/**
 * `test/fixtures/sweeps/rungs/`: a trial that reports its metric at every step, for the rules of
 * `early_terminate` and TPE's history.
 */
export const RUNGS_FIXTURE = fileURLToPath(new URL('../fixtures/sweeps/rungs/', import.meta.url));

/** {@link copyFixture} for any sweep folder `source` (a trial script and its experiment_cfg.json). */
export async function copySweepFolder(
  source: string,
  folder: string,
  change: Record<string, unknown> = {},
): Promise<string> {
  await cp(source, folder, { recursive: true });
  const path = join(folder, 'experiment_cfg.json');
  const config = { ...(JSON.parse(await readFile(path, 'utf8')) as object), ...change };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Polls `check` every 50 ms until it resolves a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a process with this pid exists (a zombie counts as gone only once reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids trials wrote under `folder`, in it or below (`trial-<n>[-<pid>].pid`). */
export async function trialPids(folder: string): Promise<{ trial: number; pid: number }[]> {
  const names = (await readdir(folder, { recursive: true })).filter((name) =>
    name.endsWith('.pid'),
  );
  return Promise.all(
    names.map(async (name) => ({
      trial: Number(/(?:^|\/)trial-(\d+)/.exec(name)?.[1]),
      pid: Number(await readFile(join(folder, name), 'utf8')),
    })),
  );
}

/** The sweep's runs grouped by trial number. */
export async function runsByTrial(
  store: Store,
  sweepId: string,
): Promise<Map<number, RunRecord[]>> {
  const byTrial = new Map<number, RunRecord[]>();
  for (const run of await listRuns({ store, sweep: sweepId })) {
    const trial = run.trial ?? -1;
    byTrial.set(trial, [...(byTrial.get(trial) ?? []), run]);
  }
  return byTrial;
}

/** `node dist/cli/main.js …` (run `npm run build` first), with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
}

export { BUILT_CLI };

/**
 * Starts the built CLI; stdin is closed, ML_TRACKING_STORE unset unless `env` sets it.
 * `ownProcessGroup` makes it the leader of a new process group, as a shell makes a foreground
 * job: `process.kill(-pid, 'SIGINT')` is then what Ctrl-C in a terminal does.
 */
export function startCli(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    ownProcessGroup?: boolean;
    /** A command that runs the CLI as its last arguments (e.g. `unshare … sh -c …`). */
    wrap?: string[];
  } = {},
): CliProcess {
  const [program, ...wrapArgs] = options.wrap ?? [process.execPath];
  const argv =
    options.wrap === undefined
      ? [BUILT_CLI, ...args]
      : [...wrapArgs, process.execPath, BUILT_CLI, ...args];
  const child = spawn(program!, argv, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ML_TRACKING_STORE: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Whether the process exits within `ms` (it is left running otherwise). */
export function exitsWithin(running: CliProcess, ms: number): Promise<boolean> {
  return Promise.race([
    running.exited.then(() => true),
    new Promise<false>((resolve) => {
      setTimeout(() => {
        resolve(false);
      }, ms);
    }),
  ]);
}

/** Runs the built CLI to its end. */
export async function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  const running = startCli(args, options);
  const code = await running.exited;
  return { code, stdout: running.stdout, stderr: running.stderr };
}

/**
 * Kills what a run of CLI processes left behind: the processes in `started` (emptied), then the
 * trials whose pid files are under `folder`, which run in their own process groups.
 */
export async function killLeftovers(folder: string, started: CliProcess[]): Promise<void> {
  for (const running of started.splice(0)) running.child.kill('SIGKILL');
  for (const { pid } of await trialPids(folder).catch(() => [])) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/**
 * A temporary folder for a test file, and the CLI processes its tests start: after each test,
 * whatever a failed test left running is killed (agents, then trials, which run in their own
 * process groups); after the file, the folder is removed.
 */
export function cliSandbox(prefix: string): { readonly folder: string; started: CliProcess[] } {
  const sandbox = { folder: '', started: [] as CliProcess[] };
  beforeAll(async () => {
    sandbox.folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(() => killLeftovers(sandbox.folder, sandbox.started));
  // Retries: a writer that a failed test left behind may still be finishing a file there.
  afterAll(() => rm(sandbox.folder, { recursive: true, force: true, maxRetries: 5 }));
  return sandbox;
}

/** A sweep's readable claims by trial number. */
export async function claimsByTrial(
  store: Store,
  sweepId: string,
): Promise<Map<number, HeldClaim<TrialClaim>>> {
  const byTrial = new Map<number, HeldClaim<TrialClaim>>();
  for (const stored of await listTrialClaims(store, sweepId)) {
    if (stored.claim !== undefined)
      byTrial.set(stored.claim.trial, { ...stored, claim: stored.claim });
  }
  return byTrial;
}

let slowSweeps = 0;

/**
 * A sweep of `trials` trials of the `slow` fixture, created on `store`, in its own folder of the
 * sandbox; its trials write their pids into the `pids` folder it returns.
 */
export async function slowSweep(
  sandbox: { readonly folder: string },
  store: Store,
  trials: number,
): Promise<{ sweepId: string; pids: string }> {
  slowSweeps += 1;
  const folder = join(sandbox.folder, `slow-sweep-${slowSweeps}`);
  const configPath = await copyFixture('slow', folder, { max_runs: trials });
  const pids = join(folder, 'pids');
  await mkdir(pids);
  const { sweepId } = await createSweep({ config: configPath, store });
  return { sweepId, pids };
}
