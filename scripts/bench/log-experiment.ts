import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ConfusionMatrix } from 'ml-confusion-matrix';
import { classificationMetrics, openStore, regressionMetrics } from '../../src/index.js';

// What users run: the built package. `npm run bench` builds first.
const builtPackage = new URL('../../dist/index.js', import.meta.url).href;
const { logExperiment } = (await import(builtPackage)) as typeof import('../../src/index.js');
import { benchExperiment, syntheticClassification, syntheticRegression } from './data.js';
import { peakRssMegabytes } from './table.js';

type Row = Record<string, string | number>;
const ms = (value: number) => value.toFixed(0);

/**
 * logExperiment end to end on the local store, plots off. Each case runs in its own process so
 * that its peak memory (max RSS) is its own.
 */
export function logExperimentBenchmark(): Row[] {
  const rows: Row[] = [];
  for (const kind of ['classification', 'regression'] as const) {
    for (const samples of [1e3, 1e5, 1e6]) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), kind, String(samples)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (child.status !== 0) throw new Error(child.stderr);
      rows.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Row);
    }
  }
  return rows;
}

/**
 * Metrics alone at a million samples: the fastest wall time of 5 and, apart, the least CPU time,
 * which other processes on a shared machine disturb less.
 */
export function metricsBenchmark(): Row[] {
  const classification = syntheticClassification(1e6);
  const regression = syntheticRegression(1e6);
  const yScore = classification.yTrue.map((label) => {
    const row = new Float64Array(10).fill(0.05);
    row[Number(label.slice(-2))] = 0.55;
    return row;
  });
  // Distinct probabilities, as a model gives them: the rows above hold two values per column,
  // so the ranking has nothing to sort.
  let state = 99;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const distinctScores = classification.yTrue.map((label) => {
    const row = Float64Array.from({ length: 10 }, random);
    row[Number(label.slice(-2))]! += 2 * random();
    const total = row.reduce((sum, p) => sum + p, 0);
    return row.map((p) => p / total);
  });
  const row = (metrics: string, action: () => unknown): Row => {
    let cpu = Number.POSITIVE_INFINITY;
    const wall = best(() => {
      const start = process.cpuUsage();
      action();
      const used = process.cpuUsage(start);
      cpu = Math.min(cpu, (used.user + used.system) / 1000);
    });
    return { metrics, samples: '1e6', ms: ms(wall), 'cpu ms': ms(cpu) };
  };
  const { yTrue, yPred } = classification;
  return [
    row('classification, 10 string classes', () => classificationMetrics(yTrue, yPred)),
    row('classification, 10 classes, with probability rows', () =>
      classificationMetrics(yTrue, yPred, { yScore }),
    ),
    row('classification, 10 classes, with distinct probabilities', () =>
      classificationMetrics(yTrue, yPred, { yScore: distinctScores }),
    ),
    row('ml-confusion-matrix fromLabels alone, 10 string classes', () =>
      ConfusionMatrix.fromLabels(yTrue, yPred),
    ),
    row('regression, float64', () => regressionMetrics(regression.yTrue, regression.yPred)),
  ];
}

/** Logging into a tracker that already holds 20,000 rows against a fresh tracker. */
export async function trackerSizeBenchmark(): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-tracker-'));
  const rows: Row[] = [];
  try {
    const store = await openStore(root);
    const experiment = { kind: 'regression' as const, ...syntheticRegression(1000) };
    const log = (project: string) =>
      logExperiment({
        kind: experiment.kind,
        project,
        parameters: {
          datasetUri: 'bench://data',
          targetColumn: 'y',
          testSet: experiment.testSet,
          model: { name: 'Bench', params: {} },
        },
        yTrue: experiment.yTrue,
        yPred: experiment.yPred,
        store,
      });
    const first = await log('big-history');
    const header = (await store.readText(first.tracker)).split('\n')[0]!;
    const row = (await store.readText(first.tracker)).split('\n')[1]!;
    await store.write(first.tracker, `${header}\n${`${row}\n`.repeat(20_000)}`);
    for (const [label, project] of [
      ['fresh tracker', 'fresh-history'],
      ['tracker with 20,000 rows', 'big-history'],
    ] as const) {
      const times: number[] = [];
      for (let run = 0; run < 15; run += 1) {
        const logged = await log(project);
        times.push(logged.timings.write);
      }
      times.sort((a, b) => a - b);
      rows.push({
        tracker: label,
        'write stage, median ms (1e3 samples)': times[7]!.toFixed(1),
        'tracker size': `${((await store.stat(first.tracker.replace('big-history', project)))?.size ?? 0) >> 10} KB`,
      });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

function best(action: () => unknown, runs = 5): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    action();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

async function runCase(
  kind: 'classification' | 'regression',
  samples: number,
  classes = 10,
): Promise<Row> {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-log-'));
  try {
    const experiment = benchExperiment(kind, samples, root, classes);
    const start = performance.now();
    const logged = await logExperiment(experiment);
    const total = performance.now() - start;
    const { timings } = logged;
    const store = await openStore(root);
    const predictionsSize = (await store.stat(logged.files.predictions.path))?.size ?? 0;
    return {
      kind:
        kind === 'classification'
          ? `classification (${classes.toLocaleString('en-US')} string classes)`
          : 'regression (float64)',
      samples: samples.toExponential(0).replace('+', ''),
      'total ms': ms(total),
      'validate ms': ms(timings.validate),
      'metrics ms': ms(timings.metrics),
      'tables ms': ms(timings.tables),
      'write ms': ms(timings.write),
      'peak RSS MB': peakRssMegabytes(),
      'predictions CSV MB': (predictionsSize / 1024 / 1024).toFixed(1),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// One case: node --import tsx scripts/bench/log-experiment.ts <kind> <samples> [classes]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, samples, classes] = process.argv.slice(2);
  const row = await runCase(
    kind as 'classification' | 'regression',
    Number(samples),
    classes === undefined ? undefined : Number(classes),
  );
  console.log(JSON.stringify(row));
}
