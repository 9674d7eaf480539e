// readPredictionsCsv and logPredictionsCsv as a Node user calls them: from the package's root,
// on small CSV files, with the options' own names in every message.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logPredictionsCsv,
  openStore,
  readPredictionsCsv,
  ValidationError,
  type LogPredictionsCsvOptions,
} from '../../../src/index.js';

/** A binary run as pandas writes it: the index first, then the labels and P(0), P(1). */
const BINARY = [
  ',y_true,y_pred,proba_0,proba_1',
  '40,1,1,0.2,0.8',
  '7,0,0,0.9,0.1',
  '13,1,0,0.6,0.4',
  '2,0,0,0.7,0.3',
  '',
].join('\n');

describe('readPredictionsCsv and logPredictionsCsv', () => {
  let folder: string;
  let count = 0;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-predictions-csv-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  async function csv(text: string): Promise<string> {
    const name = `predictions-${(count += 1)}.csv`;
    await writeFile(join(folder, name), text);
    return name;
  }

  const logOptions = (store: string): LogPredictionsCsvOptions => ({
    kind: 'classification',
    project: 'churn',
    parameters: { datasetUri: 'file:///churn.csv', targetColumn: 'churned', model: { name: 'M' } },
    yScorePrefix: 'proba_',
    plots: false,
    store,
    cwd: folder,
  });

  it("reads what logExperiment takes: pandas' index as the sample ids, integer labels, the prefixed columns by class", async () => {
    const read = await readPredictionsCsv(await csv(BINARY), {
      kind: 'classification',
      yScorePrefix: 'proba_',
      cwd: folder,
    });
    expect(read).toEqual({
      sampleIds: ['40', '7', '13', '2'],
      yTrue: [1, 0, 1, 0],
      yPred: [1, 0, 0, 0],
      yScore: [
        [0.2, 0.8],
        [0.9, 0.1],
        [0.6, 0.4],
        [0.7, 0.3],
      ],
      classes: [0, 1],
      labelsAreNumbers: true,
      scoreColumns: { columns: ['proba_0', 'proba_1'], classes: [0, 1], byName: true },
    });
  });

  it('logs the file in one call: the tracker row has its scores, the predictions table its sample ids', async () => {
    const store = `memory://predictions-csv-${randomUUID()}`;
    const logged = await logPredictionsCsv(await csv(BINARY), logOptions(store));
    expect(logged.project).toBe('churn');
    expect(logged.scores).toMatchObject({ overall_accuracy: 0.75, roc_auc: 1 });
    expect(logged.warnings).toEqual([]);
    const opened = await openStore(store);
    const [row] = parse<Record<string, string>>(await opened.readText(logged.tracker), {
      columns: true,
    });
    expect(row).toMatchObject({ prediction_id: logged.predictionId, roc_auc: '1' });
    const predictions = parse<Record<string, string>>(
      await opened.readText(logged.files.predictions.path),
      { columns: true },
    );
    expect(predictions.map((prediction) => prediction.sample_id)).toEqual(['40', '7', '13', '2']);
  });

  it('refuses a bad probability cell, naming the option, the column and the row, and writes nothing', async () => {
    const store = `memory://predictions-csv-${randomUUID()}`;
    const hostile = BINARY.replace('13,1,0,0.6,0.4', '13,1,0,0.6,40%');
    const error = await logPredictionsCsv(await csv(hostile), logOptions(store)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe('file');
    expect((error as ValidationError).message).toContain(
      'column "proba_1", data row 3 (line 4): the cell "40%" is not a decimal number',
    );
    const written: string[] = [];
    for await (const object of (await openStore(store)).listAll('')) written.push(object.path);
    expect(written).toEqual([]);
  });

  it("names the options a caller typed, and the column in logExperiment's roc_auc warning", async () => {
    const both = await readPredictionsCsv(await csv(BINARY), {
      kind: 'classification',
      yScore: 'proba_1',
      yScorePrefix: 'proba_',
      cwd: folder,
    }).catch((caught: unknown) => caught);
    expect(both).toBeInstanceOf(ValidationError);
    expect((both as ValidationError).parameter).toBe('yScorePrefix');
    expect((both as Error).message).toMatch(
      /given together with yScore.*yScore: \['col', …\] or yScorePrefix: 'P'/,
    );

    // P(0) read as P(1): a perfect ranking, backwards.
    const store = `memory://predictions-csv-${randomUUID()}`;
    const logged = await logPredictionsCsv(await csv(BINARY), {
      ...logOptions(store),
      yScorePrefix: undefined,
      yScore: 'proba_0',
    });
    expect(logged.scores.roc_auc).toBe(0);
    expect(logged.warnings).toEqual([
      expect.stringMatching(
        /^roc_auc is 0\.000, .*the column "proba_0" is read as the probability of the positive class, 1, .*give that class as positiveLabel/,
      ),
    ]);
  });
});
