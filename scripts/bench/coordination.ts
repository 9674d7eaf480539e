// npm run bench -- coordination: exactly-once work under the faults of real fleets (issue 18),
// each scenario run for real, on a local folder and on the GCS fake, and counted afterwards.
//
// - Sweeps (the built CLI's `sweep agent`, trials from test/fixtures/sweep-trials/slow/): agents
//   whose clocks are 60 s ahead and behind; an agent paused (SIGSTOP) past its lease, then
//   resumed; SIGTERM to one agent of three; SIGKILL of an agent mid-trial.
// - Pipelines (`pipeline -r`, test/support/pipeline-fixture.ts): two processes in separate PID
//   namespaces with one host name; a process SIGKILLed mid-version.
// - A training process (test/support/run-workers/training-worker.ts) that adds 1000 points and
//   ends without finish(): process.exit(0), process.exit(3), an uncaught exception, an unhandled
//   rejection; on GCS, `ml-tracking sync` then uploads the journal.
// - Six concurrent Experiment.run of one model, on GCS with half of all uploads losing their
//   answer after the commit, for onDuplicate 'duplicate' and 'error'.
//
// Every figure is counted from the store (run records, claims, scalars, tracker rows) and from
// what the work itself wrote down (a trial's pid file, a pipeline model's ran-file line), never
// assumed. Heavier variants of the same scenarios are the tests' (ML_TRACKING_HEAVY_FAULTS=1).
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DuplicateModelError,
  getRun,
  listRuns,
  ModelTracker,
  openStore,
  readScalars,
  type OnDuplicate,
  type RunRecord,
  type Store,
} from '../../src/index.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import { readVersionClaim } from '../../src/records/pipeline-records.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { raceExperimentRuns } from '../../test/support/experiment-race.js';
import {
  lostUploadAnswers,
  startGcsFake,
  type GcsFake,
} from '../../test/support/gcs-fake/index.js';
import {
  ALL,
  canUnsharePid,
  PROJECT,
  pidNamespaceWrap,
  runsByVersion,
  starts,
  writePipelineFolder,
} from '../../test/support/pipeline-fixture.js';
import { bundleTestPrograms } from '../../test/support/bundle-programs.js';
import { processGroupOf, runNodeProgram } from '../../test/support/processes.js';
import {
  claimsByTrial,
  cli,
  copyFixture,
  isAlive,
  killLeftovers,
  runsByTrial,
  startCli,
  trialPids,
  waitFor,
  type CliProcess,
} from '../../test/sweeps/sweep-helpers.js';
import { skewedClock } from '../../test/support/skewed-clock.js';

type Row = Record<string, string | number>;

const TRAINING_WORKER = 'test/support/run-workers/training-worker.ts';
const POINTS = 1000;
const EXPERIMENT_RUNS = 6;
/** The training worker's ways of ending without finish(). */
const EXIT_LABELS = {
  'exit-0': 'process.exit(0)',
  'exit-3': 'process.exit(3)',
  throw: 'uncaught exception',
  reject: 'unhandled rejection',
} as const;

/** One store the scenarios run on, and what a child process needs to reach it. */
interface Target {
  name: string;
  /** A new, empty store. */
  open(): Promise<Store>;
  /** Another handle on a store, as another process would open it. */
  reopen(url: string): Promise<Store>;
  env: Record<string, string>;
  /** Set on the GCS fake: lost answers can be injected there. */
  fake?: GcsFake;
}

/** A count, or '–' where it does not apply (or the scenario could not run). */
type Count = number | '–';

/** What a scenario counted: one row of the table, less its scenario and store. */
interface Tally {
  work: string;
  done: Count;
  duplicates: Count;
  lost: Count;
  takeOvers: Count;
  notes: string;
}

interface Scenario {
  name: string;
  run(target: Target): Promise<Tally>;
}

const SCENARIOS: Scenario[] = [
  { name: 'clocks skewed ±60 s, 3 agents', run: clockSkew },
  { name: 'agent paused past its lease, resumed', run: pausedPastLease },
  { name: 'SIGTERM to one agent of three', run: sigtermOneOfThree },
  { name: 'SIGKILL of an agent mid-trial', run: sigkillMidTrial },
  { name: '2 pipeline processes, 2 PID namespaces', run: pipelinesInNamespaces },
  { name: 'pipeline process SIGKILLed mid-version', run: pipelineKilledMidVersion },
  ...(['exit-0', 'exit-3', 'throw', 'reject'] as const).map((mode) => ({
    name: `training process: ${EXIT_LABELS[mode]}`,
    run: (target: Target) => trainingExit(target, mode),
  })),
  ...(['duplicate', 'error'] as const).map((policy) => ({
    name: `${EXPERIMENT_RUNS} concurrent Experiment.run, onDuplicate '${policy}'`,
    run: (target: Target) => concurrentExperiments(target, policy),
  })),
];

/** The temporary folder of the benchmark and the processes it started, for clean-up. */
const sandbox = { folder: '', started: [] as CliProcess[], count: 0 };

/** A fresh folder under the sandbox. */
async function freshFolder(name: string): Promise<string> {
  sandbox.count += 1;
  const folder = join(sandbox.folder, `${name}-${sandbox.count}`);
  await mkdir(folder, { recursive: true });
  return folder;
}

/**
 * Every scenario on a local folder and on the GCS fake; one row per scenario and store, and a
 * last row with the sums.
 */
export async function coordinationBenchmark(): Promise<Row[]> {
  sandbox.folder = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-coordination-'));
  // The training worker runs as the tests run it, bundled against dist/ (which `npm run bench` built).
  const removeBundles = await bundleTestPrograms();
  const fake = await startGcsFake();
  const targets: Target[] = [
    {
      name: 'local folder',
      open: async () => openStore(await freshFolder('store')),
      reopen: (url) => openStore(url),
      env: {},
    },
    {
      name: 'GCS fake',
      // Not test/runs/_run-stores.ts: it loads the firebase emulator, which `npm test` installs.
      open: () =>
        openStore(`gs://bench-coordination/run-${(sandbox.count += 1)}`, {
          storage: fake.createClient(),
        }),
      reopen: (url) => openStore(url, { storage: fake.createClient() }),
      env: { STORAGE_EMULATOR_HOST: fake.host },
      fake,
    },
  ];
  const rows: Row[] = [];
  try {
    for (const scenario of SCENARIOS) {
      for (const target of targets) {
        const began = performance.now();
        const tally = await attempt(scenario, target);
        // Progress on stderr: the table alone goes to stdout.
        const seconds = ((performance.now() - began) / 1000).toFixed(1);
        process.stderr.write(`coordination: ${scenario.name}, ${target.name}: ${seconds} s\n`);
        rows.push({ scenario: scenario.name, store: target.name, ...tallyCells(tally) });
      }
    }
  } finally {
    await fake.stop();
    removeBundles();
    await rm(sandbox.folder, { recursive: true, force: true });
  }
  const total = (key: string) =>
    rows.reduce((sum, row) => sum + (typeof row[key] === 'number' ? row[key] : 0), 0);
  rows.push({
    scenario: 'all',
    store: '',
    work: `${rows.length} scenarios`,
    done: '',
    duplicates: total('duplicates'),
    lost: total('lost'),
    'take-overs': total('take-overs'),
    notes: '',
  });
  return rows;
}

const notCounted = (work: string, notes: string): Tally => ({
  work,
  done: '–',
  duplicates: '–',
  lost: '–',
  takeOvers: '–',
  notes,
});

/** Runs one scenario; a scenario that throws is a row that says so, not the end of the table. */
async function attempt(scenario: Scenario, target: Target): Promise<Tally> {
  try {
    return await scenario.run(target);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return notCounted('', `did not complete: ${message}`);
  } finally {
    await killLeftovers(sandbox.folder, sandbox.started);
  }
}

function tallyCells(tally: Tally): Row {
  return {
    work: tally.work,
    done: tally.done,
    duplicates: tally.duplicates,
    lost: tally.lost,
    'take-overs': tally.takeOvers,
    notes: tally.notes,
  };
}

// ---- Sweeps ---------------------------------------------------------------------------------

/** A sweep of `trials` slow trials, and the folder its trials write their pid files to. */
async function slowSweep(store: Store, trials: number) {
  const folder = await freshFolder('sweep');
  const configPath = await copyFixture('slow', join(folder, 'trials'), { max_runs: trials });
  const pids = join(folder, 'pids');
  await mkdir(pids);
  const { sweepId } = await createSweep({ config: configPath, store });
  return { sweepId, pids };
}

/** `sweep agent` in a process group of its own (so that a whole machine can be paused). */
function agent(
  target: Target,
  store: Store,
  sweep: { sweepId: string; pids: string },
  env: Record<string, string>,
): CliProcess {
  const running = startCli(['sweep', 'agent', sweep.sweepId, '--store', store.url, '--quiet'], {
    env: {
      SLOW_TRIAL_PID_DIR: sweep.pids,
      ML_TRACKING_HEARTBEAT_SECONDS: '0.4',
      ...target.env,
      ...env,
    },
    ownProcessGroup: true,
  });
  sandbox.started.push(running);
  return running;
}

/**
 * Counts a sweep from its runs, its claims and its trials' pid files: a trial is finished when
 * one of its runs is; a duplicate when more than one is, or when it started more often than it
 * was claimed; lost when none is.
 */
async function sweepTally(
  store: Store,
  sweep: { sweepId: string; pids: string },
  trials: number,
  notes: string[],
): Promise<Tally> {
  const runs = await runsByTrial(store, sweep.sweepId);
  const claims = await claimsByTrial(store, sweep.sweepId);
  const started = countBy((await trialPids(sweep.pids)).map(({ trial }) => trial));
  const units = Array.from({ length: trials }, (_, trial) => ({
    runs: runs.get(trial) ?? [],
    starts: started.get(trial) ?? 0,
    attempts: claims.get(trial)?.claim.attempt ?? 0,
  }));
  return {
    ...unitTally(`${trials} trials`, units),
    notes: [...otherRuns(units), ...notes].join('; '),
  };
}

interface Unit {
  runs: RunRecord[];
  /** Times the work itself says it started. */
  starts: number;
  /** The claim's attempt: 1, plus one per take-over. */
  attempts: number;
}

function unitTally(work: string, units: Unit[]): Omit<Tally, 'notes'> {
  const finishedRuns = (unit: Unit) => unit.runs.filter((run) => run.status === 'finished').length;
  return {
    work,
    done: units.filter((unit) => finishedRuns(unit) > 0).length,
    duplicates: units.filter((unit) => finishedRuns(unit) > 1 || unit.starts > unit.attempts)
      .length,
    lost: units.filter((unit) => finishedRuns(unit) === 0).length,
    takeOvers: units.reduce((sum, unit) => sum + Math.max(0, unit.attempts - 1), 0),
  };
}

/** The runs beside the finished ones, e.g. "runs of earlier attempts: 1 lost". */
function otherRuns(units: Unit[]): string[] {
  const statuses = units.flatMap((unit) =>
    unit.runs.filter((run) => run.status !== 'finished').map((run) => run.status),
  );
  if (statuses.length === 0) return [];
  const counts = [...countBy(statuses)].map(([status, count]) => `${count} ${status}`);
  return [`runs of earlier attempts: ${counts.join(', ')}`];
}

function countBy<T>(values: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** One agent on a right clock runs a slow trial while two whose clocks are ±60 s run the rest. */
async function clockSkew(target: Target): Promise<Tally> {
  const store = await target.open();
  const trials = 6;
  const sweep = await slowSweep(store, trials);
  const right = agent(target, store, sweep, { SLOW_TRIAL_SECONDS: '3' });
  await waitFor('the first trial to run', async () => (await trialPids(sweep.pids)).length === 1);
  const agents = [
    right,
    agent(target, store, sweep, { ...skewedClock(60_000), SLOW_TRIAL_SECONDS: '0.5' }),
    agent(target, store, sweep, { ...skewedClock(-60_000), SLOW_TRIAL_SECONDS: '0.5' }),
  ];
  const codes = await Promise.all(agents.map((running) => running.exited));
  return sweepTally(store, sweep, trials, [`agents exited ${codes.join(', ')}`]);
}

/**
 * An agent and its trial are stopped (SIGSTOP of both process groups, as a paused VM) past the
 * lease; another agent takes the trial over; then the paused ones are resumed.
 */
async function pausedPastLease(target: Target): Promise<Tally> {
  const store = await target.open();
  const trials = 2;
  const sweep = await slowSweep(store, trials);
  // Its trial would run for a minute: it ends sooner only if it is stopped.
  const paused = agent(target, store, sweep, { SLOW_TRIAL_SECONDS: '60' });
  const [first] = await waitFor('the first trial to run', async () => {
    const found = await trialPids(sweep.pids);
    return found.length === 1 && found;
  });
  const trialGroup = processGroupOf(first!.pid);
  process.kill(-paused.child.pid!, 'SIGSTOP');
  process.kill(-trialGroup, 'SIGSTOP');
  try {
    const taker = agent(target, store, sweep, { SLOW_TRIAL_SECONDS: '0.5' });
    await waitFor('the trial to be taken over', async () => {
      const claim = (await claimsByTrial(store, sweep.sweepId)).get(first!.trial)?.claim;
      return (claim?.attempt ?? 0) >= 2;
    });
    await taker.exited;
  } finally {
    process.kill(-trialGroup, 'SIGCONT');
    process.kill(-paused.child.pid!, 'SIGCONT');
  }
  const stopped = await waitFor('the paused copy to stop', () => !isAlive(first!.pid), 20_000)
    .then(() => 'yes')
    .catch(() => 'no, still running after 20 s');
  await paused.exited;
  return sweepTally(store, sweep, trials, [`paused copy stopped when resumed: ${stopped}`]);
}

/** Three agents share a sweep; the second gets SIGTERM while it runs a trial. */
async function sigtermOneOfThree(target: Target): Promise<Tally> {
  const store = await target.open();
  const trials = 6;
  const sweep = await slowSweep(store, trials);
  const agents = [0, 1, 2].map(() => agent(target, store, sweep, { SLOW_TRIAL_SECONDS: '1.5' }));
  const stopped = agents[1]!;
  await waitFor('the second agent to run a trial', async () => {
    for (const { claim } of (await claimsByTrial(store, sweep.sweepId)).values()) {
      if (claim.agent.endsWith(`:${stopped.child.pid}`) && claim.state === 'held') return true;
    }
    return false;
  });
  stopped.child.kill('SIGTERM');
  const codes = await Promise.all(agents.map((running) => running.exited));
  return sweepTally(store, sweep, trials, [`SIGTERMed agent exited ${codes[1]}`]);
}

/** Three agents share a sweep; the first, whose trials would take a minute, gets SIGKILL. */
async function sigkillMidTrial(target: Target): Promise<Tally> {
  const store = await target.open();
  const trials = 5;
  const sweep = await slowSweep(store, trials);
  const env = { ML_TRACKING_HEARTBEAT_SECONDS: '0.5' };
  const victim = agent(target, store, sweep, { ...env, SLOW_TRIAL_SECONDS: '60' });
  const survivors = [0, 1].map(() =>
    agent(target, store, sweep, { ...env, SLOW_TRIAL_SECONDS: '1.5' }),
  );
  const orphan = await waitFor('the victim to run a trial', async () => {
    const claims = await claimsByTrial(store, sweep.sweepId);
    const held = [...claims.values()].find(
      ({ claim }) => claim.agent.endsWith(`:${victim.child.pid}`) && claim.state === 'held',
    );
    const pids = await trialPids(sweep.pids);
    return held && pids.find(({ trial }) => trial === held.claim.trial);
  });
  victim.child.kill('SIGKILL');
  await Promise.all([victim.exited, ...survivors.map((running) => running.exited)]);
  const ended = await waitFor('the orphaned trial to end', () => !isAlive(orphan.pid), 10_000)
    .then(() => 'yes')
    .catch(() => 'no, still running after 10 s');
  return sweepTally(store, sweep, trials, [`its trial process ended with it: ${ended}`]);
}

// ---- Pipelines ------------------------------------------------------------------------------

function pipeline(
  target: Target,
  store: Store,
  pipelineFolder: { folder: string; ranFile: string },
  env: Record<string, string>,
  wrap?: string[],
): CliProcess {
  const running = startCli(['pipeline', '-r', '--store', store.url], {
    cwd: pipelineFolder.folder,
    env: {
      PIPELINE_RAN_FILE: pipelineFolder.ranFile,
      ML_TRACKING_HEARTBEAT_SECONDS: '0.5',
      ...target.env,
      ...env,
    },
    ...(wrap && { wrap }),
  });
  sandbox.started.push(running);
  return running;
}

/** Counts a pipeline from its runs, its version claims and the models' ran-file. */
async function pipelineTally(store: Store, ranFile: string, notes: string[]): Promise<Tally> {
  const runs = await runsByVersion(store);
  const started = await starts(ranFile);
  const units = await Promise.all(
    ALL.map(async (name) => {
      const [script = '', version = ''] = name.split(':');
      const claim = (await readVersionClaim(store, PROJECT, script, version))?.claim;
      return {
        runs: runs.get(name) ?? [],
        starts: started.get(name)?.length ?? 0,
        attempts: claim?.attempt ?? 0,
      };
    }),
  );
  return {
    ...unitTally(`${ALL.length} versions`, units),
    notes: [...otherRuns(units), ...notes].join('; '),
  };
}

/** Two `pipeline -r` with one host name, each in its own PID namespace, as two containers. */
async function pipelinesInNamespaces(target: Target): Promise<Tally> {
  if (!canUnsharePid()) {
    return notCounted(
      `${ALL.length} versions`,
      'skipped: `unshare --pid --fork --mount-proc` is not permitted here',
    );
  }
  const store = await target.open();
  const folder = await writePipelineFolder(await freshFolder('pipeline'));
  const processes = [1, 4].map((padding) =>
    pipeline(target, store, folder, { SLOW_VERSION_MS: '600' }, pidNamespaceWrap(padding)),
  );
  const codes = await Promise.all(processes.map((running) => running.exited));
  return pipelineTally(store, folder.ranFile, [`processes exited ${codes.join(', ')}`]);
}

/** A pipeline process whose versions take a minute is killed in one; another runs the rest. */
async function pipelineKilledMidVersion(target: Target): Promise<Tally> {
  const store = await target.open();
  const folder = await writePipelineFolder(await freshFolder('pipeline'));
  const victim = pipeline(target, store, folder, { SLOW_VERSION_MS: '60000' });
  // Alone on the pipeline, the first model that starts is the victim's.
  const [killedVersion, modelPids] = await waitFor(
    'the victim to start a version',
    async () => [...(await starts(folder.ranFile))][0],
  );
  const survivor = pipeline(target, store, folder, { SLOW_VERSION_MS: '300' });
  victim.child.kill('SIGKILL');
  await Promise.all([victim.exited, survivor.exited]);
  const ended = await waitFor('the killed version to end', () => !isAlive(modelPids[0]!), 10_000)
    .then(() => 'yes')
    .catch(() => 'no, still running after 10 s');
  return pipelineTally(store, folder.ranFile, [
    `killed in ${killedVersion}, its model process ended with it: ${ended}`,
  ]);
}

// ---- A training process that ends without finish() ------------------------------------------

/**
 * The training worker adds 1000 points and ends without finish(); on GCS, `ml-tracking sync`
 * then uploads what its exit path spooled to the journal. Counts the points stored once, twice
 * and never, from the scalars file.
 */
async function trainingExit(target: Target, mode: keyof typeof EXIT_LABELS): Promise<Tally> {
  const store = await target.open();
  const journal = await freshFolder('journal');
  const env = { ML_TRACKING_JOURNAL_DIR: journal, ...target.env };
  const result = await runNodeProgram(TRAINING_WORKER, [store.url, mode], { env });
  const runId = /^run (\S+)$/m.exec(result.stdout)?.[1];
  if (runId === undefined) throw new Error(`the worker printed no run id: ${result.stderr}`);
  const notes = [`exit code ${result.code}`];
  if (target.fake !== undefined) {
    // What the exit path could upload; the rest waits in the journal.
    notes.push(`stored before sync: ${(await storedSteps(store, runId)).length}`);
    const synced = await cli(['sync', '--store', store.url], { env });
    notes.push(`ml-tracking sync exited ${synced.code}`);
  }
  const steps = await storedSteps(store, runId);
  const distinct = new Set(steps.filter((step) => step >= 0 && step < POINTS));
  const run = await getRun(runId, { store });
  const left = (await readdir(journal)).filter((name) => name.endsWith('.json')).length;
  notes.push(
    `run reads ${run.status}${run.error ? ` (${run.error})` : ''}`,
    `journal entries left: ${left}`,
  );
  return {
    work: `${POINTS} points`,
    done: distinct.size,
    duplicates: steps.length - distinct.size,
    lost: POINTS - distinct.size,
    takeOvers: '–',
    notes: notes.join('; '),
  };
}

/** Every stored step of the run's `loss` points, one per row of its scalars file. */
async function storedSteps(store: Store, runId: string): Promise<number[]> {
  return Array.from((await readScalars(runId, { store })).loss?.step ?? []);
}

// ---- Experiment rows ------------------------------------------------------------------------

/**
 * Six Experiment.run of one model commit at once, each through a store of its own. On GCS half
 * of all uploads from then on commit and lose their answer (a 503 after the commit), so retries
 * meet their own rows. `duplicate` must give one row per run; `error` one row in all, the other
 * runs refused with DuplicateModelError and recorded failed.
 */
async function concurrentExperiments(target: Target, policy: OnDuplicate): Promise<Tally> {
  const reader = await target.open();
  const stores = await Promise.all(
    Array.from({ length: EXPERIMENT_RUNS }, () => target.reopen(reader.url)),
  );
  const project = `race-${policy}`;
  const FAULTS = 1000;
  const raced = await raceExperimentRuns({
    stores,
    project,
    onDuplicate: policy,
    whenAllArrived: () => target.fake?.injectFault(lostUploadAnswers(FAULTS)),
  });
  const struck = target.fake === undefined ? 0 : FAULTS - target.fake.pendingFaults();
  target.fake?.clearFaults();
  await Promise.all(stores.map((store) => store.close()));

  const rows = (await ModelTracker.load(reader, experimentTrackerPath(project))).toRecords();
  const rowRunIds = new Set(rows.map((row) => String(row.run_id)));
  const runs = new Map((await listRuns({ store: reader, project })).map((run) => [run.id, run]));
  const recorded = raced.settled.flatMap((outcome, index) =>
    outcome.status === 'fulfilled' && outcome.value.status === 'recorded'
      ? [raced.runIds[index]]
      : [],
  );
  const refused = raced.settled.flatMap((outcome, index) =>
    outcome.status === 'rejected' && outcome.reason instanceof DuplicateModelError
      ? [raced.runIds[index]]
      : [],
  );
  const otherwise = EXPERIMENT_RUNS - recorded.length - refused.length;
  // A row twice for one run, or (under `error`) rows of more than one run.
  const extraRows =
    rows.length - rowRunIds.size + (policy === 'error' ? Math.max(0, rowRunIds.size - 1) : 0);
  const refusedFinished = refused.filter((id) => runs.get(id ?? '')?.status === 'finished').length;
  const notes = [
    target.fake === undefined
      ? 'no answers to lose on a folder'
      : `uploads that lost their answer: ${struck}`,
    `tracker rows: ${rows.length}`,
  ];
  if (policy === 'error') {
    const refusedFailed = refused.filter((id) => runs.get(id ?? '')?.status === 'failed').length;
    notes.push(`${refused.length} refused, of which recorded failed: ${refusedFailed}`);
  }
  if (otherwise > 0) notes.push(`${otherwise} runs failed otherwise`);
  return {
    work: `${EXPERIMENT_RUNS} experiment runs`,
    done: [...runs.values()].filter((run) => run.status === 'finished').length,
    duplicates: extraRows + refusedFinished,
    // A run that said recorded without its row, or that failed for another reason.
    lost: recorded.filter((id) => !rowRunIds.has(id ?? '')).length + otherwise,
    takeOvers: '–',
    notes: notes.join('; '),
  };
}
