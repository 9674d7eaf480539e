// The dashboard's server without a browser: Hono's app.request() for routes and headers, and real
// HTTP (node:http, which sends a path exactly as given) where a client would not normalise it.
// Path parameters never reach outside the store or the allowed folders, unknown ids are JSON 404s
// without stack traces, every answer carries the security headers, and nothing writes.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type {
  ExperimentDetail,
  ExperimentsResponse,
  ProjectsResponse,
  RunsResponse,
  SweepDetail,
} from '../../src/ui/api.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';
import {
  ASSETS_FOLDER,
  folderSnapshot,
  STACK_TRACE,
  storeSnapshot,
  useSeededUi,
} from './_ui-harness.js';

const ui = useSeededUi('local', { sweepTrials: 3 });
const SECRET = `top-secret-${randomUUID()}`;
let app: Hono;
let secretName: string;

beforeAll(async () => {
  app = createUiApp(ui.store, { assetsFolder: ASSETS_FOLDER });
  // A file beside the store's folder: no URL may serve it.
  secretName = 'secret.txt';
  await writeFile(join(dirname(ui.folder!), secretName), SECRET);
});

/** A GET over real HTTP with the path sent byte for byte. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const url = new URL(ui.server.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'GET', headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The directives of a Content-Security-Policy header. */
function directives(policy: string | null | undefined): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) parsed.set(name.toLowerCase(), values);
  }
  return parsed;
}

function expectSecurityHeaders(headers: Headers, what: string): void {
  const policy = directives(headers.get('content-security-policy'));
  expect(policy.get('script-src'), `${what}: script-src`).toEqual(["'self'"]);
  expect(headers.get('x-content-type-options'), `${what}: nosniff`).toBe('nosniff');
}

describe('files: only stored outputs, nothing outside the store', () => {
  const escapes = [
    '/files/..%2fsecret.txt',
    '/files/..%2f..%2fetc%2fpasswd',
    '/files/%2e%2e/secret.txt',
    '/files/%2e%2e%2fsecret.txt',
    '/files/plots/..%2f..%2fsecret.txt',
    '/files/plots/classification/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt',
    '/files/plots%5c..%5c..%5csecret.txt',
    '/files/plots\\..\\..\\secret.txt',
    '/files/%2fetc%2fpasswd',
    '/files//etc/passwd',
    '/files/C:%5cWindows%5cwin.ini',
    '/files/plots/classification/%00.png',
    '/files/plots/classification/x.png%00.txt',
    '/files/%252e%252e%252fsecret.txt',
  ];

  it.each(escapes)('%s is refused (app.request)', async (path) => {
    const response = await app.request(path);
    expect([400, 404]).toContain(response.status);
    const body = await response.text();
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('root:x:0:0');
    expect(body).not.toMatch(STACK_TRACE);
  });

  it.each([
    ...escapes,
    '/files/../secret.txt',
    '/files/plots/../../secret.txt',
    '/files/../package.json',
  ])('%s is refused over HTTP, the path sent as is', async (path) => {
    const response = await rawGet(path);
    expect([400, 404]).toContain(response.status);
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain('root:x:0:0');
    expect(response.body).not.toContain('"devDependencies"');
  });

  it('serves plots, predictions, scoring and confusion files of an experiment', async () => {
    const detail = (await (
      await app.request(`/api/experiments/${ui.seeded.experiments.forest}`)
    ).json()) as ExperimentDetail;
    expect(detail.plots.length).toBeGreaterThan(0);
    for (const plot of detail.plots) {
      const response = await app.request(plot.href);
      expect(response.status, plot.href).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/png/);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    }
    const predictions = await app.request(detail.predictions.href);
    expect(predictions.status).toBe(200);
    expect((await predictions.text()).split('\n')[0]).toContain('prediction_id');
    for (const path of [
      `/files/scoring/${detail.predictionId}.csv`,
      `/files/confusion/${detail.predictionId}.csv`,
    ]) {
      expect((await app.request(path)).status, path).toBe(200);
    }
  });

  it('refuses stored files outside the allowed folders: runs, scalars, logs, trackers', async () => {
    const { runs } = ui.seeded;
    const snapshot = await storeSnapshot(ui.store);
    const tracker = [...snapshot.keys()].find((path) => path.startsWith('projects/'))!;
    for (const path of [
      `/files/runs/${runs.baseline}.csv`,
      `/files/scalars/${runs.baseline}.csv`,
      `/files/run-logs/${runs.exec}.log`,
      `/files/${tracker}`,
      `/files/sweeps/${ui.seeded.sweep.id}.csv`,
      `/files/plots/classification/${ui.seeded.experiments.forest}_nope.png`,
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/json/);
    }
  });
});

describe('unknown ids: a JSON 404 without a stack trace', () => {
  const unknown = [
    '/api/runs/20990101T000000000Z-deadbeef',
    '/api/runs/20990101T000000000Z-deadbeef/log',
    '/api/sweeps/nope',
    '/api/sweeps/20990101T000000000Z-deadbeef',
    `/api/experiments/${randomUUID()}`,
    '/api/experiments/not-a-uuid',
    '/api/projects/no-such-project/experiments',
    '/api/no/such/route',
  ];
  it.each(unknown)('%s', async (path) => {
    const response = await app.request(path);
    expect([400, 404]).toContain(response.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code).toBe('string');
    expect(typeof body.error?.message).toBe('string');
    expect(text).not.toMatch(STACK_TRACE);
  });

  it('a page URL nobody knows still gets the page (it shows "not found"), with a 404 status', async () => {
    const response = await app.request('/no/such/page');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('headers', () => {
  it('CSP without inline scripts and nosniff on HTML, JSON, files, assets and errors', async () => {
    const html = await app.request('/projects');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await html.text();
    // The page loads its scripts from files: an inline one would be refused by the policy.
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    const detail = (await (
      await app.request(`/api/experiments/${ui.seeded.experiments.forest}`)
    ).json()) as ExperimentDetail;
    const script = /<script[^>]*\bsrc="([^"]+)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    for (const path of [
      '/projects',
      '/api/projects',
      `/api/runs/${ui.seeded.runs.baseline}`,
      detail.plots[0]!.href,
      detail.predictions.href,
      script!,
      '/api/runs/20990101T000000000Z-deadbeef',
      '/files/..%2fsecret.txt',
      '/no/such/page',
    ]) {
      const response = await app.request(path);
      expectSecurityHeaders(response.headers, path);
    }
  });

  it('answers other sites (DNS rebinding: a foreign Host) with 403 on the loopback server', async () => {
    const response = await rawGet('/api/projects', { Host: 'evil.example:80' });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain(ui.seeded.projects.soil);
    const own = await rawGet('/api/projects');
    expect(own.status).toBe(200);
  });
});

describe('read-only', () => {
  it('requesting every route writes nothing to the store', async () => {
    const { seeded } = ui;
    const before = await storeSnapshot(ui.store);
    const filesBefore = await folderSnapshot(ui.folder!);

    const paths = [
      '/',
      '/projects',
      `/projects/${seeded.projects.soil}`,
      '/runs',
      '/sweeps',
      '/api/store',
      '/api/projects',
      '/api/runs',
      '/api/runs?trials=include',
      '/api/runs?trials=only',
      `/api/runs?project=${seeded.projects.house}&q=house`,
      `/api/scalars?runs=${seeded.runs.baseline},${seeded.runs.wideNet}`,
      '/api/sweeps',
      `/api/sweeps/${seeded.sweep.id}?sort=best&order=desc`,
    ];
    const projects = (await (await app.request('/api/projects')).json()) as ProjectsResponse;
    for (const { project, kinds } of projects.projects) {
      for (const kind of kinds) {
        const list = (await (
          await app.request(`/api/projects/${encodeURIComponent(project)}/experiments?kind=${kind}`)
        ).json()) as ExperimentsResponse;
        for (const { predictionId } of list.experiments) {
          paths.push(`/api/experiments/${predictionId}`, `/experiments/${predictionId}`);
          const detail = (await (
            await app.request(`/api/experiments/${predictionId}`)
          ).json()) as ExperimentDetail;
          paths.push(...detail.plots.map((plot) => plot.href), detail.predictions.href);
        }
      }
    }
    const runs = (await (
      await app.request('/api/runs?trials=include&limit=1000')
    ).json()) as RunsResponse;
    for (const run of runs.runs) {
      paths.push(`/api/runs/${run.id}`, `/api/runs/${run.id}/log`, `/runs/${run.id}`);
    }
    const sweep = (await (
      await app.request(`/api/sweeps/${seeded.sweep.id}`)
    ).json()) as SweepDetail;
    expect(sweep.total).toBe(seeded.sweep.trials);

    for (const path of paths) {
      const response = await app.request(path);
      expect(response.status, path).toBeLessThan(400);
      await response.arrayBuffer();
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await app.request(`/api/runs/${seeded.runs.baseline}`, { method });
      expect(response.status, method).toBeGreaterThanOrEqual(400);
      const file = await app.request(`/files/scoring/${seeded.experiments.forest}.csv`, { method });
      expect(file.status, method).toBeGreaterThanOrEqual(400);
    }

    expect(await storeSnapshot(ui.store)).toEqual(before);
    expect(await folderSnapshot(ui.folder!)).toEqual(filesBefore);
  });
});
