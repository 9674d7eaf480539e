import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { renderPng } from '../../src/render/render-png.js';
import { confusionMatrixSpec } from '../../src/render/specs/confusion-matrix.js';
import { predictedVsActualSpec, residualsSpec } from '../../src/render/specs/regression.js';
import { syntheticClassification, syntheticRegression } from './data.js';
import { peakRssMegabytes } from './table.js';

type Row = Record<string, string | number>;
const KINDS = ['confusion matrix', 'predicted vs actual', 'residuals'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Each plot kind, spec built and rendered to PNG (scale 2), warm (the modules and fonts are
 * loaded by a first run), at 1e3, 1e5 and 1e6 samples. Each case runs in its own process so that
 * its peak memory (max RSS) is its own.
 */
export async function plotsBenchmark(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const kind of KINDS) {
    for (const samples of [1e3, 1e5, 1e6]) {
      rows.push(await runChild(kind, samples));
    }
  }
  return rows;
}

function runChild(kind: Kind, samples: number): Promise<Row> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), kind, String(samples)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`plots benchmark ${kind} ${samples} failed: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Row);
    });
  });
}

/** Makes the synthetic data, and returns the (timed) step that builds the spec from it. */
function specFor(kind: Kind, samples: number): () => TopLevelSpec {
  if (kind === 'confusion matrix') {
    const { yTrue, yPred } = syntheticClassification(samples);
    const labels = [...new Set(yTrue)].sort();
    const index = new Map(labels.map((label, i) => [label, i]));
    const counts = labels.map(() => new Array<number>(labels.length).fill(0));
    for (let i = 0; i < yTrue.length; i += 1) {
      counts[index.get(yTrue[i]!)!]![index.get(yPred[i]!)!]! += 1;
    }
    return () => confusionMatrixSpec({ labels, counts });
  }
  const data = syntheticRegression(samples);
  const input = { yTrue: data.yTrue, yPred: data.yPred };
  return kind === 'residuals' ? () => residualsSpec(input) : () => predictedVsActualSpec(input);
}

async function runCase(kind: Kind, samples: number): Promise<Row> {
  await renderPng(specFor(kind, 100)()); // warm: modules, fonts, JIT
  const build = specFor(kind, samples);
  const times = { spec: Infinity, render: Infinity };
  let bytes = 0;
  for (let run = 0; run < 3; run += 1) {
    const start = performance.now();
    const spec = build();
    const built = performance.now();
    const png = await renderPng(spec);
    times.spec = Math.min(times.spec, built - start);
    times.render = Math.min(times.render, performance.now() - built);
    bytes = png.byteLength;
  }
  return {
    plot: kind === 'confusion matrix' ? 'confusion matrix (10 classes)' : kind,
    samples: samples.toExponential(0).replace('+', ''),
    'spec ms (best of 3)': times.spec.toFixed(0),
    'render ms (best of 3)': times.render.toFixed(0),
    'PNG KB': (bytes / 1024).toFixed(0),
    'peak RSS MB': peakRssMegabytes(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, samples] = process.argv.slice(2);
  console.log(JSON.stringify(await runCase(kind as Kind, Number(samples))));
}
