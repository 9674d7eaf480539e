/**
 * uPlot draws series that share one x array. Runs log different steps (and downsampling keeps
 * different steps per run), so the lines are put on a common x: the union of their x values
 * when it is small enough to draw, else a grid of `columns` (about two per pixel) onto which
 * each point is snapped. Without the grid, 100 runs of 1,000 thinned points would make 100
 * arrays of 100,000 cells (mostly empty) per chart; with it they are 100 × 2,000, and a point
 * moves by less than a pixel. Gaps are `null`; the chart spans them.
 */
import type uPlot from 'uplot';

export interface LineData {
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
}

type Column = Float64Array | (number | null)[];

export interface AlignedLines {
  data: uPlot.AlignedData;
  /** Points that made it onto the chart (all lines). */
  points: number;
}

export function alignSeries(lines: readonly LineData[], columns: number): AlignedLines {
  let total = 0;
  for (const line of lines) total += line.x.length;
  const all = new Float64Array(total);
  let filled = 0;
  for (const line of lines) {
    for (let index = 0; index < line.x.length; index += 1) all[filled++] = line.x[index]!;
  }
  all.sort();
  let unique = 0;
  for (let index = 0; index < total; index += 1) {
    const value = all[index]!;
    if (Number.isNaN(value)) break; // NaN sorts last: no x at all, nothing to place.
    if (unique === 0 || value !== all[unique - 1]) all[unique++] = value;
  }
  return unique <= columns
    ? alignExact(lines, all.slice(0, unique))
    : alignOnGrid(lines, all[0]!, all[unique - 1]!, columns);
}

function alignExact(lines: readonly LineData[], xs: Float64Array): AlignedLines {
  const data: Column[] = [xs];
  let points = 0;
  for (const line of lines) {
    const ys = new Array<number | null>(xs.length).fill(null);
    let cursor = 0;
    for (let index = 0; index < line.x.length; index += 1) {
      const x = line.x[index]!;
      // Lines come in x order, so the cursor only moves forward; a step that goes back
      // (none should) is found by a search from the start.
      if (cursor >= xs.length || xs[cursor]! > x) cursor = lowerBound(xs, x);
      while (cursor < xs.length && xs[cursor]! < x) cursor += 1;
      if (xs[cursor] !== x) continue;
      const y = line.y[index] ?? null;
      ys[cursor] = y;
      if (y !== null) points += 1;
    }
    data.push(ys);
  }
  return { data: data as uPlot.AlignedData, points };
}

function alignOnGrid(
  lines: readonly LineData[],
  low: number,
  high: number,
  columns: number,
): AlignedLines {
  const width = (high - low) / columns;
  const columnOf = (x: number): number => Math.min(columns - 1, Math.floor((x - low) / width));
  // A column's x is the smallest x snapped into it, so exact steps survive where they can.
  const columnX = new Float64Array(columns).fill(Number.NaN);
  for (const line of lines) {
    for (let index = 0; index < line.x.length; index += 1) {
      const x = line.x[index]!;
      if (Number.isNaN(x)) continue;
      const column = columnOf(x);
      const current = columnX[column]!;
      if (Number.isNaN(current) || x < current) columnX[column] = x;
    }
  }
  const position = new Int32Array(columns).fill(-1);
  const xs: number[] = [];
  for (let column = 0; column < columns; column += 1) {
    if (!Number.isNaN(columnX[column]!)) {
      position[column] = xs.length;
      xs.push(columnX[column]!);
    }
  }
  const data: Column[] = [Float64Array.from(xs)];
  let points = 0;
  for (const line of lines) {
    const ys = new Array<number | null>(xs.length).fill(null);
    // Two points of a line in one column: keep the one further from the line's previous
    // column, so a spike is what shows (the server kept it for that reason).
    let previous: number | null = null;
    let lastSlot = -1;
    for (let index = 0; index < line.x.length; index += 1) {
      const x = line.x[index]!;
      const y = line.y[index] ?? null;
      if (Number.isNaN(x) || y === null) continue;
      const slot = position[columnOf(x)]!;
      if (slot !== lastSlot) {
        if (lastSlot >= 0) previous = ys[lastSlot] ?? null;
        lastSlot = slot;
        if (ys[slot] === null) {
          ys[slot] = y;
          points += 1;
        }
        continue;
      }
      const held = ys[slot] ?? null;
      if (
        previous !== null &&
        held !== null &&
        Math.abs(y - previous) > Math.abs(held - previous)
      ) {
        ys[slot] = y;
      }
    }
    data.push(ys);
  }
  return { data: data as uPlot.AlignedData, points };
}

function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
