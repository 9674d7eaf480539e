// `ml-tracking ui` as a person starts it: the built CLI (npm run build) in its own process group,
// so that the SIGINT it gets is what Ctrl-C in a terminal sends. It prints its address, answers
// there, stops on Ctrl-C, and warns when told to listen beyond this machine.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logExperiment } from '../../src/index.js';
import type { ProjectsResponse } from '../../src/ui/api.js';
import {
  BUILT_CLI,
  cliSandbox,
  exitsWithin,
  startCli,
  waitFor,
  type CliProcess,
} from '../sweeps/sweep-helpers.js';

const ADDRESS = /http:\/\/127\.0\.0\.1:(\d+)\//;

const sandbox = cliSandbox('ml-tracking-ui-cli-');
let store: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first`);
  store = join(sandbox.folder, 'store');
  await mkdir(store);
  await logExperiment({
    store,
    cwd: sandbox.folder,
    kind: 'regression',
    project: 'cli check',
    parameters: { datasetUri: 'gs://demo/d.csv', targetColumn: 'y', testSet: [1, 2, 3], model: {} },
    yTrue: [1, 2, 3],
    yPred: [1, 2, 4],
    plots: false,
  });
});

afterEach(() => {
  for (const child of running.splice(0)) child.child.kill('SIGKILL');
});

function start(args: string[], port = '0'): CliProcess {
  const child = startCli(['ui', '--store', store, '--port', port, ...args], {
    ownProcessGroup: true,
  });
  running.push(child);
  return child;
}

describe('ml-tracking ui', () => {
  it('prints its address, answers there, and stops on Ctrl-C', async () => {
    const ui = start([]);
    const port = await waitFor(
      `the address in ${ui.stdout}${ui.stderr}`,
      () => ADDRESS.exec(ui.stdout)?.[1],
      15_000,
    );
    const base = `http://127.0.0.1:${port}`;
    const projects = (await (await fetch(`${base}/api/projects`)).json()) as ProjectsResponse;
    expect(projects.projects.map((item) => item.project)).toEqual(['cli-check']);
    const page = await fetch(`${base}/projects`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script[^>]+src=/);
    // On 127.0.0.1 nothing is said about exposure.
    expect(ui.stderr).toBe('');

    process.kill(-ui.child.pid!, 'SIGINT');
    expect(await exitsWithin(ui, 5000)).toBe(true);
    expect(await ui.exited).toBe(0);
    await expect(fetch(`${base}/api/projects`)).rejects.toThrow();
  });

  it('warns in one line that anyone who can reach it can read the store, with --host 0.0.0.0', async () => {
    const ui = start(['--host', '0.0.0.0']);
    await waitFor(
      `the address in ${ui.stdout}`,
      () => /http:\/\/\S+:\d+\//.test(ui.stdout),
      15_000,
    );
    const warning = ui.stderr.trim().split('\n');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/warning/i);
    expect(warning[0]).toContain('0.0.0.0');
    expect(warning[0]).toMatch(/anyone/i);
    expect(warning[0]).toMatch(/read the store/);
    process.kill(-ui.child.pid!, 'SIGINT');
    expect(await exitsWithin(ui, 5000)).toBe(true);
  });

  it('refuses a port that is not one, saying which flag is wrong', async () => {
    const ui = start([], 'eighty');
    expect(await exitsWithin(ui, 10_000)).toBe(true);
    expect(await ui.exited).not.toBe(0);
    expect(ui.stderr).toContain('--port');
    expect(ui.stdout).not.toMatch(ADDRESS);
  });
});
