import { describe, expect, it } from 'vitest';
import { encodeTable, type CellValue } from '../../src/csv/encode.js';
import { predictionColumns } from '../../src/layout/tables.js';
import type { Label } from '../../src/metrics/types.js';
import { predictionsTable } from '../../src/tracking/experiment-tables.js';
import { validateExperiment, type ExperimentInput } from '../../src/tracking/validate.js';

const PREDICTION_ID = '3f1c2a9e-0000-4000-8000-000000000000';
const header = (columns: readonly { name: string }[]) => columns.map((column) => column.name);
const text = (chunks: Iterable<Uint8Array>) => Buffer.concat([...chunks]).toString('utf8');

function experiment(
  kind: 'classification' | 'regression',
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  testSet: ArrayLike<string | number> = Array.from({ length: yTrue.length }, (_, i) => `s${i}`),
) {
  const input: ExperimentInput = {
    kind,
    project: 'tables',
    parameters: { datasetUri: 'x', targetColumn: 'y', testSet, model: { name: 'M', params: {} } },
    yTrue,
    yPred,
  };
  return validateExperiment(input);
}

/** The table through the plain row encoder (`encodeTable`), the reference for the chunked one. */
function referencePredictions(valid: ReturnType<typeof experiment>): string {
  const rows: CellValue[][] = valid.testSet.map((id, i) => {
    const a = valid.yTrue[i]!;
    const p = valid.yPred[i]!;
    return valid.kind === 'regression'
      ? [PREDICTION_ID, id, a, p, (p as number) - (a as number)]
      : [PREDICTION_ID, id, a, p, a === p];
  });
  return encodeTable(header(predictionColumns(valid.kind)), rows);
}

/** A deterministic generator: the tests must not depend on Math.random. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('predictionsTable, in chunks', () => {
  const random = generator(7);
  const n = 5000;
  const yTrue = Float64Array.from({ length: n }, () => (random() - 0.5) * 1e6);
  const yPred = Float64Array.from(yTrue, (value) => value * (1 + (random() - 0.5) / 10));
  // Ids that need quoting, neutralising and multi-byte UTF-8, next to plain ones.
  const ids = Array.from({ length: n }, (_, i) =>
    i % 4 === 0 ? `"q",${i}` : i % 4 === 1 ? `=cmd${i}` : i % 4 === 2 ? `日本-🚀-${i}` : i,
  );
  const labels = ['a,b', '-neg', 'plain', 'ünï "x"'];
  const classTrue = Array.from({ length: n }, () => labels[Math.floor(random() * 4)]!);
  const classPred = classTrue.map((label) => (random() < 0.7 ? label : labels[0]!));

  it.each([
    ['regression', () => experiment('regression', yTrue, yPred, ids)],
    ['classification', () => experiment('classification', classTrue, classPred, ids)],
  ] as const)(
    'joins into the same bytes as the row encoder (%s), in chunks of about the size asked',
    (_, make) => {
      const valid = make();
      const chunkBytes = 4096;
      const chunks = [...predictionsTable(valid, PREDICTION_ID, chunkBytes)];
      expect(text(chunks)).toBe(referencePredictions(valid));
      expect(chunks.length).toBeGreaterThan(10);
      // Each chunk is cut at the first row end past chunkBytes; rows here are under 200 bytes.
      for (const chunk of chunks) expect(chunk.length).toBeLessThan(chunkBytes + 200);
      for (const chunk of chunks.slice(0, -1)) {
        expect(chunk.length).toBeGreaterThanOrEqual(chunkBytes);
        expect(chunk.at(-1)).toBe(0x0a); // whole rows per chunk
      }
    },
  );

  it('is one chunk at the default size for a small table, the header included', () => {
    const valid = experiment('regression', [1, 2], [1.5, 2]);
    const chunks = [...predictionsTable(valid, PREDICTION_ID)];
    expect(chunks).toHaveLength(1);
    expect(text(chunks)).toBe(
      `prediction_id,sample_id,y_true,y_pred,residual\n${PREDICTION_ID},s0,1,1.5,0.5\n${PREDICTION_ID},s1,2,2,0\n`,
    );
  });

  it('encodes rows only as chunks are asked for, so memory does not grow with the rows', () => {
    const valid = experiment('regression', yTrue, yPred, ids);
    let reads = 0;
    const counted = new Proxy(valid.testSet, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const chunks = predictionsTable({ ...valid, testSet: counted }, PREDICTION_ID, 4096);
    const first = chunks.next();
    expect(first.done).toBe(false);
    // Rows are over 40 bytes: one chunk of 4 KiB holds about a hundred of the 5,000.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(4096 / 40 + 2);
  });
});
