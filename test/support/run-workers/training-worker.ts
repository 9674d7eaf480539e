// A training script as users write one, for the tests of how a run ends with its process:
//   node --import tsx test/support/run-workers/training-worker.ts <store> <mode> [heartbeat-seconds]
// It prints `run <id>` once the run is open, then `added <n>` after every 50th point.
// - `exit`: adds 250 points and returns without finish(): the process exits normally.
// - `loop`: adds a point every 2 ms, without end, until the process is stopped.
// - `stop-on-signal`: the same, but it stops adding once SIGTERM or SIGINT arrived (and waits
//   for the signal to end the process).
import { setTimeout as sleep } from 'node:timers/promises';
import { startRun } from '../../../src/index.js';

const [store, mode, heartbeat] = process.argv.slice(2);
if (store === undefined || (mode !== 'exit' && mode !== 'loop' && mode !== 'stop-on-signal')) {
  throw new Error('usage: training-worker <store> exit|loop|stop-on-signal [heartbeat-seconds]');
}
const run = await startRun({
  project: 'process-ends',
  store,
  hyperparameters: { mode },
  ...(heartbeat !== undefined && { heartbeatIntervalSeconds: Number(heartbeat) }),
});
process.stdout.write(`run ${run.id}\n`);

const add = (step: number) => {
  run.addScalar('loss', 1 / (step + 1));
  if ((step + 1) % 50 === 0) process.stdout.write(`added ${step + 1}\n`);
};

if (mode === 'exit') {
  for (let step = 0; step < 250; step += 1) add(step);
} else {
  const signalled = { yes: false };
  if (mode === 'stop-on-signal') {
    // Listeners that remove themselves when called: the signal still ends the process.
    process.once('SIGTERM', () => (signalled.yes = true));
    process.once('SIGINT', () => (signalled.yes = true));
  }
  for (let step = 0; ; step += 1) {
    if (!signalled.yes) add(step);
    await sleep(2);
  }
}
