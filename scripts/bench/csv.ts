import { performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify/sync';
import { encodeRow } from '../../src/csv/encode.js';
import { predictionsTable } from '../../src/tracking/experiment-tables.js';
import { validateExperiment } from '../../src/tracking/validate.js';
import { syntheticClassification } from './data.js';

/**
 * Why the predictions table has its own encoder: the same rows through csv-stringify. The last
 * row is the table as logExperiment writes it: straight into UTF-8 bytes, in 1 MiB chunks.
 */
export function csvBenchmark(): Record<string, string>[] {
  const { yTrue, yPred, testSet } = syntheticClassification(1e6);
  const experiment = validateExperiment({
    kind: 'classification',
    project: 'bench',
    parameters: { datasetUri: 'x', targetColumn: 'y', testSet, model: { name: 'M', params: {} } },
    yTrue,
    yPred,
  });
  const rows = testSet.map((id, index) => [
    '3f1c2a9e-prediction',
    id,
    yTrue[index]!,
    yPred[index]!,
    yTrue[index] === yPred[index],
  ]);
  const time = (action: () => unknown) => {
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
    {
      encoder: 'predictionsTable (byte writer, 1 MiB chunks)',
      time: time(() => {
        let bytes = 0;
        for (const chunk of predictionsTable(experiment, '3f1c2a9e-prediction'))
          bytes += chunk.length;
        return bytes;
      }),
    },
  ];
}
