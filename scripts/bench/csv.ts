import { performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify/sync';
import { encodeRow } from '../../src/csv/encode.js';
import { syntheticClassification } from './data.js';

/** Why the predictions table has its own encoder: the same rows through csv-stringify. */
export function csvBenchmark(): Record<string, string>[] {
  const { yTrue, yPred, testSet } = syntheticClassification(1e6);
  const rows = testSet.map((id, index) => [
    '3f1c2a9e-prediction',
    id,
    yTrue[index]!,
    yPred[index]!,
    yTrue[index] === yPred[index],
  ]);
  const time = (action: () => string) => {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run += 1) {
      const start = performance.now();
      action();
      best = Math.min(best, performance.now() - start);
    }
    return `${best.toFixed(0)} ms`;
  };
  return [
    { encoder: 'src/csv/encode.ts', time: time(() => rows.map((row) => encodeRow(row)).join('')) },
    {
      encoder: 'csv-stringify/sync',
      time: time(() =>
        stringify(rows, { cast: { boolean: (value) => (value ? 'true' : 'false') } }),
      ),
    },
  ];
}
