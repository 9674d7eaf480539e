/**
 * The predictions table is written byte by byte without strings (numbers by writeNumberText, ids
 * by ByteWriter.writeCell); what it writes is the data contract, so it must be the very bytes of
 * the plain row encoder: `encodeRow` of every row, numbers as `String(value)`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRow, type CellValue } from '../../src/csv/encode.js';
import { logExperiment } from '../../src/index.js';
import { headerOf, predictionColumns } from '../../src/layout/tables.js';
import type { Label } from '../../src/metrics/types.js';
import { predictionsTable } from '../../src/tracking/experiment-tables.js';
import { validateExperiment } from '../../src/tracking/validate.js';

const PREDICTION_ID = '3f1c2a9e-0000-4000-8000-000000000000';

/** A deterministic generator: a failure must replay. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Values of every shape a model’s output takes: scales from 1e-12 to 1e99, integers, signs. */
function randomValue(random: () => number): number {
  const shape = Math.floor(random() * 8);
  const sign = random() < 0.3 ? -1 : 1;
  switch (shape) {
    case 0:
      return sign * Math.floor(random() * 1e6); // counts, and 0
    case 1:
      return (sign * Math.round(random() * 1e4)) / 100; // prices, two decimals
    case 2:
      return sign * random() * 10 ** Math.floor(random() * 40 - 12);
    case 3:
      return sign * random() * 1e99; // y_pred adds at most as much: within ±1e100
    case 4:
      return sign * (random() < 0.5 ? 0.1 : 2 ** Math.floor(random() * 60 - 30));
    default:
      return sign * (random() * 100 + Math.PI);
  }
}

/** Sample ids: plain, numeric, to be quoted, neutralised (formulas), multi-byte UTF-8. */
function randomId(random: () => number, index: number): string | number {
  switch (Math.floor(random() * 10)) {
    case 0:
      return index;
    case 8:
      return `say "hi" ${index}`;
    case 9:
      return `cr\r${index}`;
    case 1:
      return `"quoted",${index}`;
    case 2:
      return `=HYPERLINK(${index})`;
    case 3:
      return `-${index}`;
    case 4:
      return `日本-🚀-${index}`;
    case 5:
      return `line\nbreak ${index}`;
    default:
      return `sample-${index.toString(36)}`;
  }
}

function randomExperiment(kind: 'regression' | 'classification', rows: number, seed: number) {
  const random = generator(seed);
  const testSet = Array.from({ length: rows }, (_, index) => randomId(random, index));
  const labels: Label[] = ['a,b', '-neg', 'plain', 'ünï "x"', '=1+1'];
  const yTrue =
    kind === 'regression'
      ? Float64Array.from({ length: rows }, () => randomValue(random))
      : Array.from({ length: rows }, () => labels[Math.floor(random() * labels.length)]!);
  const yPred =
    kind === 'regression'
      ? Float64Array.from(yTrue as Float64Array, (value) =>
          random() < 0.1 ? value : value + randomValue(random),
        )
      : (yTrue as Label[]).map((label) =>
          random() < 0.7 ? label : labels[Math.floor(random() * labels.length)]!,
        );
  return { kind, testSet, yTrue, yPred };
}

/** The table through the plain row encoder, as the predictions writer wrote it before. */
function reference(
  kind: 'regression' | 'classification',
  predictionId: string,
  testSet: readonly string[],
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
): string {
  let text = encodeRow(headerOf(predictionColumns(kind)));
  for (let index = 0; index < testSet.length; index += 1) {
    const a = yTrue[index]!;
    const p = yPred[index]!;
    const last: CellValue = kind === 'regression' ? (p as number) - (a as number) : a === p;
    text += encodeRow([predictionId, testSet[index], a, p, last]);
  }
  return text;
}

/** The experiment of `input`, as validateExperiment and logExperiment take it. */
function experimentOf(
  kind: 'regression' | 'classification',
  input: ReturnType<typeof randomExperiment>,
) {
  return {
    kind,
    project: 'bytes',
    parameters: {
      datasetUri: 'x',
      targetColumn: 'y',
      testSet: input.testSet,
      model: { name: 'M', params: {} },
    },
    yTrue: input.yTrue,
    yPred: input.yPred,
  };
}

describe('the predictions table, byte for byte', () => {
  it.each(['regression', 'classification'] as const)(
    'is the plain row encoder’s bytes for 100,000 random rows (%s), whatever the chunk size',
    (kind) => {
      const input = randomExperiment(kind, 100_000, kind === 'regression' ? 11 : 12);
      const valid = validateExperiment(experimentOf(kind, input));
      const expected = Buffer.from(
        reference(kind, PREDICTION_ID, valid.testSet, valid.yTrue, valid.yPred),
      );
      for (const chunkBytes of [1 << 20, 4099]) {
        const written = Buffer.concat([...predictionsTable(valid, PREDICTION_ID, chunkBytes)]);
        expect(written.length).toBe(expected.length);
        expect(written.equals(expected)).toBe(true);
      }
    },
  );

  it('is what logExperiment stores: 50,000 random regression rows in a local store', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ml-tracking-predictions-bytes-'));
    try {
      const input = randomExperiment('regression', 50_000, 13);
      const logged = await logExperiment({
        ...experimentOf('regression', input),
        plots: false,
        store: root,
        cwd: root,
      });
      const stored = await readFile(join(root, logged.files.predictions.path));
      const expected = reference(
        'regression',
        logged.predictionId,
        input.testSet.map(String),
        input.yTrue,
        input.yPred,
      );
      expect(stored.equals(Buffer.from(expected))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
