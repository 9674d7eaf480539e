// Concurrent Experiment.run() calls of one model that reach the tracker commit together, for the
// test of lost answers (test/experiments/experiment-lost-answers.test.ts) and the coordination
// benchmark. Each run has a store of its own, as separate processes would.
import {
  Experiment,
  type ExperimentRunResult,
  type OnDuplicate,
} from '../../src/experiments/experiment.js';
import type { Store } from '../../src/store/types.js';

class Averaging extends Experiment<number[], number> {
  modelName = 'shared-name';
  preprocess() {
    return Promise.resolve([1, 2, 3]);
  }
  train(data: number[]) {
    return Promise.resolve(data.reduce((sum, value) => sum + value, 0) / data.length);
  }
  evaluate(model: number): Promise<Record<string, number>> {
    return Promise.resolve({ mean: model });
  }
}

/** How each run ended, in the order of the stores, and each run's id. */
export interface Raced {
  settled: PromiseSettledResult<ExperimentRunResult>[];
  runIds: (string | undefined)[];
}

/**
 * Runs one experiment per store at once: every run trains, then waits in evaluate until all have
 * arrived; `whenAllArrived` is called then (e.g. to start losing answers), before any of them
 * commits.
 */
export async function raceExperimentRuns(options: {
  stores: Store[];
  project: string;
  onDuplicate: OnDuplicate;
  whenAllArrived?: () => void;
}): Promise<Raced> {
  const { stores, project, onDuplicate } = options;
  let arrived = 0;
  let release: () => void = () => undefined;
  const allEvaluated = new Promise<void>((resolve) => {
    release = resolve;
  });
  const experiments = stores.map((store, index) => {
    const experiment = new Averaging({ project, store });
    experiment.evaluate = async () => {
      arrived += 1;
      if (arrived === stores.length) {
        options.whenAllArrived?.();
        release();
      }
      await allEvaluated;
      return { accuracy: index / 10 };
    };
    return experiment;
  });
  const settled = await Promise.allSettled(experiments.map((e) => e.run({ onDuplicate })));
  return { settled, runIds: experiments.map((experiment) => experiment.runId) };
}
