/**
 * RFC 4180 CSV cells, UTF-8, `\n` line ends. Written by hand rather than with csv-stringify
 * because the predictions table of a million samples is on the hot path of every logged
 * experiment and csv-stringify takes longer for the same rows (`npm run bench -- csv`).
 * csv-parse reads everything back in the tests.
 */

/** A cell value: `undefined` (and NaN) are written as an empty cell, never as 0. */
export type CellValue = string | number | boolean | undefined;

const NEEDS_QUOTES = /[",\r\n]/;
// Cells a spreadsheet would run as a formula (OWASP "CSV injection").
export const FORMULA_START = /^[=+\-@\t\r]/;
// A signed decimal number is shown as a number, never run: labels such as -1 and +1 (SVMs,
// IsolationForest) and sample ids such as -5 must reach every table as they are, or joins
// between tables break in Looker.
export const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Encodes one cell. Strings are free text: one that starts with `=`, `+`, `-`, `@`, tab or CR
 * and is not a plain decimal number gets a `'` in front, so that a spreadsheet shows it
 * instead of running it (`-1` stays `-1`; `-1+1` becomes `'-1+1`). Numbers are written at full
 * precision (shortest round-trip form) and never altered.
 */
export function encodeCell(value: CellValue): string {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? '' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return '';
    default: {
      const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
      return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    }
  }
}

/** One CSV line, with its `\n`. */
export function encodeRow(values: readonly CellValue[]): string {
  let line = '';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) line += ',';
    line += encodeCell(values[index]);
  }
  return `${line}\n`;
}

/** A whole table: the header, then one line per row. */
export function encodeTable(
  header: readonly string[],
  rows: Iterable<readonly CellValue[]>,
): string {
  const lines = [encodeRow(header)];
  for (const row of rows) lines.push(encodeRow(row));
  return lines.join('');
}
