// npm run bench [section…]: prints the benchmark tables that the README quotes.
// Figures, not tests: they vary with the machine, so no threshold is asserted here.
import { appendBenchmark } from './bench/append.js';
import { coordinationBenchmark } from './bench/coordination.js';
import { csvBenchmark } from './bench/csv.js';
import { faultBenchmark } from './bench/faults.js';
import { listBenchmark } from './bench/list.js';
import { peerBenchmark } from './bench/peer.js';
import {
  logExperimentBenchmark,
  metricsBenchmark,
  trackerSizeBenchmark,
} from './bench/log-experiment.js';
import { plotsBenchmark } from './bench/plots.js';
import { pythonScalarsBenchmark } from './bench/python-scalars.js';
import { queryBenchmark } from './bench/query.js';
import { runsBenchmark } from './bench/runs.js';
import { seriesBenchmark } from './bench/series.js';
import { startupBenchmark } from './bench/startup.js';
import { sweepsBenchmark } from './bench/sweeps.js';
import { printTable } from './bench/table.js';
import { uiBenchmark } from './bench/ui.js';

const sections = process.argv.slice(2);
const wanted = (name: string) => sections.length === 0 || sections.includes(name);

if (wanted('append'))
  printTable('Appending one 200-byte row (store drivers)', await appendBenchmark());
if (wanted('metrics')) printTable('Metrics alone (fastest of 5)', metricsBenchmark());
if (wanted('log'))
  printTable('logExperiment end to end, local store, plots off', logExperimentBenchmark());
if (wanted('peer')) {
  const peer = peerBenchmark();
  printTable(
    "Issue 22's three speed aims, side by side with the peer (pandas + scikit-learn; a bare Node start for --help)",
    peer.rows,
  );
  console.log(`\n${peer.notes.join('\n')}`);
}
if (wanted('tracker')) printTable('Appending to a long tracker', await trackerSizeBenchmark());
if (wanted('csv'))
  printTable('Encoding the predictions table, 1e6 rows (fastest of 3)', csvBenchmark());
if (wanted('plots'))
  printTable('Plots, warm, 2× PNG (each case in its own process)', await plotsBenchmark());
if (wanted('faults'))
  printTable('Appends on GCS under injected faults (GCS fake)', await faultBenchmark());
if (wanted('coordination'))
  printTable(
    'Exactly-once work under kills, pauses, skewed clocks and lost answers (issue 18)',
    await coordinationBenchmark(),
  );
if (wanted('list'))
  printTable(
    '10,000 experiments (100 trackers × 100 rows, 15 MB), local store, each case in its own process',
    await listBenchmark(),
  );
if (wanted('startup'))
  printTable('Start-up of the built CLI and package (median of 20, warm)', startupBenchmark());
if (wanted('query'))
  printTable(
    'SQL over the store, each command in its own process (median of 3), side by side with pandas',
    await queryBenchmark(),
  );
if (wanted('runs')) printTable('Runs: scalars and sweeps', await runsBenchmark());
if (wanted('python'))
  printTable(
    'Python: run.add_scalar in a training loop, 1e6 points, local store',
    await pythonScalarsBenchmark(),
  );
if (wanted('ui')) {
  const ui = await uiBenchmark();
  printTable(
    'Dashboard (`ml-tracking ui`): 10,000 runs, 10 million points, headless Chromium',
    ui.rows,
  );
  console.log(`\n${ui.notes.join('\n\n')}`);
}
if (wanted('series')) {
  const series = await seriesBenchmark();
  printTable(
    'Long series through the series index (issue 23): 10 million points, local store',
    series.rows,
  );
  console.log(`\n${series.notes.join('\n\n')}`);
}
if (wanted('sweeps')) {
  const sweeps = sweepsBenchmark();
  printTable('Sweeps (issue 24): TPE vs random search, 24 trials, mean of 50 seeds', sweeps.search);
  printTable(
    'Sweeps (issue 24): hyperband (min_iter 3, eta 3, max_iter 27) vs the full sweep, 24 random trials, 50 seeds',
    sweeps.terminate,
  );
}
