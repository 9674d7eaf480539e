// `ml-tracking ui` stops at the first Ctrl-C (or SIGTERM) once a chart was served: the series
// reader's worker threads used to keep the process alive. The built CLI (npm run build), in its
// own process group as a terminal's job: the SIGINT it gets is what Ctrl-C sends.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/runs/start-run.js';
import type { ScalarsResponse } from '../../src/ui/api.js';
import { BUILT_CLI, cliSandbox, startCli, waitFor } from '../sweeps/sweep-helpers.js';

const ADDRESS = /http:\/\/127\.0\.0\.1:(\d+)\//;
const sandbox = cliSandbox('ml-tracking-ui-interrupt-');
let store: string;
let runId: string;

beforeAll(async () => {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first`);
  store = join(sandbox.folder, 'store');
  const run = await startRun({ project: 'charts', store, closeOnExit: false });
  for (let step = 0; step < 1000; step += 1) run.addScalar('loss', 1 / (step + 1), step);
  runId = (await run.finish()).id;
});

describe('ml-tracking ui after serving a chart', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`ends at the first ${signal}`, async () => {
      const ui = startCli(['ui', '--store', store, '--port', '0'], { ownProcessGroup: true });
      sandbox.started.push(ui);
      const port = await waitFor(
        `the address in ${ui.stdout}${ui.stderr}`,
        () => ADDRESS.exec(ui.stdout)?.[1],
        30_000,
      );
      const answer = await fetch(
        `http://127.0.0.1:${port}/api/scalars?runs=${runId}&tags=loss&maxPoints=100`,
      );
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as ScalarsResponse;
      expect(body.series[runId]?.loss?.step.length).toBeGreaterThan(0);

      process.kill(-ui.child.pid!, signal);
      const ended = await Promise.race([
        ui.exited,
        new Promise<'still running'>((resolve) => {
          setTimeout(() => {
            resolve('still running');
          }, 20_000);
        }),
      ]);
      expect(ended).toBe(0);
    }, 60_000);
  }
});
