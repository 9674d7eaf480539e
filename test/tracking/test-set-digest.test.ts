import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { logExperiment, openStore } from '../../src/index.js';
import { testSetDigest } from '../../src/tracking/log-experiment.js';

/** The definition users reproduce in any language: SHA-256 of the ids, one per line. */
const reference = (ids: string[]) =>
  createHash('sha256')
    .update(`${ids.join('\n')}\n`)
    .digest('hex');

describe('test_set_sha256', () => {
  it.each([0, 1, 65_535, 65_536, 65_537, 2 * 65_536 + 3])(
    'is SHA-256 of the ids one per line, for %i ids (batches never change it)',
    (count) => {
      const ids = Array.from({ length: count }, (_, index) => `sample-${index}-ü`);
      expect(testSetDigest(ids)).toBe(reference(ids));
    },
  );

  it('is what the tracker row records', async () => {
    const store = await openStore('memory://digest');
    const ids = Array.from({ length: 70_000 }, (_, index) => `id-${index}`);
    const logged = await logExperiment({
      kind: 'regression',
      project: 'digest',
      parameters: { datasetUri: 'memory://d', targetColumn: 'y', testSet: ids, model: {} },
      yTrue: ids.map((_, index) => index),
      yPred: ids.map((_, index) => index + 0.5),
      plots: false,
      store,
    });
    const [row] = parse<Record<string, string>>(await store.readText(logged.tracker), {
      columns: true,
    });
    expect(row?.test_set_sha256).toBe(reference(ids));
    await store.close();
  });
});
