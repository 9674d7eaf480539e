import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_CLI, root } from '../../test/support/programs.js';

type Row = Record<string, string | number>;

const POINTS = 1_000_000;

// Each case times the same loop of POINTS steps (fastest of 3; add_scalar once, as its run is
// long enough for the background thread to write throughout the loop). The loop computes its value
// in every case, so the difference to the first row is what recording costs.
const SCRIPT = `
import json, sys, tempfile, time
from ml_tracking import start_run

points, store = int(sys.argv[1]), sys.argv[2]

def best(case, repeats=3):
    times = []
    for _ in range(repeats):
        times.append(case())
    return min(times)

def empty():
    start = time.perf_counter()
    for step in range(points):
        value = 1.0 / (step + 1)
    return time.perf_counter() - start

def appended():
    kept = []
    start = time.perf_counter()
    for step in range(points):
        kept.append(("loss", 1.0 / (step + 1), step))
    return time.perf_counter() - start

finishes = []
def add_scalar():
    run = start_run(project="bench python", store=store)
    start = time.perf_counter()
    for step in range(points):
        run.add_scalar("loss", 1.0 / (step + 1), step)
    loop = time.perf_counter() - start
    run.finish()
    finishes.append(time.perf_counter() - start)
    return loop

result = {"empty": best(empty), "appended": best(appended), "add_scalar": best(add_scalar, 1)}
result["finished"] = min(finishes)
try:
    from torch.utils.tensorboard import SummaryWriter
except ImportError:
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        SummaryWriter = None
if SummaryWriter is not None:
    def tensorboard():
        with tempfile.TemporaryDirectory() as logdir:
            writer = SummaryWriter(logdir)
            start = time.perf_counter()
            for step in range(points):
                writer.add_scalar("loss", 1.0 / (step + 1), step)
            loop = time.perf_counter() - start
            writer.close()
            return loop
    result["tensorboard"] = best(tensorboard)
print(json.dumps(result))
`;

const perCall = (seconds: number) => `${((seconds / POINTS) * 1e6).toFixed(2)} µs`;

/**
 * `npm run bench -- python`: what `Run.add_scalar` costs a Python training loop, against the same
 * loop without it (plain Python), and TensorBoard's `SummaryWriter.add_scalar` when it is
 * installed (it is not installed for the bench).
 */
export async function pythonScalarsBenchmark(): Promise<Row[]> {
  const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-python-'));
  try {
    const answer = spawnSync('python3', ['-c', SCRIPT, String(POINTS), join(folder, 'store')], {
      cwd: folder,
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: join(root, 'clients/python'),
        PYTHONDONTWRITEBYTECODE: '1',
        ML_TRACKING_CLI: `'${process.execPath}' '${BUILT_CLI}'`,
      },
    });
    if (answer.status !== 0) {
      return [{ case: 'python3 did not run the benchmark', note: answer.stderr.slice(-300) }];
    }
    const lines = answer.stdout.trim().split('\n');
    const times = JSON.parse(lines.at(-1) ?? '{}') as Record<string, number>;
    const rows: Row[] = [
      {
        case: 'plain Python loop (computes the value, records nothing)',
        'per step': perCall(times.empty ?? 0),
      },
      {
        case: 'plain Python loop, list.append((tag, value, step))',
        'per step': perCall(times.appended ?? 0),
      },
      {
        case: 'run.add_scalar(tag, value, step) (the loop)',
        'per step': perCall(times.add_scalar ?? 0),
      },
      {
        case: 'run.add_scalar, until finish() returned (every point in the local store)',
        'per step': perCall(times.finished ?? 0),
      },
    ];
    rows.push(
      times.tensorboard === undefined
        ? { case: "TensorBoard's SummaryWriter.add_scalar", 'per step': 'not installed here' }
        : {
            case: "TensorBoard's SummaryWriter.add_scalar (the loop)",
            'per step': perCall(times.tensorboard),
          },
    );
    return rows.map((row) => ({ ...row, points: POINTS }));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
