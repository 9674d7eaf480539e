import { describe, expect, it } from 'vitest';
import { logExperiment } from '../../src/index.js';

function logBinary(yScore: number[]) {
  const testSet = ['a', 'b', 'c', 'd', 'e', 'f'];
  return logExperiment({
    kind: 'classification',
    project: 'warnings',
    parameters: { datasetUri: 'memory://d', targetColumn: 'y', testSet, model: {} },
    yTrue: ['no', 'no', 'no', 'yes', 'yes', 'yes'],
    yPred: ['no', 'no', 'yes', 'yes', 'yes', 'no'],
    yScore,
    plots: false,
    store: 'memory://warnings',
  });
}

describe('LoggedExperiment.warnings', () => {
  it('warns when roc_auc is below 0.5: the scores are probably for the other class', async () => {
    // Probabilities of "no", not of the positive class "yes": a perfect ranking, reversed.
    const logged = await logBinary([0.9, 0.8, 0.7, 0.3, 0.2, 0.1]);
    expect(logged.scores.roc_auc).toBe(0);
    expect(logged.warnings).toHaveLength(1);
    expect(logged.warnings[0]).toMatch(/^roc_auc is 0\.000, below 0\.5.*positiveLabel/);
  });

  it('is empty when nothing looks wrong, and without probabilities', async () => {
    expect((await logBinary([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])).warnings).toEqual([]);
  });
});
