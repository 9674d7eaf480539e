import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { logExperiment, openStore, type Store } from '../../src/index.js';

type Row = Record<string, string>;

async function tables(store: Store, predictionId: string) {
  const read = async (path: string) => parse<Row>(await store.readText(path), { columns: true });
  return {
    predictions: await read(`predictions/classification/${predictionId}.csv`),
    confusion: await read(`confusion/${predictionId}.csv`),
    scoring: await read(`scoring/${predictionId}.csv`),
  };
}

function logSigned(store: Store, labels: readonly (string | number)[], sampleIds: string[]) {
  return logExperiment({
    kind: 'classification',
    project: 'signed labels',
    parameters: {
      datasetUri: 'memory://outliers.csv',
      targetColumn: 'is_inlier',
      testSet: sampleIds,
      model: { name: 'IsolationForest', params: {} },
    },
    yTrue: labels,
    yPred: [...labels].reverse(),
    plots: false,
    store,
  });
}

describe('labels and sample ids that look like signed numbers', () => {
  it.each([
    ['numbers -1 and 1', [-1, 1, -1, 1], ['-1', '1']],
    ['text "-1" and "+1"', ['-1', '+1', '-1', '+1'], ['+1', '-1']],
  ])(
    '%s are written identically in predictions, confusion and scoring',
    async (_, labels, classes) => {
      const store = await openStore(`memory://signed-${String(labels[1])}`);
      const sampleIds = ['-5', '+7', '3', '-0.5'];
      const logged = await logSigned(store, labels, sampleIds);
      const { predictions, confusion, scoring } = await tables(store, logged.predictionId);

      expect(predictions.map((row) => row.sample_id)).toEqual(sampleIds);
      expect(new Set(predictions.map((row) => row.y_true))).toEqual(new Set(classes));
      expect(new Set(confusion.map((row) => row.actual))).toEqual(new Set(classes));
      expect(new Set(confusion.map((row) => row.predicted))).toEqual(new Set(classes));
      const perClass = scoring.filter((row) => row.class !== '');
      expect(new Set(perClass.map((row) => row.class))).toEqual(new Set(classes));
      // The same label joins across the tables: every confusion cell's count matches the rows.
      for (const cell of confusion) {
        const rows = predictions.filter(
          (row) => row.y_true === cell.actual && row.y_pred === cell.predicted,
        );
        expect(String(rows.length)).toBe(cell.count);
      }
      await store.close();
    },
  );

  it('still neutralises a label that would run as a formula, the same way in every table', async () => {
    const store = await openStore('memory://formula-labels');
    const logged = await logSigned(store, ['=1+1', 'ok', '=1+1', 'ok'], ['a', 'b', 'c', 'd']);
    const { predictions, confusion, scoring } = await tables(store, logged.predictionId);
    expect(new Set(predictions.map((row) => row.y_true))).toEqual(new Set(["'=1+1", 'ok']));
    expect(new Set(confusion.map((row) => row.actual))).toEqual(new Set(["'=1+1", 'ok']));
    expect(new Set(scoring.filter((row) => row.class !== '').map((row) => row.class))).toEqual(
      new Set(["'=1+1", 'ok']),
    );
    await store.close();
  });
});
