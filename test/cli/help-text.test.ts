// --help as people read it (issue 22, item 5): wrapped to the terminal's width, and to 100
// columns when it is not a terminal, with no word lost or cut.
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/_commands.js';
import { wrapHelp } from '../../src/cli/_help-text.js';
import { cli } from './_in-process.js';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
const words = (text: string) => text.split(/\s+|(?<=\|)/).filter((word) => word !== '');

describe('--help', () => {
  it('fits in 100 columns off a terminal, for ml-tracking and every command', async () => {
    for (const args of [['--help'], ...Object.keys(commands()).map((name) => [name, '--help'])]) {
      const help = await cli(args);
      expect(help.code).toBe(0);
      expect(widest(help.stdout), args.join(' ')).toBeLessThanOrEqual(100);
      expect(help.stdout).not.toMatch(/ +$/m);
    }
  });

  it("fits a terminal's width, down to 40 columns", async () => {
    for (const columns of [60, 132]) {
      const help = await cli(['log', '--help'], { terminalColumns: columns });
      expect(widest(help.stdout)).toBeLessThanOrEqual(columns);
    }
    // Wider than 100 on a terminal that has the room: rows are not broken for nothing.
    const wide = await cli(['--help'], { terminalColumns: 250 });
    expect(widest(wide.stdout)).toBeGreaterThan(100);
  });

  it('keeps every word, and wraps a description under its own column', () => {
    const usage = [
      'USAGE tool a|bb|ccc|dddd|eeeee',
      '',
      '  --flag=<x>    ' + 'word '.repeat(30).trim() + '    ',
      '     -h, --help    Short',
    ].join('\n');
    const wrapped = wrapHelp(usage, 40);
    expect(widest(wrapped)).toBeLessThanOrEqual(40);
    expect(words(wrapped)).toEqual(words(usage));
    const lines = wrapped.split('\n');
    const row = lines.findIndex((line) => line.startsWith('  --flag=<x>    word'));
    expect(lines[row + 1]).toMatch(/^ {16}word/);
    expect(lines).toContain('     -h, --help    Short');
  });
});
