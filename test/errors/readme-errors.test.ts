import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { README, errorTable, errorTableInReadme } from '../../scripts/error-table.js';
import { ERROR_CODES } from '../../src/error-codes.js';

describe('README error table', () => {
  it('is ERROR_CODES (regenerate: npx tsx scripts/error-table.ts --write)', async () => {
    const table = await errorTable();
    for (const code of Object.keys(ERROR_CODES)) expect(table).toContain(`\`${code}\``);
    expect(errorTableInReadme(await readFile(README, 'utf8'))).toBe(table);
  });
});
