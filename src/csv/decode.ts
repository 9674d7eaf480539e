import { parse } from 'csv-parse/sync';

/** Reads a CSV table with a header row into records keyed by column name. */
export function decodeTable(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
}
