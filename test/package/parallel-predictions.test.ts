import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictionsTable } from '../../src/tracking/experiment-tables.js';
import type { ValidExperiment } from '../../src/tracking/validate.js';

/*
 * Large predictions tables are encoded on two cores by a worker that exists only in the built
 * package (dist/), so this runs the built logExperiment and compares its table with the
 * one-thread encoder of the sources, byte for byte.
 */
const built = new URL('../../dist/index.js', import.meta.url);
const ROWS = 260_000; // above PARALLEL_MIN_ROWS: several segments each for thread and worker

type Built = typeof import('../../src/index.js');
type BuiltEncoder = typeof import('../../src/tracking/encode-predictions.js');

function experimentOf(kind: 'regression' | 'classification') {
  const testSet = Array.from({ length: ROWS }, (_, index) =>
    index % 7 === 0 ? `-${index}` : `sample "${index}", ü`,
  );
  if (kind === 'regression') {
    const yTrue = Float64Array.from({ length: ROWS }, (_, index) => Math.sin(index) * 1e3);
    const yPred = yTrue.map((value, index) => value + Math.cos(index) / 3);
    return { testSet, yTrue, yPred };
  }
  const labels = ['-1', '+1', 'ünï', '=x'];
  return {
    testSet,
    yTrue: testSet.map((_, index) => labels[index % 4]!),
    yPred: testSet.map((_, index) => labels[(index * 7) % 4]!),
  };
}

describe('the predictions table of a large experiment, built package', () => {
  it.each(['regression', 'classification'] as const)(
    '%s: the worker-encoded table equals the one-thread table byte for byte',
    async (kind) => {
      expect(existsSync(built), 'dist/ is built by npm test before the tests').toBe(true);
      const { logExperiment, openStore } = (await import(built.href)) as Built;
      const store = await openStore(`memory://parallel-${kind}`);
      const data = experimentOf(kind);
      const logged = await logExperiment({
        kind,
        project: 'parallel',
        parameters: {
          datasetUri: 'memory://data',
          targetColumn: 'y',
          testSet: data.testSet,
          model: { name: 'M', params: {} },
        },
        yTrue: data.yTrue,
        yPred: data.yPred,
        plots: false,
        store,
      });
      const stored = Buffer.from(await store.read(logged.files.predictions.path));
      const expected = Buffer.concat([
        ...predictionsTable({ kind, ...data } as unknown as ValidExperiment, logged.predictionId),
      ]);
      expect(stored.byteLength).toBe(expected.byteLength);
      expect(stored.equals(expected)).toBe(true);
      await store.close();
    },
    60_000,
  );

  it('encodes in the worker when asked to, chunks in table order', async () => {
    const { encodePredictions } = (await import(
      new URL('../../dist/tracking/encode-predictions.js', import.meta.url).href
    )) as BuiltEncoder;
    const data = experimentOf('regression');
    const columns = { kind: 'regression' as const, ...data };
    const id = '0b8a2f3e-1111-2222-3333-444455556666';
    const chunks: Uint8Array[] = [];
    // Forced: no fallback to one thread, so a worker that cannot start fails this test.
    for await (const chunk of encodePredictions(columns, id, { parallel: true })) {
      chunks.push(chunk);
    }
    const expected = Buffer.concat([
      ...predictionsTable(columns as unknown as ValidExperiment, id),
    ]);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
  }, 60_000);
});
