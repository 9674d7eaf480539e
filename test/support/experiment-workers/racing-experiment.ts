// One of several processes that run the same experiment into one store at the same moment:
//   node --import tsx test/support/experiment-workers/racing-experiment.ts <store> <onDuplicate> <start-at-ms>
// It trains at once, then waits until <start-at-ms> (epoch milliseconds, the same for every
// process) to evaluate, so that every process reaches the tracker write together. It prints its
// result as one JSON line: the status (`rejected` when run() threw) and its run id.
import { setTimeout as sleep } from 'node:timers/promises';
import { Experiment, type OnDuplicate } from '../../../src/index.js';

const [store, onDuplicate, startAt] = process.argv.slice(2);
if (store === undefined || onDuplicate === undefined || startAt === undefined) {
  throw new Error('usage: racing-experiment <store> <onDuplicate> <start-at-ms>');
}

class Racing extends Experiment<number[], number> {
  modelName = 'racing-mean';
  preprocess() {
    return Promise.resolve([1, 2, 3, process.pid % 7]);
  }
  train(data: number[]) {
    return Promise.resolve(data.reduce((sum, value) => sum + value, 0) / data.length);
  }
  async evaluate(model: number) {
    await sleep(Math.max(0, Number(startAt) - Date.now()));
    return { mean: model };
  }
}

const experiment = new Racing({ project: 'racing', store });
let line: { status: string; runId: string | null; error?: string };
try {
  const result = await experiment.run({ onDuplicate: onDuplicate as OnDuplicate });
  line = { status: result.status, runId: 'runId' in result ? (result.runId ?? null) : null };
} catch (error) {
  // `error` refusing this run is an outcome the race checks, not a crash of the worker.
  if (!(error instanceof Error) || error.name !== 'DuplicateModelError') throw error;
  line = { status: 'rejected', runId: experiment.runId ?? null, error: error.name };
}
process.stdout.write(`${JSON.stringify(line)}\n`);
