/**
 * The CPU-heavy part of a chart request, shared by the worker threads and the in-process
 * fallback so both answer alike: rows of a scalars file decoded into series, or into rows with
 * their ends for the series index (see `series/series-decoder.ts`).
 */
import type { ScalarSeries } from '../../runs/scalar-table.js';
import {
  decodeRows,
  partRows,
  type DecodeOptions,
  type PartRows,
} from '../../series/series-decoder.js';

/** One piece of work for a decoding thread. */
export type ThinTask =
  | { kind: 'decode'; bytes: Uint8Array; options: DecodeOptions }
  | { kind: 'rows'; bytes: Uint8Array; options: { headerless: boolean; byteStart: number } };

/** What a task answers, by kind. */
export type ThinResult = Record<string, ScalarSeries> | PartRows;

/** Carries out a task. */
export function runThinTask(task: ThinTask): ThinResult {
  switch (task.kind) {
    case 'decode':
      return decodeRows(task.bytes, task.options);
    case 'rows':
      return partRows(task.bytes, task.options);
  }
}

/** The buffers of a task's result, handed over to the thread that asked rather than copied. */
export function transferables(task: ThinTask, result: ThinResult): ArrayBuffer[] {
  let arrays: ArrayBufferView[];
  if (task.kind === 'rows') {
    const { rows } = result as PartRows;
    arrays = [rows.tag as Uint32Array, rows.step, rows.value, rows.wallTime, rows.rowEnd];
  } else {
    const series = Object.values(result as Record<string, ScalarSeries>);
    arrays = series.flatMap(({ step, value, wallTime }) => [step, value, wallTime]);
  }
  // A series may be a view of a larger buffer (decoding grows arrays by doubling): each once.
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
