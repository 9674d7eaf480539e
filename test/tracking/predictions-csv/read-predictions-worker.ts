// Runs readPredictionsCsv in its own process, so a test can cap that process's heap.
import { readPredictionsCsv } from '../../../src/tracking/predictions-csv/read-predictions-csv.js';

const [file = '', kind = 'regression'] = process.argv.slice(2);
const columns = await readPredictionsCsv(file, {
  kind: kind as 'regression' | 'classification',
  yTrue: 'y_true',
  yPred: 'y_pred',
  sampleId: 'sample_id',
});
const last = columns.sampleIds.length - 1;
process.stdout.write(
  JSON.stringify({
    rows: columns.sampleIds.length,
    first: [columns.sampleIds[0], columns.yTrue[0], columns.yPred[0]],
    last: [columns.sampleIds[last], columns.yTrue[last], columns.yPred[last]],
    allNumbers: [...columns.yTrue, ...columns.yPred].every((value) => typeof value === 'number'),
  }),
);
