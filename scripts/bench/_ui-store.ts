/**
 * The store `npm run bench -- ui` measures the dashboard on: 10,000 runs in 5 projects (100 of
 * them trials of one sweep) and 10 million scalar points, of which 100 runs hold `loss` at 10,000
 * steps each (the runs drawn overlaid). Files are written straight into a local store's folders
 * with the library's own encoders (`encodeRunRecord`, `encodeScalarRows`, `createSweepRecords`),
 * so they are byte for byte what a logger writes, only without a training loop behind them.
 * Generated once per generator version and point count, then reused from the temp folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../src/index.js';
import {
  runLogPath,
  runPath,
  scalarsPath,
  storeObjectUri,
  trialClaimPath,
} from '../../src/layout/paths.js';
import { createTimeSortableId, generateRunName } from '../../src/runs/ids.js';
import {
  addToTagSummary,
  decodeRunRecord,
  encodeRunRecord,
  type JsonValue,
  type RunRecord,
  type TagSummary,
} from '../../src/runs/run-record.js';
import { encodeScalarRows, SCALARS_HEADER } from '../../src/runs/scalar-table.js';
import { createSweepRecords, type SweepDescription } from '../../src/records/sweep-records.js';
import { createClaim } from '../../src/records/claims.js';
import { processLabel } from '../../src/records/process-identity.js';
import { sampleTrial, trialCount } from '../../src/sweeps/sampling.js';
import { parseSweepConfig, sweepConfigToJson } from '../../src/sweeps/sweep-config.js';
import { trialArgv } from '../../src/sweeps/trial-command.js';

/** Bump when what is generated changes: a cached store of another version is regenerated. */
export const GENERATOR_VERSION = 2;

/** How many runs of each kind a generated store holds. */
export interface UiStoreShape {
  runs: number;
  trials: number;
  /** Runs (not trials) with `loss` at `overlaySteps` steps each. */
  overlayRuns: number;
  /** Steps of each overlay run (in the 10-million-point store when `overlayScales`). */
  overlaySteps: number;
  /** Whether a store of fewer points has proportionally fewer overlay steps. */
  overlayScales: boolean;
  /** Runs still running (the newest), with a heartbeat refreshed before each measurement. */
  runningRuns: number;
}

export const UI_STORE_SHAPE: UiStoreShape = {
  runs: 10_000,
  trials: 100,
  overlayRuns: 100,
  overlaySteps: 10_000,
  overlayScales: true,
  runningRuns: 10,
};

/**
 * Issue 23's store: 100,000 runs (the runs page after a restart, the index's requests per
 * refresh) and 100 of them with 100,000 steps of `loss` each (overlaid in one chart); the other
 * runs hold 10 points each.
 */
export const MANY_RUNS_SHAPE: UiStoreShape = {
  runs: 100_000,
  trials: 100,
  overlayRuns: 100,
  overlaySteps: 100_000,
  overlayScales: false,
  runningRuns: 10,
};
/** Points of the {@link MANY_RUNS_SHAPE} store: the overlay's 10 million, 10 per other run. */
export const MANY_RUNS_POINTS = 100 * 100_000 + 99_800 * 10 + 100 * 600;

export const PROJECTS = [
  'soil-carbon',
  'churn-model',
  'image-classifier',
  'demand-forecast',
  'intent-nlp',
];
const SWEEP_PROJECT = 'soil-carbon';
const OVERLAY_PROJECT = 'image-classifier';
/** Heartbeat of the running runs: they read as lost 4 intervals after their last refresh. */
const RUNNING_HEARTBEAT_SECONDS = 120;
const WRITE_CONCURRENCY = 16;

/** What the benchmark needs to know about a generated store. */
export interface UiStoreManifest {
  version: number;
  /** The local store's folder. */
  folder: string;
  runs: number;
  trials: number;
  points: number;
  /** Bytes of all `scalars/*.csv`. */
  scalarBytes: number;
  overlayIds: string[];
  /** Steps of `loss` in each overlay run. */
  overlaySteps: number;
  sweepId: string;
  runningIds: string[];
  generatedAt: string;
  generateSeconds: number;
}

/** A run before its files are written. */
interface Plan {
  kind: 'ordinary' | 'overlay' | 'trial';
  startedAt: number;
  project: string;
  status: RunRecord['status'];
  /** Steps of each tag, in logging order: point `i` of a step goes to `tags[i]` if it has one. */
  tags: { tag: string; steps: number }[];
  /** Milliseconds between steps. */
  stepMs: number;
  trial?: number;
  /** Lowest loss the curve tends to, and how fast (steps). */
  floor: number;
  tau: number;
  origin: RunRecord['origin'];
  /** One of the newest runs, still running: its heartbeat is kept fresh. */
  fresh?: boolean;
}

/** A small deterministic PRNG (mulberry32): the same store for the same version. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The cached store of `points` scalar points, generated when missing (or of another generator
 * version). Running runs get a fresh heartbeat either way.
 */
export async function ensureUiStore(
  points: number,
  shape: UiStoreShape = UI_STORE_SHAPE,
): Promise<{ manifest: UiStoreManifest; reused: boolean }> {
  const runs = shape === UI_STORE_SHAPE ? '' : `-r${shape.runs}`;
  const base = join(tmpdir(), `ml-tracking-bench-ui-v${GENERATOR_VERSION}-${points}${runs}`);
  // Stores of other generator versions are of no more use, and each takes up to a gigabyte.
  for (const name of await readdir(tmpdir())) {
    if (
      /^ml-tracking-bench-ui-v\d+-\d+(-r\d+)?$/.test(name) &&
      !name.startsWith(`ml-tracking-bench-ui-v${GENERATOR_VERSION}-`)
    ) {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  const manifestPath = join(base, 'manifest.json');
  let manifest: UiStoreManifest | undefined;
  if (existsSync(manifestPath)) {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as UiStoreManifest;
    if (manifest.version !== GENERATOR_VERSION || !existsSync(manifest.folder))
      manifest = undefined;
  }
  const reused = manifest !== undefined;
  if (manifest === undefined) {
    await rm(base, { recursive: true, force: true });
    manifest = await generateUiStore(join(base, 'store'), points, shape);
    // Written last: a generation cut short leaves no manifest and is redone.
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  }
  await refreshHeartbeats(manifest);
  return { manifest, reused };
}

/** Rewrites the running runs' records with a heartbeat of now, as their loggers would. */
export async function refreshHeartbeats(manifest: UiStoreManifest): Promise<void> {
  const now = new Date();
  await Promise.all(
    manifest.runningIds.map(async (id) => {
      const file = join(manifest.folder, runPath(id));
      const record = decodeRunRecord(await readFile(file, 'utf8'));
      if (record === undefined) throw new Error(`cannot read ${file}`);
      record.heartbeatAt = now;
      await writeFile(file, encodeRunRecord(record));
    }),
  );
}

/** Writes the store into `folder` (which must not exist yet). */
export async function generateUiStore(
  folder: string,
  totalPoints: number,
  shape: UiStoreShape = UI_STORE_SHAPE,
): Promise<UiStoreManifest> {
  const start = performance.now();
  const rand = random(20261124 + GENERATOR_VERSION);
  const now = Date.now();
  const day = 86_400_000;
  // 10,000 steps per overlay run at 10 million points, proportionally fewer in a smaller store.
  const overlaySteps = shape.overlayScales
    ? Math.min(shape.overlaySteps, Math.floor(totalPoints / 1000))
    : shape.overlaySteps;
  await Promise.all(
    ['runs', 'scalars', 'run-logs'].map((name) => mkdir(join(folder, name), { recursive: true })),
  );
  const store = await openStore(folder);
  const storeUrl = pathToFileURL(folder).href;

  // The sweep: a real configuration, checked and resolved as `createSweep` does.
  const sweepCreated = now - 3 * day;
  const config = parseSweepConfig({
    main_script_name: 'train.py',
    command: ['uv', 'run'],
    method: 'random',
    max_runs: shape.trials,
    seed: 7,
    optimization_metric: 'loss',
    optimization_goal: 'min',
    early_stopping: true,
    early_stopping_patience: 20,
    project: SWEEP_PROJECT,
    hyperparameters: {
      learning_rate: { type: 'log_uniform', min: 1e-5, max: 1e-1 },
      batch_size: { type: 'choice', candidates: [16, 32, 64, 128, 256] },
      dropout: { type: 'uniform', min: 0, max: 0.5 },
      layers: { type: 'int_uniform', min: 1, max: 8 },
      optimizer: { type: 'choice', candidates: ['adam', 'sgd', 'rmsprop'] },
    },
  });
  const sweepConfigFolder = '/home/analyst/soil-carbon';
  const description: SweepDescription = {
    sweepId: createTimeSortableId(new Date(sweepCreated)),
    project: SWEEP_PROJECT,
    createdAt: new Date(sweepCreated).toISOString(),
    seed: 7,
    trialCount: trialCount(config),
    configFolder: sweepConfigFolder,
    config: sweepConfigToJson({ ...config, seed: 7, project: SWEEP_PROJECT }),
  };

  // Plans: trials, overlay runs, then ordinary runs sharing the remaining points.
  const plans: Plan[] = [];
  const trialSteps = 300;
  // The hyperparameters decide how good a trial gets (a parallel-coordinates chart shows it); the
  // worst sixth stop early, as their loss stops improving.
  const floors = Array.from({ length: shape.trials }, (_, trial) => {
    const values = sampleTrial(config, description.seed, trial);
    const lr = Math.log10(values.learning_rate as number);
    return (
      0.08 +
      0.12 * Math.abs(lr + 3) +
      0.3 * (values.dropout as number) +
      0.02 * Math.abs((values.layers as number) - 4) +
      (values.optimizer === 'sgd' ? 0.1 : 0) +
      0.03 * rand()
    );
  });
  const stopAbove = [...floors].sort((a, b) => b - a)[Math.floor(shape.trials / 6)]!;
  for (let trial = 0; trial < shape.trials; trial += 1) {
    const floor = floors[trial]!;
    const failed = trial % 37 === 11;
    const stopped = !failed && floor > stopAbove;
    const steps = failed
      ? 10 + Math.floor(rand() * 60)
      : stopped
        ? 60 + Math.floor(rand() * 150)
        : trialSteps;
    plans.push({
      kind: 'trial',
      trial,
      startedAt: sweepCreated + 60_000 + trial * 25 * 60_000,
      project: SWEEP_PROJECT,
      status: failed ? 'failed' : stopped ? 'early_stopped' : 'finished',
      tags: [
        { tag: 'loss', steps },
        { tag: 'accuracy', steps },
      ],
      stepMs: 4000 + rand() * 2000,
      floor,
      tau: 20 + 100 * rand(),
      origin: 'sweep',
    });
  }
  const trialPoints = plans.reduce((sum, plan) => sum + plan.tags[0]!.steps * 2, 0);
  const ordinaryCount = shape.runs - shape.trials - shape.overlayRuns;
  const rest = totalPoints - trialPoints - shape.overlayRuns * overlaySteps;
  if (rest < ordinaryCount * 2) throw new Error(`${totalPoints} points are too few for this store`);
  // Ordinary runs over the last 90 days; overlay runs among the recent ones of one project.
  const startTimes = Array.from(
    { length: ordinaryCount + shape.overlayRuns },
    () => now - rand() * 90 * day,
  ).sort((a, b) => a - b);
  const overlaySlots = new Set<number>();
  for (let index = 0; overlaySlots.size < shape.overlayRuns; index += 1) {
    overlaySlots.add(startTimes.length - shape.runningRuns - 30 - index * 7);
  }
  let ordinarySeen = 0;
  startTimes.forEach((startedAt, index) => {
    if (overlaySlots.has(index)) {
      plans.push({
        kind: 'overlay',
        startedAt: startedAt - 6 * 3_600_000,
        project: OVERLAY_PROJECT,
        status: 'finished',
        tags: [{ tag: 'loss', steps: overlaySteps }],
        stepMs: 1500 + rand() * 1000,
        floor: 0.05 + 0.3 * rand(),
        tau: (overlaySteps / 20) * (1 + 6 * rand()),
        origin: 'logger',
      });
      return;
    }
    const n = Math.floor(rest / ordinaryCount) + (ordinarySeen < rest % ordinaryCount ? 1 : 0);
    ordinarySeen += 1;
    const running = index >= startTimes.length - shape.runningRuns;
    const roll = rand();
    plans.push({
      kind: 'ordinary',
      startedAt: running
        ? now - (shape.runningRuns - (startTimes.length - index) + 1) * 600_000
        : startedAt,
      project: PROJECTS[Math.floor(rand() * PROJECTS.length)]!,
      status: running ? 'running' : roll < 0.04 ? 'failed' : roll < 0.045 ? 'running' : 'finished',
      tags: [
        { tag: 'loss', steps: Math.ceil(n / 2) },
        { tag: 'accuracy', steps: Math.floor(n / 2) },
      ],
      stepMs: running ? 1000 : 1000 + rand() * 8000,
      floor: 0.05 + 0.5 * rand(),
      tau: 20 + 300 * rand(),
      origin: rand() < 0.12 ? 'exec' : 'logger',
      fresh: running,
    });
  });
  plans.sort((a, b) => a.startedAt - b.startedAt);

  // Point buffers, large enough for the longest run.
  const most = Math.max(...plans.map((plan) => plan.tags.reduce((sum, tag) => sum + tag.steps, 0)));
  const tagIndex = new Uint32Array(most);
  const stepArray = new Float64Array(most);
  const valueArray = new Float64Array(most);
  const wallArray = new Float64Array(most);

  const overlayIds: string[] = [];
  const runningIds: string[] = [];
  let points = 0;
  let scalarBytes = 0;
  const pending = new Set<Promise<void>>();
  const write = async (path: string, text: string) => {
    const promise = writeFile(join(folder, path), text).finally(() => pending.delete(promise));
    pending.add(promise);
    if (pending.size >= WRITE_CONCURRENCY) await Promise.race(pending);
  };
  const trialRuns: { trial: number; runId: string; claimedAt: string }[] = [];

  for (const plan of plans) {
    const id = createTimeSortableId(new Date(plan.startedAt));
    const tags = plan.tags.map((tag) => tag.tag);
    const longest = Math.max(...plan.tags.map((tag) => tag.steps));
    const summary: Record<string, TagSummary> = {};
    const noise = 0.02 + 0.03 * rand();
    let count = 0;
    let wall = plan.startedAt;
    for (let step = 0; step < longest; step += 1) {
      wall += plan.stepMs * (0.9 + 0.2 * rand());
      const progress = Math.exp(-step / plan.tau);
      const loss = plan.floor + (2.3 - plan.floor) * progress;
      for (let t = 0; t < plan.tags.length; t += 1) {
        if (step >= plan.tags[t]!.steps) continue;
        const tag = tags[t]!;
        const jitter = 1 + noise * (rand() * 2 - 1);
        const value = tag === 'loss' ? loss * jitter : Math.min(1, (1 - loss / 2.6) * jitter);
        tagIndex[count] = t;
        stepArray[count] = step;
        valueArray[count] = value;
        wallArray[count] = Math.round(wall) + t;
        count += 1;
        summary[tag] = addToTagSummary(summary[tag], step, value);
      }
    }
    points += count;
    const rows = encodeScalarRows(id, tags, tagIndex, stepArray, valueArray, wallArray, count);
    scalarBytes += SCALARS_HEADER.length + rows.length;
    await write(scalarsPath(id), SCALARS_HEADER + rows);

    const lastWall = count > 0 ? wallArray[count - 1]! : plan.startedAt;
    const running = plan.status === 'running';
    // A running run that is not among the newest stopped long ago: readers call it lost.
    const fresh = plan.fresh === true;
    const hyperparameters = hyperparametersOf(plan, rand, config, description.seed);
    const record: RunRecord = {
      id,
      project: plan.project,
      name: plan.kind === 'trial' ? `trial-${plan.trial}` : generateRunName(),
      status: plan.status,
      origin: plan.origin,
      startedAt: new Date(plan.startedAt),
      heartbeatAt: new Date(Math.round(lastWall) + 500),
      heartbeatIntervalSeconds: fresh ? RUNNING_HEARTBEAT_SECONDS : 10,
      host: `gpu-node-${1 + Math.floor(rand() * 6)}`,
      gitCommit: Array.from({ length: 40 }, () => Math.floor(rand() * 16).toString(16)).join(''),
      gitDirty: rand() < 0.2,
      hyperparameters,
      summary,
      predictionIds: [],
      scalarsUri: storeObjectUri(storeUrl, scalarsPath(id)),
    };
    if (!running) record.endedAt = new Date(Math.round(lastWall) + 1500);
    if (plan.status === 'failed') {
      record.error =
        rand() < 0.5
          ? 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB'
          : 'the command exited with code 1';
    }
    if (plan.kind === 'trial') {
      record.sweepId = description.sweepId;
      record.trial = plan.trial!;
      record.command = trialArgv({
        command: config.command,
        mainScriptName: config.mainScriptName,
        folder: sweepConfigFolder,
        values: sampleTrial(config, description.seed, plan.trial!),
        storeUrl,
      });
      trialRuns.push({ trial: plan.trial!, runId: id, claimedAt: record.startedAt.toISOString() });
    } else if (plan.origin === 'exec') {
      record.command = ['python3', 'train.py', ...flags(hyperparameters)];
    } else {
      record.command = ['python3', '-m', `${plan.project.replace(/-/g, '_')}.train`];
    }
    if (plan.kind === 'trial' || plan.origin === 'exec') {
      record.logUri = storeObjectUri(storeUrl, runLogPath(id));
      await write(runLogPath(id), logText(record, summary));
    }
    await write(runPath(id), encodeRunRecord(record));
    if (plan.kind === 'overlay') overlayIds.push(id);
    if (fresh) runningIds.push(id);
  }
  await Promise.all(pending);

  // The sweep's description, row and claims, through the store as the library writes them.
  try {
    await createSweepRecords(store, description);
    for (const { trial, runId, claimedAt } of trialRuns) {
      await createClaim(store, trialClaimPath(description.sweepId, trial), {
        trial,
        runId,
        agent: processLabel(),
        claimedAt,
        attempt: 1,
        state: 'done',
      });
    }
  } finally {
    await store.close();
  }
  return {
    version: GENERATOR_VERSION,
    folder,
    runs: plans.length,
    trials: trialRuns.length,
    points,
    scalarBytes,
    overlayIds,
    overlaySteps,
    sweepId: description.sweepId,
    runningIds,
    generatedAt: new Date(now).toISOString(),
    generateSeconds: (performance.now() - start) / 1000,
  };
}

function hyperparametersOf(
  plan: Plan,
  rand: () => number,
  config: ReturnType<typeof parseSweepConfig>,
  seed: number,
): Record<string, JsonValue> {
  if (plan.kind === 'trial') return sampleTrial(config, seed, plan.trial!);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  return {
    learning_rate: Number((10 ** (-5 + 4 * rand())).toPrecision(3)),
    batch_size: pick([16, 32, 64, 128, 256]),
    epochs: pick([10, 20, 50, 100]),
    optimizer: pick(['adam', 'adamw', 'sgd']),
    dropout: Math.round(rand() * 50) / 100,
    model: {
      architecture: pick(['resnet18', 'resnet50', 'mlp', 'gbm']),
      layers: 1 + Math.floor(rand() * 8),
    },
  };
}

function flags(hyperparameters: Record<string, JsonValue>): string[] {
  return Object.entries(hyperparameters).flatMap(([name, value]) =>
    typeof value === 'object' ? [] : [`--${name}`, String(value)],
  );
}

/** A few lines of captured output, ending as the run ended. */
function logText(record: RunRecord, summary: Record<string, TagSummary>): string {
  const loss = summary.loss;
  const lines = [`Starting ${record.name} on ${record.host}`];
  for (let epoch = 1; epoch <= 5; epoch += 1)
    lines.push(`epoch ${epoch}: loss ${(loss?.max ?? 1) / epoch}`);
  if (record.status === 'early_stopped') {
    lines.push('[ml-tracking] early stopping: loss has not improved for 20 values');
  }
  if (record.error !== undefined) lines.push(record.error);
  else lines.push(`done: best loss ${loss?.min ?? ''}`);
  return `${lines.join('\n')}\n`;
}
