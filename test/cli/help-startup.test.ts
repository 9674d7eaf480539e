// `ml-tracking --help` lists the commands without importing them (issue 22: it imported every
// command to read its description, 4.3× a bare Node start; `npm run bench -- startup` has the
// times). A process that names the modules it loads shows it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/processes.js';
import { BUILT_CLI, root } from '../support/programs.js';

const REGISTER = join(root, 'test/support/module-log/register.mjs');

async function loadedBy(args: string[]): Promise<string[]> {
  const result = await runProcess(process.execPath, ['--import', REGISTER, BUILT_CLI, ...args], {
    cwd: root,
  });
  expect(result.code, result.stderr).toBe(0);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice('LOADED '.length))
    .sort();
}

describe('ml-tracking --help', () => {
  it('loads no command, only what --version loads', async () => {
    const help = await loadedBy(['--help']);
    expect(help.filter((url) => url.includes('/cli/commands/'))).toEqual([]);
    expect(help).toEqual(await loadedBy(['--version']));
  });

  it("a command's --help loads that command alone", async () => {
    const commands = (await loadedBy(['runs', '--help'])).filter((url) =>
      url.includes('/cli/commands/'),
    );
    expect(commands.map((url) => url.slice(url.lastIndexOf('/') + 1))).toEqual(['runs.js']);
  });
});
