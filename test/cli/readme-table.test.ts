import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { README, commandTable, tableInReadme } from '../../scripts/cli-table.js';
import { commands } from '../../src/cli/_commands.js';

describe('README command table', () => {
  it('is what the commands declare (regenerate: npx tsx scripts/cli-table.ts --write)', async () => {
    const table = await commandTable();
    for (const name of Object.keys(commands())) {
      expect(table).toContain(`\`ml-tracking ${name}`);
    }
    expect(tableInReadme(await readFile(README, 'utf8'))).toBe(table);
  });
});
