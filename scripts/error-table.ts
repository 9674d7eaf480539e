// The README's table of error codes, made from ERROR_CODES (src/error-codes.ts), so that a new
// code cannot be left out. test/errors/readme-errors.test.ts checks the README holds it.
//
//   npx tsx scripts/error-table.ts           prints the table
//   npx tsx scripts/error-table.ts --write   puts it into README.md, between the two markers
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { ERROR_CODES, type ErrorCodeInfo } from '../src/error-codes.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const ERRORS_START =
  '<!-- errors: made by `npx tsx scripts/error-table.ts --write` from src/error-codes.ts; do not edit by hand -->';
export const ERRORS_END = '<!-- end of errors -->';

/** The table, formatted as prettier formats the README. */
export async function errorTable(): Promise<string> {
  const rows = Object.entries(ERROR_CODES).map(([code, info]: [string, ErrorCodeInfo]) => [
    `\`${code}\``,
    info.dashboardOnly === true ? '' : String(info.exitCode),
    String(info.httpStatus),
    info.summary,
  ]);
  const table = [
    ['code', 'exit code', 'HTTP status', 'what it means'],
    ['---', '---', '---', '---'],
    ...rows.map((cells) => cells.map((text) => text.replaceAll('|', '\\|'))),
  ]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
  const options = await resolveConfig(README);
  return (await format(table, { ...options, parser: 'markdown' })).trimEnd();
}

/** The README's table as it stands, between the markers; `undefined` without them. */
export function errorTableInReadme(readme: string): string | undefined {
  const start = readme.indexOf(ERRORS_START);
  const end = readme.indexOf(ERRORS_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + ERRORS_START.length, end).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = await errorTable();
  if (!process.argv.includes('--write')) {
    console.log(table);
  } else {
    const readme = await readFile(README, 'utf8');
    if (errorTableInReadme(readme) === undefined)
      throw new Error(`README.md has no ${ERRORS_START} … ${ERRORS_END} markers`);
    const start = readme.indexOf(ERRORS_START) + ERRORS_START.length;
    const end = readme.indexOf(ERRORS_END);
    await writeFile(README, `${readme.slice(0, start)}\n\n${table}\n\n${readme.slice(end)}`);
    console.log('README.md: error table updated');
  }
}
