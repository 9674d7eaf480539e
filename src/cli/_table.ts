import type { Output } from './_output.js';
import { terminalText } from './_terminal-text.js';

/**
 * Prints rows under a header, each column as wide as its widest cell; numbers right-aligned.
 * Cells and titles are user data (names, tags, a metric's name): escaped to one line each before they are measured,
 * so no control character reaches the terminal and the columns stay aligned.
 */
export function printTable(
  output: Output,
  titles: readonly string[],
  cells: readonly string[][],
): void {
  const header = titles.map((title) => terminalText(title));
  const rows = cells.map((row) => row.map((cell) => terminalText(cell)));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map(
    (_, column) =>
      rows.length > 0 && rows.every((row) => /^-?[\d.e+-]+$|^-$/.test(row[column] ?? '')),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  output.line(line(header));
  for (const row of rows) output.line(line(row));
}

/** Six significant digits for a compact column (`--json` has full precision). */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** `2026-11-24 10:15:30` (UTC) */
export const formatTime = (moment: Date): string =>
  moment.toISOString().slice(0, 19).replace('T', ' ');

/** `1h 02m`, `3m 05s`, `12.3s` */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
