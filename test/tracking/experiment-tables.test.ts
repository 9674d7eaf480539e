import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { encodeTable, type CellValue } from '../../src/csv/encode.js';
import {
  CONFUSION_ALL_PAIRS_MAX_CLASSES,
  CONFUSION_COLUMNS,
  predictionColumns,
} from '../../src/layout/tables.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { confusionCells } from '../../src/metrics/confusion.js';
import type { Label } from '../../src/metrics/types.js';
import { confusionTable, predictionsTable } from '../../src/tracking/experiment-tables.js';
import { validateExperiment, type ExperimentInput } from '../../src/tracking/validate.js';

const PREDICTION_ID = '3f1c2a9e-0000-4000-8000-000000000000';
const header = (columns: readonly { name: string }[]) => columns.map((column) => column.name);
const text = (chunks: Iterable<Uint8Array>) => Buffer.concat([...chunks]).toString('utf8');
const records = (csv: string) => parse<Record<string, string>>(csv, { columns: true });

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

describe('confusionTable', () => {
  it(`writes every pair, zeros included, up to ${CONFUSION_ALL_PAIRS_MAX_CLASSES} classes`, () => {
    const scores = classificationMetrics(
      ['clay', 'loam', 'sand', 'clay', 'loam', 'clay'],
      ['clay', 'loam', 'clay', 'clay', 'sand', 'clay'],
    );
    const csv = text(confusionTable(scores, PREDICTION_ID));
    expect(csv).toBe(
      encodeTable(header(CONFUSION_COLUMNS), [
        [PREDICTION_ID, 'clay', 'clay', 3],
        [PREDICTION_ID, 'clay', 'loam', 0],
        [PREDICTION_ID, 'clay', 'sand', 0],
        [PREDICTION_ID, 'loam', 'clay', 0],
        [PREDICTION_ID, 'loam', 'loam', 1],
        [PREDICTION_ID, 'loam', 'sand', 1],
        [PREDICTION_ID, 'sand', 'clay', 1],
        [PREDICTION_ID, 'sand', 'loam', 0],
        [PREDICTION_ID, 'sand', 'sand', 0],
      ]),
    );

    const k = CONFUSION_ALL_PAIRS_MAX_CLASSES;
    const labels = Array.from({ length: 2 * k }, (_, i) => i % k);
    const atLimit = classificationMetrics(labels, labels);
    expect(records(text(confusionTable(atLimit, PREDICTION_ID)))).toHaveLength(k * k);
  });

  it.each([3000, 10_000])(
    'writes only the pairs that occur above the limit, with their counts (%i classes)',
    (k) => {
      const random = generator(k);
      const n = 4 * k;
      // Every class occurs 4 times in yTrue; a fifth of the predictions are wrong.
      const yTrue = Array.from({ length: n }, (_, i) => `class ${(i * 7919) % k}`);
      const yPred = yTrue.map((label) =>
        random() < 0.8 ? label : `class ${Math.floor(random() * k)}`,
      );
      const expected = new Map<string, number>();
      yTrue.forEach((actual, i) => {
        const key = `${actual}|${yPred[i]!}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      });

      const scores = classificationMetrics(yTrue, yPred);
      expect(scores.overall.n_classes).toBe(k);
      const rows = records(text(confusionTable(scores, PREDICTION_ID, 64 * 1024)));
      expect(rows).toHaveLength(expected.size);
      expect(rows.length).toBeLessThan(n);
      for (const row of rows) {
        expect(row.prediction_id).toBe(PREDICTION_ID);
        expect(Number(row.count)).toBe(expected.get(`${row.actual}|${row.predicted}`));
      }
      // Every sample is counted once.
      expect(rows.reduce((sum, row) => sum + Number(row.count), 0)).toBe(n);
      // By actual class, then predicted class, in sorted order (ASCII labels: plain < will do).
      const keys = rows.map((row) => [row.actual!, row.predicted!] as const);
      const sorted = [...keys].sort(([a1, p1], [a2, p2]) =>
        a1 === a2 ? (p1 < p2 ? -1 : 1) : a1 < a2 ? -1 : 1,
      );
      expect(keys).toEqual(sorted);
    },
  );

  it('counts the same cells sparsely as the dense matrix holds', () => {
    const random = generator(3);
    const yTrue = Array.from({ length: 2000 }, () => Math.floor(random() * 40));
    const yPred = yTrue.map((label) => (random() < 0.6 ? label : Math.floor(random() * 45)));
    const { confusion } = classificationMetrics(yTrue, yPred);
    const sparse = confusionCells(confusion);
    const { counts } = confusion;
    // The same cells read back from the dense matrix, through confusionCells' dense path.
    const fromDense = confusionCells({ labels: confusion.labels, counts });
    expect(sparse).toEqual(fromDense);
    expect(sparse.count.reduce((sum, count) => sum + count, 0)).toBe(2000);
    const cells: [number, number, number][] = [];
    confusion.labels.forEach((_, a) => {
      for (let at = sparse.rowStart[a]!; at < sparse.rowStart[a + 1]!; at++) {
        cells.push([a, sparse.predicted[at]!, sparse.count[at]!]);
      }
    });
    const nonZero = counts.flatMap((row, a) =>
      row.flatMap((count, p) => (count === 0 ? [] : [[a, p, count]])),
    );
    expect(cells).toEqual(nonZero);
  });
});
