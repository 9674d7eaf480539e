/**
 * `--help` as people read it: citty pads every row of its tables to the longest description
 * (220+ columns), which a terminal wraps mid-word and a pager cuts off. Here each row's
 * description is wrapped to the width, under its own column, and trailing padding goes.
 */
import { stripVTControlCharacters } from 'node:util';

/** The width of help text when it is not written to a terminal (a pipe, a file, a pager). */
export const HELP_WIDTH_OFF_TERMINAL = 100;
/** Narrower than this, wrapping does more harm than good: the terminal wraps. */
const NARROWEST = 40;

/** The width to wrap help text to: the terminal's, else {@link HELP_WIDTH_OFF_TERMINAL}. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0) {
    return Math.max(NARROWEST, stream.columns);
  }
  return HELP_WIDTH_OFF_TERMINAL;
}

/** A row of a table: its label (indented), then two or more spaces, then its description. */
const TABLE_ROW = /^(\s*\S(?:.*?\S)?)( {2,})(\S.*)$/;

/** `usage` (citty's text, colours removed) with every line fitted to `width` columns. */
export function wrapHelp(usage: string, width: number): string {
  return stripVTControlCharacters(usage)
    .split('\n')
    .flatMap((line) => fitLine(line.trimEnd(), width))
    .join('\n');
}

function fitLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const row = TABLE_ROW.exec(line);
  // A row whose label leaves the description room enough: wrap the description in its column.
  if (row !== null) {
    const column = row[1]!.length + row[2]!.length;
    if (width - column >= NARROWEST / 2) {
      const [first = '', ...rest] = wrapWords(row[3]!, width - column);
      return [`${row[1]!}${row[2]!}${first}`, ...rest.map((text) => ' '.repeat(column) + text)];
    }
  }
  // Anything else (the USAGE line and its list of commands): wrap with a hanging indent.
  const indent = /^\s*/.exec(line)![0].length + 2;
  const [first = '', ...rest] = wrapWords(line.trimStart(), width - indent);
  return [' '.repeat(indent - 2) + first, ...rest.map((text) => ' '.repeat(indent) + text)];
}

/**
 * `text` in lines of at most `width` characters, broken at spaces and after `|` (the USAGE
 * line's alternatives); a word longer than the width is left whole rather than cut.
 */
function wrapWords(text: string, width: number): string[] {
  const words = text.split(/(?<=\|)|\s+/).filter((word) => word !== '');
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const glue = current === '' || current.endsWith('|') ? '' : ' ';
    if (current !== '' && current.length + glue.length + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current += glue + word;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}
