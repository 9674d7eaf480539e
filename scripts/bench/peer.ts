import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchExperiment, syntheticClassification } from './data.js';

/**
 * Issue 22's speed aims at a million samples, ours side by side with the peer: a pandas +
 * scikit-learn logger of the same tables (peer_logger.py, as the original GCS logger wrote them),
 * on the same synthetic data (both generate it with data.ts's generator; the predictions CSVs
 * come out the same size, which the table shows). logExperiment end to end on a local store,
 * plots off, each run in its own process; the median of `runs` runs, ours and the peer's taking
 * turns so that a busy spell of the shared machine falls on both.
 */
type Kind = 'classification' | 'regression';
type Row = Record<string, string | number>;

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./peer_logger.py', import.meta.url));
// What users run: the built package. `npm run bench` builds first.
const builtPackage = new URL('../../dist/index.js', import.meta.url).href;

const CASES: { kind: Kind; samples: number; aim: string; aimRatio?: number }[] = [
  {
    kind: 'classification',
    samples: 1e6,
    aim: 'no end-to-end aim (the metrics aim, under 150 ms, is in `metrics`)',
  },
  { kind: 'regression', samples: 1e6, aim: 'at least 3× the peer', aimRatio: 3 },
];

interface Timed {
  seconds: number;
  predictions_bytes: number;
}

/** Why the peer cannot run here, or undefined when it can. */
export function peerMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import pandas, sklearn'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} is missing`;
  if (probe.status !== 0) {
    return `${PYTHON} lacks pandas or scikit-learn (apt-get install -y python3-pandas python3-sklearn)`;
  }
  return undefined;
}

/** The table `npm run bench -- peer` prints, and lines that say how it was measured. */
export function peerBenchmark(runs = 3): { rows: Row[]; notes: string[] } {
  const missing = peerMissing();
  const rows: Row[] = [];
  for (const { kind, samples, aim, aimRatio } of CASES) {
    const ours: Timed[] = [];
    const peer: Timed[] = [];
    for (let run = 0; run < runs; run += 1) {
      ours.push(runOurs(kind, samples));
      if (missing === undefined) peer.push(runPeer(kind, samples));
    }
    const oursSeconds = median(ours.map((timed) => timed.seconds));
    const peerSeconds = peer.length > 0 ? median(peer.map((timed) => timed.seconds)) : undefined;
    const ratio = peerSeconds === undefined ? undefined : peerSeconds / oursSeconds;
    rows.push({
      case: `${kind} end to end, plots off`,
      samples: samples.toExponential(0).replace('+', ''),
      'ours (s)': oursSeconds.toFixed(2),
      'peer (s)': peerSeconds === undefined ? 'skipped' : peerSeconds.toFixed(2),
      ratio: ratio === undefined ? '' : `${ratio.toFixed(1)}×`,
      aim:
        aimRatio === undefined || ratio === undefined
          ? aim
          : `${aim}: ${ratio >= aimRatio ? 'met' : 'not met'}`,
      'predictions CSV, ours / peer (bytes)': `${ours[0]!.predictions_bytes} / ${peer[0]?.predictions_bytes ?? '-'}`,
    });
  }
  rows.push(metricsRow(missing), helpRow());
  const notes = [
    `End to end: median of ${runs} runs each, taking turns. Metrics: the fastest of 3 warm calls in one process each, the peer's the same (labels, confusion, log loss, one-vs-rest ROC AUC on distinct probability rows). --help: the median of 20 starts, against a bare \`node -e 0\`. Load average ${loadAverage()} (2 cores, shared).`,
    missing === undefined
      ? `Peer: ${PYTHON} ${PEER} (pandas ${pythonVersion('pandas')}, scikit-learn ${pythonVersion('sklearn')}); imports and data generation are not timed on either side.`
      : `Peer skipped: ${missing}.`,
  ];
  return { rows, notes };
}

/** Issue 22's metrics aim: 10 classes with probability rows at 1e6, under 150 ms. */
function metricsRow(missing: string | undefined): Row {
  const ours = runOursJson(['metrics', '1e6']).seconds;
  const peer = missing === undefined ? runPeerJson(['metrics', '1e6']).seconds : undefined;
  return {
    case: 'metrics, 10 classes, distinct probability rows',
    samples: '1e6',
    'ours (s)': ours.toFixed(3),
    'peer (s)': peer === undefined ? 'skipped' : peer.toFixed(3),
    ratio: peer === undefined ? '' : `${(peer / ours).toFixed(1)}×`,
    aim: `under 0.150 s: ${ours < 0.15 ? 'met' : 'not met'}`,
    'predictions CSV, ours / peer (bytes)': '-',
  };
}

/** Issue 22's --help aim: within 2× a bare Node start (the peer here is `node -e 0`). */
function helpRow(): Row {
  const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  const startMs = (args: string[]) => {
    const times: number[] = [];
    for (let run = 0; run < 23; run += 1) {
      const start = performance.now();
      const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(child.stderr);
      if (run >= 3) times.push(performance.now() - start);
    }
    return median(times);
  };
  const bare = startMs(['-e', '0']);
  const help = startMs([cli, '--help']);
  return {
    case: 'ml-tracking --help (peer: node -e 0)',
    samples: '-',
    'ours (s)': (help / 1000).toFixed(3),
    'peer (s)': (bare / 1000).toFixed(3),
    ratio: `${(help / bare).toFixed(1)}× the bare start`,
    aim: `within 2× a bare start: ${help <= 2 * bare ? 'met' : 'not met'}`,
    'predictions CSV, ours / peer (bytes)': '-',
  };
}

function runOursJson(args: string[]): { seconds: number } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { seconds: number };
}

function runPeerJson(args: string[]): { seconds: number } {
  const child = spawnSync(PYTHON, [PEER, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { seconds: number };
}

function runOurs(kind: Kind, samples: number): Timed {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), kind, String(samples)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Timed;
}

function runPeer(kind: Kind, samples: number): Timed {
  const folder = mkdtempSync(join(tmpdir(), 'ml-tracking-bench-peer-'));
  try {
    const child = spawnSync(PYTHON, [PEER, kind, String(samples), folder], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Timed;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function pythonVersion(module: string): string {
  const child = spawnSync(PYTHON, ['-c', `import ${module}; print(${module}.__version__)`], {
    encoding: 'utf8',
  });
  return child.stdout.trim() || '?';
}

function loadAverage(): string {
  return spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' })
    .stdout.split(' ')
    .slice(0, 3)
    .join(', ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One of our runs, in its own process: node --import tsx scripts/bench/peer.ts <kind> <samples> */
async function runOursHere(kind: Kind, samples: number): Promise<Timed> {
  const { logExperiment } = (await import(builtPackage)) as typeof import('../../src/index.js');
  const root = mkdtempSync(join(tmpdir(), 'ml-tracking-bench-peer-ours-'));
  try {
    const experiment = benchExperiment(kind, samples, root);
    const start = performance.now();
    const logged = await logExperiment(experiment);
    const seconds = (performance.now() - start) / 1000;
    return {
      seconds,
      predictions_bytes: statSync(join(root, logged.files.predictions.path)).size,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Our metrics alone, in this process: the fastest of 3 warm calls, as the peer is timed. */
async function metricsHere(samples: number): Promise<{ seconds: number }> {
  const { classificationMetrics } = (await import(
    new URL('../../dist/metrics/index.js', import.meta.url).href
  )) as typeof import('../../src/metrics/index.js');
  const data = syntheticClassification(samples);
  const yScore = distinctScores(data.yTrue);
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run += 1) {
    const start = performance.now();
    classificationMetrics(data.yTrue, data.yPred, { yScore });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return { seconds: best };
}

/** The distinct probability rows of log-experiment.ts's metrics bench (the same generator). */
function distinctScores(yTrue: string[]): Float64Array[] {
  let state = 99;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return yTrue.map((label) => {
    const row = Float64Array.from({ length: 10 }, random);
    row[Number(label.slice(-2))]! += 2 * random();
    const total = row.reduce((sum, p) => sum + p, 0);
    return row.map((p) => p / total);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, samples] = process.argv.slice(2);
  const answer =
    kind === 'metrics'
      ? await metricsHere(Number(samples))
      : await runOursHere(kind as Kind, Number(samples));
  console.log(JSON.stringify(answer));
}
