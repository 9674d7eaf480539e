// The README's table of commands, made from what the commands declare (their `meta` and `args`),
// so that a new flag cannot be left out. test/cli/readme-table.test.ts checks the README holds it.
//
//   npx tsx scripts/cli-table.ts           prints the table
//   npx tsx scripts/cli-table.ts --write   puts it into README.md, between the two markers
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ArgDef, ArgsDef } from 'citty';
import { format, resolveConfig } from 'prettier';
import { globalArgs } from '../src/cli/_command-line.js';
import { commands, resolved } from '../src/cli/_commands.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const TABLE_START =
  '<!-- commands: made by `npx tsx scripts/cli-table.ts --write` from the commands themselves; do not edit by hand -->';
export const TABLE_END = '<!-- end of commands -->';

/** The table, formatted as prettier formats the README. */
export async function commandTable(): Promise<string> {
  const rows: string[][] = [];
  const shared: ArgsDef = globalArgs;
  rows.push(['`ml-tracking`', '', 'Flags every command takes, also before its name']);
  for (const [name, def] of Object.entries(shared)) rows.push(['', ...flagCells(name, def)]);
  for (const load of Object.values(commands())) {
    const command = await load();
    const meta = await resolved(command.meta);
    const args = await resolved(command.args);
    const positionals = Object.keys(args)
      .filter((name) => args[name]?.type === 'positional')
      .map((name) => ` <${name.toUpperCase()}>`)
      .join('');
    rows.push([`\`ml-tracking ${meta.name ?? ''}${positionals}\``, '', meta.description ?? '']);
    for (const [name, def] of Object.entries(args)) {
      // The global flags, listed once above (every command declares --store, with this text).
      if (shared[name] === def) continue;
      rows.push(['', ...flagCells(name, def)]);
    }
  }
  const table = [
    ['command', 'flag', 'what it does'],
    ['---', '---', '---'],
    ...rows.map((cells) => cells.map(escapeCell)),
  ]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
  const options = await resolveConfig(README);
  return (await format(table, { ...options, parser: 'markdown' })).trimEnd();
}

function flagCells(name: string, def: ArgDef): [string, string] {
  const aliases = 'alias' in def ? [def.alias ?? []].flat().map((alias) => `\`-${alias}\``) : [];
  let flag: string;
  if (def.type === 'positional') flag = `\`<${name.toUpperCase()}>\``;
  else if (def.type === 'boolean')
    flag = [
      ...aliases,
      `\`--${name}\``,
      ...(def.default === true ? [`\`--no-${name}\``] : []),
    ].join(', ');
  else flag = [...aliases, `\`--${name} <${def.valueHint ?? name}>\``].join(', ');
  const notes = [
    def.required === true && def.default === undefined ? 'required' : '',
    def.default === undefined
      ? ''
      : typeof def.default === 'boolean'
        ? `${def.default ? 'on' : 'off'} by default`
        : `default: \`${def.default}\``,
  ].filter(Boolean);
  const description = def.description ?? '';
  return [flag, notes.length === 0 ? description : `${description} (${notes.join(', ')})`];
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The README's table as it stands, between the markers; `undefined` without them. */
export function tableInReadme(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = await commandTable();
  if (!process.argv.includes('--write')) {
    console.log(table);
  } else {
    const readme = await readFile(README, 'utf8');
    if (tableInReadme(readme) === undefined)
      throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
    const start = readme.indexOf(TABLE_START) + TABLE_START.length;
    const end = readme.indexOf(TABLE_END);
    await writeFile(README, `${readme.slice(0, start)}\n\n${table}\n\n${readme.slice(end)}`);
    console.log('README.md: command table updated');
  }
}
