// A separate process that logs one experiment, for the multi-process tests:
//   node --import tsx test/support/log-worker.ts <store-url> <project> <worker-id>
import { logExperiment } from '../../src/index.js';

const [store, project, workerId] = process.argv.slice(2);
if (store === undefined || project === undefined || workerId === undefined) {
  throw new Error('usage: log-worker <store-url> <project> <worker-id>');
}
const testSet = Array.from({ length: 50 }, (_, index) => `w${workerId}-s${index}`);
await logExperiment({
  kind: 'classification',
  project,
  parameters: {
    datasetUri: 'memory://data.csv',
    targetColumn: 'label',
    testSet,
    model: { name: 'Worker', params: { workerId } },
  },
  yTrue: testSet.map((_, index) => (index % 3 === 0 ? 'a' : 'b')),
  yPred: testSet.map((_, index) => (index % 4 === 0 ? 'a' : 'b')),
  extraParameters: { workerId: Number(workerId) },
  store,
});
