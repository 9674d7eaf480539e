import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 20;
const WARM_UP = 3;

/** Median wall time of a fresh Node process running `args`, in ms. */
function medianMs(args: string[], cwd: string): number {
  const times: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run += 1) {
    const start = performance.now();
    const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    const elapsed = performance.now() - start;
    if (child.status !== 0) throw new Error(`node ${args.join(' ')}: ${child.stderr}`);
    if (run >= WARM_UP) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * How long the built CLI and the package take to start, against a bare `node -e 0`: what a user
 * waits for before any work. Commands load lazily, so `list` must not pay for the renderer.
 */
export function startupBenchmark(): Record<string, string | number>[] {
  const store = mkdtempSync(join(tmpdir(), 'ml-tracking-bench-startup-'));
  const cli = join(root, 'dist', 'cli', 'main.js');
  try {
    const bare = medianMs(['-e', '0'], root);
    const cases: [string, string[]][] = [
      ['node -e 0 (bare start)', ['-e', '0']],
      ['ml-tracking --version', [cli, '--version']],
      ['ml-tracking list (empty store)', [cli, 'list', '--store', store]],
      ['ml-tracking --help', [cli, '--help']],
      ["import('ml-tracking')", ['--input-type=module', '-e', "await import('ml-tracking')"]],
      [
        "import('ml-tracking/store')",
        ['--input-type=module', '-e', "await import('ml-tracking/store')"],
      ],
      ["require('ml-tracking')", ['-e', "require('ml-tracking')"]],
    ];
    return cases.map(([what, args]) => {
      const ms = medianMs(args, root);
      return {
        'what starts': what,
        [`median ms (${RUNS} runs)`]: ms.toFixed(0),
        '× bare node': (ms / bare).toFixed(1),
      };
    });
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}
