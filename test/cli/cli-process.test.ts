// What only a real process shows: its exit code, a pipe closed by its reader (EPIPE), colours
// decided by the process's own environment and stdout, a `.env` file read at start. Everything
// else about the command line runs in-process (command-line.test.ts, cli.test.ts).
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { runProcess, runNodeProgram } from '../support/processes.js';
import { BUILT_CLI } from '../support/programs.js';

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  runNodeProgram('src/cli/main.ts', args, { cwd, env: { ML_TRACKING_STORE: '', ...env } });

describe('ml-tracking as a process', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-cli-process-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('exits 2 on a usage error, with one line on stderr and nothing on stdout', async () => {
    const result = await cli(['list', '--projects', 'x'], cwd);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'ml-tracking: unknown flag --projects for "list"; did you mean --project?\n',
    );
  }, 30_000);

  it('--help prints no colour codes when stdout is a pipe', async () => {
    // citty colours unless TEST, CI or NO_COLOR is set; vitest sets TEST.
    const env = { TEST: '', CI: '', NO_COLOR: '', TERM: 'xterm-256color', FORCE_COLOR: '' };
    for (const args of [['--help'], ['log', '--help']]) {
      const help = await cli(args, cwd, env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('USAGE');
      expect(help.stdout).not.toContain('\u001b[');
    }
  }, 30_000);

  it('a reader that goes away (| head -1) ends the command quietly', async () => {
    // gc prints one line per unreferenced output: enough of them overflow a pipe buffer (64 KiB).
    // Three hours old: gc keeps an output without a row for an hour, whatever --min-age says.
    const store = join(cwd, 'many-outputs');
    await mkdir(join(store, 'scoring'), { recursive: true });
    const old = new Date(Date.now() - 3 * 3_600_000);
    await Promise.all(
      Array.from({ length: 2000 }, async () => {
        const file = join(store, 'scoring', `${randomUUID()}.csv`);
        await writeFile(file, 'metric,value\n');
        await utimes(file, old, old);
      }),
    );
    const command = `set -o pipefail; "${process.execPath}" "${BUILT_CLI}" gc --min-age 2h --store "${store}" | head -1`;
    const result = await runProcess('bash', ['-c', command]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^unreferenced\s+\d+\s+scoring\/[0-9a-f-]{36}\.csv\n$/);
  }, 60_000);

  it('reads ML_TRACKING_STORE from a .env file in the working directory', async () => {
    const project = await mkdtemp(join(tmpdir(), 'ml-tracking-env-'));
    await writeFile(join(project, '.env'), 'ML_TRACKING_STORE=./from-dotenv\n');
    const created = await runNodeProgram(
      'src/cli/main.ts',
      ['new-csv', '--project', 'env', '--kind', 'classification'],
      { cwd: project, env: {} },
    );
    expect(created.code).toBe(0);
    const store = await openStore(join(project, 'from-dotenv'));
    expect((await store.list('projects/')).objects).toHaveLength(1);
    await rm(project, { recursive: true, force: true });
  }, 30_000);
});
