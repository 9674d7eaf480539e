// The one JSON shape of a failure, `{ error: { code, message, parameter?, path?, hint? } }`: the
// line the built CLI prints on stderr with --json (and nothing on stdout), and the body of the
// dashboard's error answers (Hono's app.request(), no port).
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, openStore, startRun, type ErrorJson } from '../../src/index.js';
import { runPath } from '../../src/layout/paths.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';
import { cli } from '../sweeps/sweep-helpers.js';

// A run id of the right form that no store holds.
const ABSENT_RUN = '20261124T101530123Z-1a2b3c4d';

/** The one line on stderr, parsed; fails if there is anything else. */
function errorLine(stderr: string): ErrorJson {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines, stderr).toHaveLength(1);
  const parsed = JSON.parse(lines[0]!) as ErrorJson;
  expect(Object.keys(parsed)).toEqual(['error']);
  for (const key of Object.keys(parsed.error))
    expect(['code', 'name', 'message', 'parameter', 'path', 'hint']).toContain(key);
  return parsed;
}

describe('ml-tracking --json, failing', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-json-errors-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('prints nothing on stdout and one JSON line on stderr, with the exit code of its code', async () => {
    // A store that exists (a folder that does not is an error of its own), without that run.
    const store = join(folder, 'store');
    await mkdir(store);
    const flag = await cli(['runs', '--store', store, '--bogus', '--json']);
    expect(flag.stdout).toBe('');
    expect(errorLine(flag.stderr).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringContaining('--bogus') as string,
    });
    expect(flag.code).toBe(ERROR_CODES.ERR_USAGE.exitCode);

    const malformed = await cli(['run', 'not-a-run-id', '--store', store, '--json']);
    expect(malformed.stdout).toBe('');
    expect(errorLine(malformed.stderr).error).toMatchObject({
      code: 'ERR_VALIDATION',
      parameter: 'runId',
    });
    expect(malformed.code).toBe(2);

    const absent = await cli(['run', ABSENT_RUN, '--store', store, '--json']);
    expect(absent.stdout).toBe('');
    const { error } = errorLine(absent.stderr);
    expect(error).toMatchObject({
      code: 'ERR_NOT_FOUND',
      path: expect.stringContaining(ABSENT_RUN) as string,
    });
    expect(error.message).toContain(ABSENT_RUN);
    expect(error.message.endsWith(error.hint!)).toBe(true);
    expect(absent.code).toBe(1);

    // Without --json, the same failure is one line of text.
    const text = await cli(['run', ABSENT_RUN, '--store', store]);
    expect(text.stderr).toBe(`ml-tracking: ${error.message}\n`);
  }, 60_000);
});

describe('the dashboard’s error answers', () => {
  let app: ReturnType<typeof createUiApp>;
  let runId: string;
  beforeAll(async () => {
    const store = await openStore(`memory://json-errors-${randomUUID()}`);
    const run = await startRun({ store, project: 'soil', name: 'one', closeOnExit: false });
    run.addScalars({ loss: 0.5 }, 0);
    runId = (await run.finish()).id;
    // A run record cut short: not the runs table's header.
    await store.write(runPath(runId), 'run_id,pro');
    app = createUiApp(store);
  });

  async function answer(path: string): Promise<{ status: number; body: ErrorJson }> {
    const response = await app.request(path, { headers: { host: '127.0.0.1:5000' } });
    return { status: response.status, body: (await response.json()) as ErrorJson };
  }

  it('are errorJson with the status of the code', async () => {
    const missing = await answer(`/api/runs/${ABSENT_RUN}`);
    expect(missing.status).toBe(ERROR_CODES.ERR_NOT_FOUND.httpStatus);
    expect(missing.body.error.code).toBe('ERR_NOT_FOUND');
    expect(missing.body.error.message).toContain(ABSENT_RUN);

    const invalid = await answer('/api/scalars?maxPoints=ten');
    expect(invalid.status).toBe(ERROR_CODES.ERR_VALIDATION.httpStatus);
    expect(invalid.body.error).toMatchObject({ code: 'ERR_VALIDATION' });
    expect(invalid.body.error.message).toContain('maxPoints');

    // The server and the request are fine: the stored record cannot be read.
    const corrupt = await answer(`/api/runs/${runId}`);
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.error).toMatchObject({
      code: 'ERR_CORRUPT_FILE',
      path: runPath(runId),
      hint: expect.stringContaining('restore it') as string,
    });
    expect(corrupt.body.error.message.endsWith(corrupt.body.error.hint!)).toBe(true);

    const method = await app.request('/projects', {
      method: 'POST',
      headers: { host: '127.0.0.1:5000' },
    });
    expect(method.status).toBe(ERROR_CODES.ERR_METHOD.httpStatus);
  });
});
