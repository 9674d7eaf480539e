import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  findExperiment,
  logExperiment,
  NotFoundError,
  openStore,
  ValidationError,
} from '../../src/index.js';

describe('findExperiment', () => {
  async function loggedRun() {
    const store = await openStore(`memory://${randomUUID()}`);
    const logged = await logExperiment({
      kind: 'regression',
      project: 'find me',
      parameters: { datasetUri: 'd', targetColumn: 't', testSet: ['a', 'b'], model: {} },
      yTrue: [1, 2],
      yPred: [1, 3],
      plots: false,
      store,
    });
    return { store, predictionId: logged.predictionId };
  }

  it.each([
    ['lower case', (id: string) => id],
    ['upper case', (id: string) => id.toUpperCase()],
    ['mixed case', (id: string) => id.replace(/[a-f]/, (c) => c.toUpperCase())],
  ])('finds a run by its prediction id in %s', async (_, spell) => {
    const { store, predictionId } = await loggedRun();
    expect(predictionId).toBe(predictionId.toLowerCase());
    const found = await findExperiment(store, spell(predictionId));
    expect(found.row.prediction_id).toBe(predictionId);
    expect(found.scores.map((score) => score.metric)).toContain('mae');
  });

  it('rejects what is not a UUID, and reports an unknown one as not found', async () => {
    const { store } = await loggedRun();
    await expect(findExperiment(store, 'not-a-uuid')).rejects.toBeInstanceOf(ValidationError);
    await expect(findExperiment(store, randomUUID().toUpperCase())).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
