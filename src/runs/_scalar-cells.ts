/**
 * Reading the cells of the scalars table: tags (with encode.ts's formula guard undone), numbers,
 * wall times and, for the rare line that holds a quote, a careful RFC 4180 record. Kept apart
 * from the line scanner in `scalar-table.ts`, which calls these for each line.
 */
import { FORMULA_START, PLAIN_NUMBER } from '../csv/encode.js';

// encode.ts's rule for neutralised formulas, undone: a `'` comes off only where encodeCell
// would have put one, so a tag that really starts with `'` keeps it.
export const LINE_FEED = 10;
export const CARRIAGE_RETURN = 13;
const QUOTE = 34;
export const COMMA = 44;
// 1e0 … 1e22, the powers of ten a double holds exactly (parsed, as `**` may round).
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => Number(`1e${power}`));

/** The text a text cell stands for: the `'` that encodeCell put before a formula-like text comes off. */
export function decodeTextCell(cell: string): string {
  if (!cell.startsWith("'")) return cell;
  const rest = cell.slice(1);
  return FORMULA_START.test(rest) && !PLAIN_NUMBER.test(rest) ? rest : cell;
}

/**
 * The number in `text[start, end)`, or NaN when there is none. A decimal whose digits, read as
 * one integer, stay within 2^53 and that has at most 22 decimals is one exact division, which is
 * correctly rounded (Clinger's fast path) and needs no string; anything else (most 17-digit
 * values, exponents) goes to `Number`.
 */
export function parseNumber(text: string, start: number, end: number): number {
  let cursor = start;
  let code = text.charCodeAt(cursor);
  const negative = code === 45;
  if (negative) code = text.charCodeAt((cursor += 1));
  let digits = 0;
  let decimals = 0;
  let mantissa = 0;
  while (code >= 48 && code <= 57) {
    mantissa = mantissa * 10 + (code - 48);
    digits += 1;
    code = text.charCodeAt((cursor += 1));
  }
  if (code === 46) {
    code = text.charCodeAt((cursor += 1));
    while (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      decimals += 1;
      code = text.charCodeAt((cursor += 1));
    }
  }
  if (cursor === end && digits + decimals > 0 && mantissa <= Number.MAX_SAFE_INTEGER) {
    const power = EXACT_POWERS_OF_TEN[decimals];
    if (power !== undefined) return negative ? -(mantissa / power) : mantissa / power;
  }
  const cell = text.slice(start, end);
  return cell.trim() === '' ? Number.NaN : Number(cell);
}

/** The digit at `at`, or NaN (which then spreads through the arithmetic it enters). */
export function digitAt(text: string, at: number): number {
  const digit = text.charCodeAt(at) - 48;
  return digit >>> 0 < 10 ? digit : Number.NaN;
}

/**
 * Reads wall times, which the writer always writes in `toISOString`'s form,
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`, digit by digit, and looks a day's start up only when the day
 * changes. Measured on a million lines, that is cheaper than comparing each line with a cached
 * `YYYY-MM-DDTHH:MM:SS` (`startsWith` costs about as much as reading twenty digits), and a tenth
 * of `Date.parse`, which reads any other form.
 */
export class WallTimeReader {
  private day = Number.NaN;
  private dayMs = Number.NaN;

  /** The wall time in `text[start, end)`, or NaN when there is none. */
  read(text: string, start: number, end: number): number {
    if (
      end - start === 24 &&
      text.charCodeAt(start + 4) === 45 &&
      text.charCodeAt(start + 7) === 45 &&
      text.charCodeAt(start + 10) === 84 &&
      text.charCodeAt(start + 13) === 58 &&
      text.charCodeAt(start + 16) === 58 &&
      text.charCodeAt(start + 19) === 46 &&
      text.charCodeAt(start + 23) === 90
    ) {
      const year =
        digitAt(text, start) * 1000 +
        digitAt(text, start + 1) * 100 +
        digitAt(text, start + 2) * 10 +
        digitAt(text, start + 3);
      const month = digitAt(text, start + 5) * 10 + digitAt(text, start + 6);
      const dayOfMonth = digitAt(text, start + 8) * 10 + digitAt(text, start + 9);
      const hours = digitAt(text, start + 11) * 10 + digitAt(text, start + 12);
      const minutes = digitAt(text, start + 14) * 10 + digitAt(text, start + 15);
      const seconds = digitAt(text, start + 17) * 10 + digitAt(text, start + 18);
      const ms =
        digitAt(text, start + 20) * 100 +
        digitAt(text, start + 21) * 10 +
        digitAt(text, start + 22);
      const day = year * 10_000 + month * 100 + dayOfMonth;
      if (day !== this.day) this.startDay(day, year, month, dayOfMonth);
      // NaN (a character that is not a digit, or no such day) fails every comparison.
      if (hours < 24 && minutes < 60 && seconds < 60 && this.dayMs >= -Infinity) {
        return this.dayMs + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
      }
    }
    const cell = text.slice(start, end);
    return cell === '' ? Number.NaN : Date.parse(cell);
  }

  private startDay(day: number, year: number, month: number, dayOfMonth: number): void {
    // setUTCFullYear, unlike Date.UTC, takes years below 100 as they are.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, dayOfMonth);
    // A day that does not exist (2026-02-30) would roll over into the next month.
    const exists = date.getUTCMonth() === month - 1 && date.getUTCDate() === dayOfMonth;
    this.day = day;
    this.dayMs = exists ? date.getTime() : Number.NaN;
  }
}

/**
 * One RFC 4180 record from `start`: its cells and where the next record starts, or `undefined`
 * when the text ends inside a quoted cell. A quote inside an unquoted cell is kept as text.
 */
export function parseRecord(
  text: string,
  start: number,
): { cells: string[]; next: number } | undefined {
  const cells: string[] = [];
  let position = start;
  for (;;) {
    let cell = '';
    if (text.charCodeAt(position) === QUOTE) {
      position += 1;
      for (;;) {
        const quote = text.indexOf('"', position);
        if (quote < 0) return undefined;
        cell += text.slice(position, quote);
        position = quote + 1;
        // A doubled quote is one quote of the text; a single one closes the cell.
        if (text.charCodeAt(position) !== QUOTE) break;
        cell += '"';
        position += 1;
      }
    }
    let end = position;
    while (
      end < text.length &&
      text.charCodeAt(end) !== COMMA &&
      text.charCodeAt(end) !== LINE_FEED
    ) {
      end += 1;
    }
    if (end >= text.length) return undefined;
    cell += text.slice(position, end);
    const last = text.charCodeAt(end) === LINE_FEED;
    cells.push(last && cell.endsWith('\r') ? cell.slice(0, -1) : cell);
    position = end + 1;
    if (last) return { cells, next: position };
  }
}
