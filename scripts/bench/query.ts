/**
 * `npm run bench -- query`: SQL over the store (`ml-tracking query`, DuckDB) on 100 runs × 2 tags
 * × 10,000 steps (2,000,000 scalars, written by the engine), side by side with the peer a data
 * scientist reaches for: pandas reading the same scalars CSVs and grouping them (Debian's
 * python3-pandas for /usr/bin/python3). Each side runs in its own process, end to end, as a user
 * types it; then the sizes of `ml-tracking export` as CSV and Parquet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatBytes } from './table.js';

type Row = Record<string, string | number>;

const RUNS = 100;
const STEPS = 10_000;
const TAGS = ['loss', 'accuracy'];
const ROUNDS = 3;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const PYTHON = '/usr/bin/python3';

const GROUP_SQL =
  'SELECT tag, count(*) AS points, avg(value) AS mean, min(value) AS low FROM scalars GROUP BY tag ORDER BY tag';
const GROUP_PANDAS = `
import glob, sys
import pandas as pd
frame = pd.concat(pd.read_csv(f) for f in glob.glob(sys.argv[1] + "/scalars/*.csv"))
print(frame.groupby("tag")["value"].agg(["count", "mean", "min"]))
`;
const BEST_SQL =
  "SELECT run_id, min(value) AS best FROM scalars WHERE tag = 'loss' GROUP BY run_id ORDER BY best LIMIT 5";
const BEST_PANDAS = `
import glob, sys
import pandas as pd
frame = pd.concat(pd.read_csv(f) for f in glob.glob(sys.argv[1] + "/scalars/*.csv"))
print(frame[frame.tag == "loss"].groupby("run_id")["value"].min().nsmallest(5))
`;

/** Writes the runs through the engine (built package), as training loops would. */
async function makeStore(root: string): Promise<void> {
  const { startRun } = (await import(
    new URL('../../dist/index.js', import.meta.url).href
  )) as typeof import('../../src/index.js');
  for (let index = 0; index < RUNS; index += 1) {
    const run = await startRun({ project: 'bench-query', store: root, closeOnExit: false });
    for (let step = 0; step < STEPS; step += 1) {
      run.addScalar('loss', 1 / (step + 1) + ((index * 7919 + step) % 97) / 1e4, step);
      run.addScalar('accuracy', 1 - 1 / (step + 2), step);
    }
    await run.finish();
  }
}

/** Median wall time of a command, each run in a fresh process. */
function timed(command: string, args: string[]): { ms: number; ok: boolean } {
  const times: number[] = [];
  let ok = true;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0) {
      ok = false;
      console.error(result.stderr);
    }
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, ok };
}

const folderBytes = (folder: string): number =>
  readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);

export async function queryBenchmark(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'ml-tracking-bench-query-'));
  try {
    await makeStore(root);
    const rows: Row[] = [];
    const pandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas']).status === 0;
    for (const [name, sql, script] of [
      ['GROUP BY tag over every point', GROUP_SQL, GROUP_PANDAS],
      ['best loss per run, 5 lowest', BEST_SQL, BEST_PANDAS],
    ] as const) {
      const ours = timed(process.execPath, [CLI, 'query', '--store', root, sql]);
      const peer = pandas ? timed(PYTHON, ['-c', script, root]) : undefined;
      rows.push({
        case: `${name} (${(RUNS * STEPS * TAGS.length).toLocaleString('en')} points, ${RUNS} files)`,
        'ml-tracking query ms': ours.ok ? ours.ms.toFixed(0) : 'failed',
        'pandas read_csv + groupby ms':
          peer === undefined ? 'no pandas' : peer.ok ? peer.ms.toFixed(0) : 'failed',
        ratio: peer?.ok === true && ours.ok ? `${(peer.ms / ours.ms).toFixed(1)}× faster` : '',
      });
    }
    const sizes: Record<string, number> = { store: folderBytes(join(root, 'scalars')) };
    for (const format of ['csv', 'parquet'] as const) {
      const to = join(root, `export-${format}`);
      const done = spawnSync(
        process.execPath,
        [CLI, 'export', '--store', root, '--to', to, '--format', format, '--tables', 'scalars'],
        { encoding: 'utf8' },
      );
      if (done.status !== 0) console.error(done.stderr);
      sizes[format] = done.status === 0 ? folderBytes(to) : Number.NaN;
    }
    rows.push({
      case: 'size of the scalars: CSV in the store / exported CSV / exported Parquet (zstd)',
      'ml-tracking query ms': `${formatBytes(sizes.store!)} / ${formatBytes(sizes.csv!)} / ${formatBytes(sizes.parquet!)}`,
      'pandas read_csv + groupby ms': '',
      ratio: `Parquet ${(sizes.store! / sizes.parquet!).toFixed(1)}× smaller`,
    });
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
