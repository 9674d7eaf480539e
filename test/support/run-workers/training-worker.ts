// A training script as users write one, for the tests of how a run ends with its process:
//   node --import tsx test/support/run-workers/training-worker.ts <store> <mode> [heartbeat-seconds]
// It prints `run <id>` once the run is open, then `added <n>` after every 50th point.
// - `exit`: adds 250 points and returns without finish(): the process exits normally.
// - `loop`: adds a point every 2 ms, without end, until the process is stopped.
// - `stop-on-signal`: the same, but it stops adding once SIGTERM or SIGINT arrived (and waits
//   for the signal to end the process).
// - `bounded-loop`: adds 3000 points, one every 2 ms, saying `added <n>` after each, then calls
//   finish() and prints `loop done`.
// - `exit-0`, `exit-3`, `throw`, `reject`: adds 1000 points (the first 400 flushed, the next 300
//   in a flush that may still be under way, the last 300 buffered), then ends without finish():
//   process.exit(0), process.exit(3), an uncaught exception or an unhandled rejection.
import { setTimeout as sleep } from 'node:timers/promises';
import { startRun } from '../../../src/index.js';

const MODES = [
  'exit',
  'loop',
  'stop-on-signal',
  'bounded-loop',
  'exit-0',
  'exit-3',
  'throw',
  'reject',
];
const [store, mode, heartbeat] = process.argv.slice(2);
if (store === undefined || mode === undefined || !MODES.includes(mode)) {
  throw new Error(`usage: training-worker <store> ${MODES.join('|')} [heartbeat-seconds]`);
}
const run = await startRun({
  project: 'process-ends',
  store,
  hyperparameters: { mode },
  ...(heartbeat !== undefined && { heartbeatIntervalSeconds: Number(heartbeat) }),
});
process.stdout.write(`run ${run.id}\n`);

// The bounded loop says every point it added: a point said to be added must be stored.
const every = mode === 'bounded-loop' ? 1 : 50;
const add = (step: number) => {
  run.addScalar('loss', 1 / (step + 1));
  if ((step + 1) % every === 0) process.stdout.write(`added ${step + 1}\n`);
};

if (mode === 'exit') {
  for (let step = 0; step < 250; step += 1) add(step);
} else if (mode === 'bounded-loop') {
  for (let step = 0; step < 3000; step += 1) {
    add(step);
    await sleep(2);
  }
  await run.finish();
  process.stdout.write('loop done\n');
} else if (mode === 'loop' || mode === 'stop-on-signal') {
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
} else {
  for (let step = 0; step < 400; step += 1) add(step);
  await run.flush();
  for (let step = 400; step < 700; step += 1) add(step);
  // A flush that starts and is left wherever it is when the process ends.
  run.flush().catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  for (let step = 700; step < 1000; step += 1) add(step);
  if (mode === 'exit-0') process.exit(0);
  if (mode === 'exit-3') process.exit(3);
  if (mode === 'throw') {
    setTimeout(() => {
      throw new Error('diverged at step 999');
    });
  }
  if (mode === 'reject') void Promise.reject(new Error('rejected at step 999'));
}
