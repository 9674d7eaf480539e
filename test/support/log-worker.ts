// A separate process that logs experiments, for the multi-process tests:
//   node --import tsx test/support/log-worker.ts <store-url> <project> <worker-id> [count] [--new-csv]
// With a count, it logs that many experiments at once (without plots, to keep the race tight).
import { logExperiment } from '../../src/index.js';

const [store, project, workerId, count, ...flags] = process.argv.slice(2);
if (store === undefined || project === undefined || workerId === undefined) {
  throw new Error('usage: log-worker <store-url> <project> <worker-id> [count] [--new-csv]');
}

async function logOne(index: number): Promise<void> {
  const testSet = Array.from({ length: 50 }, (_, sample) => `w${workerId}-${index}-s${sample}`);
  await logExperiment({
    kind: 'classification',
    project: project!,
    parameters: {
      datasetUri: 'memory://data.csv',
      targetColumn: 'label',
      testSet,
      model: { name: 'Worker', params: { workerId } },
    },
    yTrue: testSet.map((_, sample) => (sample % 3 === 0 ? 'a' : 'b')),
    yPred: testSet.map((_, sample) => (sample % 4 === 0 ? 'a' : 'b')),
    extraParameters:
      count === undefined ? { workerId: Number(workerId) } : { workerId: Number(workerId), index },
    newCsv: flags.includes('--new-csv'),
    plots: count === undefined,
    store: store!,
  });
}

if (count === undefined) await logOne(0);
else await Promise.all(Array.from({ length: Number(count) }, (_, index) => logOne(index)));
