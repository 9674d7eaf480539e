import { ValidationError } from '../../errors.js';

/** Where a cell is: its data row counting from 1, and its line in the file. */
export interface CellPosition {
  row: number;
  line: number;
}

/** A decimal number: an optional sign, digits with an optional point (or a point and digits), an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export const NOT_DECIMAL_FIX =
  'Write regression values as decimal numbers such as 12, -0.5 or 1.5e-3 (not hexadecimal, binary, octal, with underscores, Infinity or blank).';

export const NOT_PROBABILITY_FIX =
  'Write probabilities as decimal numbers from 0 to 1, such as 0.25 or 1.5e-3 (not percentages, Infinity or blank).';

/**
 * A cell as a number, when it is written as a plain decimal number (`Number()` would also take
 * `0x10`, `0b11`, `Infinity` and blank cells). Spaces around a number are harmless: hand-written
 * CSVs have them; a blank cell is not.
 */
export function decimalNumber(cell: string): number | undefined {
  const text = cell.trim();
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** Whether a cell is the canonical text of a safe integer, which a label read as a number keeps. */
export function isCanonicalInteger(cell: string): boolean {
  const number = Number(cell);
  return Number.isSafeInteger(number) && String(number) === cell;
}

/** A bad cell, named by its file, column, data row and line. */
export function invalidCell(
  parameter: string,
  file: string,
  column: string,
  cell: string,
  where: CellPosition,
  what: string,
  fix: string,
): ValidationError {
  return new ValidationError(
    parameter,
    `${file}, column ${JSON.stringify(column)}, data row ${where.row} (line ${where.line}): ${describeCell(cell)} is not ${what}`,
    fix,
  );
}

function describeCell(cell: string): string {
  if (cell.trim() === '')
    return cell === '' ? 'the empty cell' : `the blank cell ${JSON.stringify(cell)}`;
  const shown = JSON.stringify(cell);
  return `the cell ${shown.length > 40 ? `${shown.slice(0, 37)}..."` : shown}`;
}
