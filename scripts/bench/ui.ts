/**
 * `npm run bench -- ui`: the dashboard at 10,000 runs and 10 million points, measured as a user
 * meets it. The server is the built CLI (`node dist/cli/main.js ui`) in its own process, so that
 * its memory is its own; pages are loaded in headless Chromium (Debian's, through
 * playwright-core), each in a fresh browser context (empty cache), and timed inside the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { openStore } from '../../src/index.js';
import { runFilesCachePath } from '../../src/runs/run-files-cache.js';
import { RunIndex } from '../../src/ui/server/run-index.js';
import { GcsState, startGcsFake } from '../../test/support/gcs-fake/index.js';
import {
  ensureUiStore,
  MANY_RUNS_POINTS,
  MANY_RUNS_SHAPE,
  UI_STORE_SHAPE,
  type UiStoreManifest,
} from './_ui-store.js';
import { formatBytes } from './table.js';

type Row = Record<string, string | number>;

const POINTS = 10_000_000;
/** The store that shows whether the server's memory grows with points: 10× fewer. */
const FEWER_POINTS = 1_000_000;
const ROUNDS = 5;
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };
/** Longer than any page should take; a page that never gets ready is reported, not awaited. */
const PAGE_TIMEOUT_MS = 60_000;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A readiness condition, checked in the page on every animation frame. */
interface Condition {
  name: string;
  selector: string;
  /** Attributes the element must have (every match with `all`, else at least one). */
  attributes?: Record<string, string>;
  all?: boolean;
  visible?: boolean;
}

/** What the page reports: when each condition first held (ms after navigation start). */
interface PageTiming {
  marks: Record<string, number>;
  missing: string[];
  /** Text of an error or not-found page, if one showed. */
  error?: string;
  /** When the last `/api/` response had arrived, before everything was ready. */
  apiEnd: number;
  /** `data-*` attributes of the first element of each condition. */
  details: Record<string, Record<string, string>>;
}

/**
 * Runs in the page (passed as text: no transpiled helpers, no DOM types needed here). Polls on
 * every animation frame, so a mark is the first frame at which its condition held.
 */
const WAIT_IN_PAGE = `async ({ conditions, timeoutMs }) => {
  const visible = (element) =>
    typeof element.checkVisibility === 'function'
      ? element.checkVisibility()
      : element.getClientRects().length > 0;
  const holds = (condition, element) =>
    Object.entries(condition.attributes ?? {}).every(([name, value]) => element.getAttribute(name) === value) &&
    (!condition.visible || visible(element));
  const test = (condition) => {
    const elements = [...document.querySelectorAll(condition.selector)];
    if (elements.length === 0) return false;
    return condition.all ? elements.every((e) => holds(condition, e)) : elements.some((e) => holds(condition, e));
  };
  const marks = {};
  const started = performance.now();
  const finish = (error) => {
    const last = Math.max(0, ...Object.values(marks));
    const api = performance
      .getEntriesByType('resource')
      .filter((entry) => new URL(entry.name).pathname.startsWith('/api/') && entry.responseEnd <= last);
    const details = {};
    for (const condition of conditions) {
      const element = document.querySelector(condition.selector);
      if (element) details[condition.name] = Object.fromEntries([...element.attributes].filter((a) => a.name.startsWith('data-')).map((a) => [a.name, a.value]));
    }
    return {
      marks,
      missing: conditions.map((c) => c.name).filter((name) => !(name in marks)),
      apiEnd: Math.max(0, ...api.map((entry) => entry.responseEnd)),
      details,
      ...(error === undefined ? {} : { error }),
    };
  };
  return await new Promise((resolve) => {
    const check = () => {
      for (const condition of conditions) {
        if (!(condition.name in marks) && test(condition)) marks[condition.name] = performance.now();
      }
      const failed = document.querySelector('[data-testid=error], [data-testid=not-found], [data-state=error]');
      if (failed) return resolve(finish((failed.textContent ?? '').trim().slice(0, 200) || 'error page'));
      if (Object.keys(marks).length === conditions.length) return resolve(finish());
      if (performance.now() - started > timeoutMs) return resolve(finish());
      requestAnimationFrame(check);
    };
    check();
  });
}`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The running server: its address and process. */
interface Server {
  child: ChildProcess;
  url: string;
  /** Spawn to address printed; spawn to the first `/api/runs` answered. */
  printedMs: number;
  answeredMs: number;
  rssAfterStartMb: number;
  output: () => string;
}

/** A kernel memory figure of a process (`VmHWM`, `VmRSS`) in MB; NaN off Linux. */
function processMemoryMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** A server process that has printed its address, not necessarily ready to answer. */
interface SpawnedServer {
  child: ChildProcess;
  url: string;
  /** `performance.now()` at spawn. */
  spawnedAt: number;
  printedMs: number;
  output: () => string;
}

/** Spawns `ml-tracking ui` as a user does and waits for the address it prints. */
async function spawnServer(
  folder: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SpawnedServer> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [CLI, 'ui', '--store', folder, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no address after 60 s:\n${output}`));
    }, 60_000);
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /https?:\/\/[^\s/]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ml-tracking ui exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    url,
    spawnedAt,
    printedMs: performance.now() - spawnedAt,
    output: () => output,
  };
}

/** Starts `ml-tracking ui` as a user does and waits for its first answer. */
async function startServer(folder: string, env?: NodeJS.ProcessEnv): Promise<Server> {
  const spawned = await spawnServer(folder, env);
  const { child, url } = spawned;
  const response = await fetch(`${url}/api/runs`);
  if (!response.ok)
    throw new Error(`/api/runs answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  const answeredMs = performance.now() - spawned.spawnedAt;
  return {
    child,
    url,
    printedMs: spawned.printedMs,
    answeredMs,
    rssAfterStartMb: processMemoryMb(child.pid!, 'VmRSS'),
    output: spawned.output,
  };
}

async function stopServer(server: Pick<Server, 'child'>): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGINT');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Median of 5 fetches of an API URL: server time without a browser. */
async function timeApi(url: string): Promise<{ times: number[]; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    bytes = body.byteLength;
  }
  return { times, bytes };
}

/** One page load in a fresh context: navigation start to each condition. */
async function measurePage(
  browser: Browser,
  url: string,
  conditions: Condition[],
): Promise<PageTiming> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit', timeout: PAGE_TIMEOUT_MS });
    return await page.evaluate<PageTiming>(
      `(${WAIT_IN_PAGE})(${JSON.stringify({ conditions, timeoutMs: PAGE_TIMEOUT_MS })})`,
    );
  } finally {
    await context.close();
  }
}

/** The pages measured, each by what makes it ready. */
function scenarios(manifest: UiStoreManifest) {
  const series = String(manifest.overlayIds.length);
  return {
    list: {
      path: '/runs',
      conditions: [{ name: 'run item', selector: '[data-testid=run-item]', visible: true }],
    },
    overlay: {
      path: `/runs?select=${manifest.overlayIds.join(',')}`,
      conditions: [
        {
          name: 'charts drawn',
          selector: '[data-testid=chart]',
          all: true,
          attributes: { 'data-state': 'drawn', 'data-series': series },
        },
      ],
    },
    sweep: {
      path: `/sweeps/${manifest.sweepId}`,
      conditions: [
        {
          name: 'page ready',
          selector: '[data-testid=page-sweep]',
          attributes: { 'data-state': 'ready' },
        },
        { name: 'trial row', selector: '[data-testid=trial-row]', visible: true },
        {
          name: 'sweep chart',
          selector: '[data-testid=sweep-chart]',
          attributes: { 'data-state': 'drawn' },
        },
        {
          name: 'parallel coordinates',
          selector: '[data-testid=parallel-coordinates]',
          attributes: { 'data-state': 'drawn' },
        },
      ],
    },
  } satisfies Record<string, { path: string; conditions: Condition[] }>;
}
type ScenarioName = keyof ReturnType<typeof scenarios>;

/** Every round of every page against one server; a page that fails stops its rounds. */
async function measurePages(browser: Browser, server: Server, manifest: UiStoreManifest) {
  const results = {} as Record<ScenarioName, PageTiming[]>;
  for (const [name, scenario] of Object.entries(scenarios(manifest)) as [
    ScenarioName,
    { path: string; conditions: Condition[] },
  ][]) {
    results[name] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const timing = await measurePage(browser, server.url + scenario.path, scenario.conditions);
      results[name].push(timing);
      if (timing.error !== undefined || timing.missing.length > 0) break;
    }
  }
  return results;
}

/** A table row of a page's timings: until `names` all held (the latest of their marks). */
function pageRow(label: string, timings: PageTiming[], names: string[], aim: string): Row {
  const failed = timings.find(
    (timing) => timing.error !== undefined || names.some((name) => !(name in timing.marks)),
  );
  if (failed) {
    const why =
      failed.error !== undefined
        ? `error page: ${failed.error}`
        : `not ready after ${PAGE_TIMEOUT_MS / 1000} s, never true: ${names.filter((name) => !(name in failed.marks)).join(', ')}`;
    return { case: label, median: why, max: '-', first: '-', 'API data in (median)': '-', aim };
  }
  const times = timings.map((timing) => Math.max(...names.map((name) => timing.marks[name]!)));
  return {
    case: label,
    median: seconds(median(times)),
    max: seconds(Math.max(...times)),
    first: seconds(times[0]!),
    'API data in (median)': seconds(median(timings.map((timing) => timing.apiEnd))),
    aim,
  };
}

/**
 * The dashboard's figures: server start-up, page times in Chromium, API times alone, and the
 * server's peak memory on 10 million points and on 1 million (the same runs).
 */
export async function uiBenchmark(): Promise<{ rows: Row[]; notes: string[] }> {
  const notes: string[] = [];
  // The machine may be shared: its load says how much the figures can be trusted.
  const loadBefore = loadavg()[0]!;
  const generated = performance.now();
  const { manifest, reused } = await ensureUiStore(POINTS);
  notes.push(storeNote(manifest, reused, performance.now() - generated));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const large = await measureServer(browser, manifest);
    // The same runs and calls over 10× fewer points: the peak should hardly move.
    const fewer = await ensureUiStore(FEWER_POINTS);
    notes.push(storeNote(fewer.manifest, fewer.reused, Number.NaN));
    const small = await measureServer(browser, fewer.manifest);
    const { server, pages } = large;
    const rows: Row[] = [
      single('server start-up (one start): spawn → address printed', seconds(server.printedMs)),
      single('… → first /api/runs answered', seconds(server.answeredMs)),
      pageRow('runs list: first run item visible (/runs)', pages.list, ['run item'], 'under 1 s'),
      pageRow(
        `${manifest.overlayIds.length} runs × ${manifest.overlaySteps.toLocaleString('en')} steps overlaid: every chart drawn (${pages.overlay.at(-1)?.details['charts drawn']?.['data-points'] ?? '?'} points drawn)`,
        pages.overlay,
        ['charts drawn'],
        'under 1 s',
      ),
      pageRow(
        `sweep of ${manifest.trials} trials: page ready, trial rows, metric chart drawn`,
        pages.sweep,
        ['page ready', 'trial row', 'sweep chart'],
        'under 1 s',
      ),
      pageRow('… its parallel-coordinates chart drawn', pages.sweep, ['parallel coordinates'], '-'),
      ...large.api,
    ];
    for (const [points, measured] of [
      [POINTS, large],
      [FEWER_POINTS, small],
    ] as const) {
      const of = `${points.toLocaleString('en')} points`;
      rows.push(
        single(
          `server memory after start-up (VmRSS), ${of}`,
          memory(measured.server.rssAfterStartMb),
        ),
        single(
          `server peak memory (VmHWM) after all pages and API calls above, ${of}`,
          memory(measured.peakMb),
          'flat in points',
        ),
      );
    }
    const many = await manyRunsBenchmark(browser);
    rows.push(...many.rows);
    notes.push(...many.notes);
    notes.push(
      `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${formatBytes(totalmem())} RAM, ${osType()} ${release()}, Node ${process.versions.node}, Chromium ${browser.version()} headless (${CHROMIUM}), viewport ${VIEWPORT.width}×${VIEWPORT.height}; server, browser and bench share the machine; load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after.`,
      `Page times are read inside the page (performance.now(), from navigation start to the first animation frame at which the hooks of src/ui/README.md hold), ${ROUNDS} loads each, each in a fresh browser context (empty cache); "first" is the first load of that page after the server started (the pages come before the API rows). "API data in" is when the page's last /api/ response had arrived; the rest is the browser's work. API rows are Node fetch() from the bench process, ${ROUNDS} each, no browser.`,
      'Reproduce: `npm run bench -- ui` (builds first; the generated stores are cached under the temp folder, see above; delete them to regenerate).',
    );
    return { rows, notes };
  } finally {
    await browser.close();
  }
}

/** One server over one store: its start, every page, the API alone, then its peak memory. */
async function measureServer(browser: Browser, manifest: UiStoreManifest) {
  const server = await startServer(manifest.folder);
  try {
    const pages = await measurePages(browser, server, manifest);
    const api = await apiRows(server, manifest);
    return { server, pages, api, peakMb: processMemoryMb(server.child.pid!, 'VmHWM') };
  } finally {
    await stopServer(server);
  }
}

const memory = (mb: number) => (Number.isNaN(mb) ? 'n/a (no /proc)' : `${mb.toFixed(0)} MB`);

/** A row of one figure. */
function single(label: string, value: string, aim = '-'): Row {
  return { case: label, median: value, max: '-', first: '-', 'API data in (median)': '-', aim };
}

async function apiRows(server: Server, manifest: UiStoreManifest): Promise<Row[]> {
  const ids = manifest.overlayIds.join(',');
  const calls = [
    ['GET /api/runs?limit=100', '/api/runs?limit=100'],
    [
      `GET /api/scalars?runs=<the ${manifest.overlayIds.length} overlaid runs>&maxPoints=1000`,
      `/api/scalars?runs=${ids}&maxPoints=1000`,
    ],
    [`GET /api/sweeps/<id> (${manifest.trials} trials)`, `/api/sweeps/${manifest.sweepId}`],
  ] as const;
  const rows: Row[] = [];
  for (const [label, path] of calls) {
    const { times, bytes } = await timeApi(server.url + path);
    rows.push({
      case: `API alone: ${label}, ${formatBytes(bytes)}`,
      median: seconds(median(times)),
      max: seconds(Math.max(...times)),
      first: seconds(times[0]!),
      'API data in (median)': '-',
      aim: '-',
    });
  }
  return rows;
}

function storeNote(manifest: UiStoreManifest, reused: boolean, ms: number): string {
  const what = `${manifest.runs.toLocaleString('en')} runs (${manifest.trials} sweep trials, ${UI_STORE_SHAPE.runningRuns} running), ${manifest.points.toLocaleString('en')} points (${formatBytes(manifest.scalarBytes)} of scalars CSV), ${manifest.overlayIds.length} runs × ${manifest.overlaySteps.toLocaleString('en')} steps of loss`;
  const how = reused
    ? `reused from ${manifest.folder} (generated ${manifest.generatedAt} in ${manifest.generateSeconds.toFixed(1)} s)`
    : `generated in ${manifest.generateSeconds.toFixed(1)} s into ${manifest.folder}`;
  return `Store: ${what}; ${how}${Number.isNaN(ms) ? '' : `; ready in ${seconds(ms)}`}.`;
}

/** The runs page after a restart: spawn → address → page opened at once. */
interface Restart {
  server: SpawnedServer;
  /** Spawn → first run item visible, and navigation → the same. */
  fromSpawnMs: number;
  fromNavigationMs: number;
  /** Navigation → the page's last `/api/` answer in, before the run item showed. */
  apiEndMs: number;
  /** Spawn → the index checked against the store (`checkedAt` set): one listing and the reads. */
  checkedMs: number;
  rssMb: number;
}

const LIST_CONDITIONS: Condition[] = [
  { name: 'run item', selector: '[data-testid=run-item]', visible: true },
];

/** Restarts the server over `folder` and opens the runs page the moment it prints its address. */
export async function restartAndOpen(
  browser: Browser,
  folder: string,
  env: NodeJS.ProcessEnv,
): Promise<Restart> {
  const server = await spawnServer(folder, env);
  const context = await browser.newContext({ viewport: VIEWPORT });
  let timing: PageTiming;
  let navigatedAt: number;
  try {
    const page = await context.newPage();
    navigatedAt = performance.now();
    await page.goto(`${server.url}/runs`, { waitUntil: 'commit', timeout: PAGE_TIMEOUT_MS });
    timing = await page.evaluate<PageTiming>(
      `(${WAIT_IN_PAGE})(${JSON.stringify({ conditions: LIST_CONDITIONS, timeoutMs: PAGE_TIMEOUT_MS })})`,
    );
  } finally {
    await context.close();
  }
  const mark = timing.marks['run item'];
  if (mark === undefined) throw new Error(`runs page not ready: ${timing.error ?? 'timeout'}`);
  for (;;) {
    const answer = (await (await fetch(`${server.url}/api/runs?limit=1`)).json()) as {
      checkedAt: string | null;
    };
    if (answer.checkedAt !== null) break;
    if (performance.now() - server.spawnedAt > 600_000) throw new Error('index never checked');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    server,
    fromSpawnMs: navigatedAt - server.spawnedAt + mark,
    fromNavigationMs: mark,
    apiEndMs: timing.apiEnd,
    checkedMs: performance.now() - server.spawnedAt,
    rssMb: processMemoryMb(server.child.pid!, 'VmRSS'),
  };
}

/** Waits until `file` exists (the index saved its cache after its first full read). */
async function waitForFile(file: string): Promise<void> {
  const start = performance.now();
  while (!existsSync(file)) {
    if (performance.now() - start > 600_000) throw new Error(`${file} never written`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Rewrites `count` run files as they are: new generations, same records. */
async function touchRuns(folder: string, count: number): Promise<void> {
  const names = (await readdir(join(folder, 'runs'))).slice(0, count);
  for (const name of names) {
    const file = join(folder, 'runs', name);
    await writeFile(file, await readFile(file));
  }
}

/**
 * Issue 23 at 100,000 runs: the runs page after a restart with no cache, a warm cache and 10 runs
 * changed since; 100 runs × 100,000 steps overlaid; and the GCS requests of a refresh.
 */
export async function manyRunsBenchmark(
  browser: Browser,
): Promise<{ rows: Row[]; notes: string[] }> {
  const generated = performance.now();
  const { manifest, reused } = await ensureUiStore(MANY_RUNS_POINTS, MANY_RUNS_SHAPE);
  const notes = [storeNote(manifest, reused, performance.now() - generated)];
  // The servers' own cache folder: the user's is neither read nor left a file.
  const cacheHome = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-cache-'));
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const cacheFile = runFilesCachePath(
    pathToFileURL(manifest.folder).href,
    join(cacheHome, 'ml-tracking', 'run-index'),
  );
  const runs = manifest.runs.toLocaleString('en');
  const rows: Row[] = [];
  const restartRows = (label: string, restart: Restart, aim: string) => {
    rows.push(
      {
        ...single(
          `${label}: navigation → first run item visible`,
          seconds(restart.fromNavigationMs),
          aim,
        ),
        'API data in (median)': seconds(restart.apiEndMs),
      },
      single(`${label}: spawn → first run item visible`, seconds(restart.fromSpawnMs)),
      single(`${label}: spawn → index checked against the store`, seconds(restart.checkedMs)),
      single(`${label}: server memory (VmRSS) then`, memory(restart.rssMb)),
    );
  };
  try {
    const cold = await restartAndOpen(browser, manifest.folder, env);
    try {
      await waitForFile(cacheFile);
    } finally {
      await stopServer(cold.server);
    }
    restartRows(`${runs} runs, restart without a cache`, cold, '-');
    notes.push(
      `Run index cache after the first start: ${formatBytes(statSync(cacheFile).size)} (${cacheFile}).`,
    );

    const warm = await restartAndOpen(browser, manifest.folder, env);
    try {
      restartRows(`${runs} runs, restart with the cache`, warm, 'under 1 s');
      const overlay = scenarios(manifest).overlay;
      const timings: PageTiming[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const timing = await measurePage(
          browser,
          warm.server.url + overlay.path,
          overlay.conditions,
        );
        timings.push(timing);
        if (timing.error !== undefined || timing.missing.length > 0) break;
      }
      rows.push(
        pageRow(
          `${manifest.overlayIds.length} runs × ${manifest.overlaySteps.toLocaleString('en')} steps overlaid: every chart drawn (${timings.at(-1)?.details['charts drawn']?.['data-points'] ?? '?'} points drawn)`,
          timings,
          ['charts drawn'],
          'under 0.5 s',
        ),
      );
    } finally {
      await stopServer(warm.server);
    }

    await touchRuns(manifest.folder, 10);
    const changed = await restartAndOpen(browser, manifest.folder, env);
    await stopServer(changed.server);
    restartRows(`${runs} runs, restart with the cache, 10 runs changed`, changed, 'under 1 s');
  } finally {
    await rm(cacheHome, { recursive: true, force: true });
  }
  const gcs = await gcsRequestsPerRefresh(manifest);
  rows.push(...gcs.rows);
  notes.push(...gcs.notes);
  return { rows, notes };
}

/**
 * The requests a refresh of the index makes on a bucket of the store's runs (the GCS fake, which
 * pages listings by 1000 as GCS does), counted by operation: without a cache, from the cache with
 * nothing changed, and with 10 runs changed.
 */
async function gcsRequestsPerRefresh(
  manifest: UiStoreManifest,
): Promise<{ rows: Row[]; notes: string[] }> {
  const state = new GcsState();
  const bucket = 'bench-bucket';
  const names = (await readdir(join(manifest.folder, 'runs'))).filter((name) =>
    name.endsWith('.csv'),
  );
  for (const name of names) {
    state.write(bucket, `store/runs/${name}`, {
      data: await readFile(join(manifest.folder, 'runs', name)),
      contentType: 'text/csv',
      metadata: undefined,
    });
  }
  const fake = await startGcsFake(state);
  const store = await openStore(`gs://${bucket}/store`, { storage: fake.createClient() });
  const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-gcs-cache-'));
  const cacheFile = join(folder, 'index.cache');
  const rows: Row[] = [];
  const count = async (label: string, index: RunIndex) => {
    fake.resetStats();
    const start = performance.now();
    await index.refresh();
    const ms = performance.now() - start;
    const lists = fake.stats.byOperation.list?.requests ?? 0;
    const reads = fake.stats.requests - lists;
    rows.push(
      single(
        `GCS (fake), ${names.length.toLocaleString('en')} runs, ${label}: requests per refresh`,
        `${fake.stats.requests.toLocaleString('en')} (${lists} list pages + ${reads.toLocaleString('en')} reads)`,
      ),
      single(`… its time (fake on this machine)`, seconds(ms)),
    );
  };
  try {
    await count('no cache (first start)', new RunIndex(store, { cacheFile }));
    const warm = new RunIndex(store, { cacheFile });
    await count('restart with the cache, nothing changed', warm);
    await count('next refresh of a running server, nothing changed', warm);
    for (const name of names.slice(0, 10)) {
      const path = `runs/${name}`;
      await store.write(path, await store.read(path));
    }
    await count('restart with the cache, 10 runs changed', new RunIndex(store, { cacheFile }));
  } finally {
    await store.close();
    await fake.stop();
    await rm(folder, { recursive: true, force: true });
  }
  return {
    rows,
    notes: [
      'GCS requests: a refresh lists runs/ (GCS serves at most 1000 objects per list request) and downloads only the run files whose generation differs from the index (or, after a restart, from its cache). Class A (list) requests cost $0.005 per 1000, class B (download) $0.0004 per 1000 (standard storage).',
    ],
  };
}
