// Smarter sweeps (issue 24), in process: the search and the early-termination rule the agents run,
// on synthetic objectives with a known optimum, with 1 and 3 simulated agents. No processes and no
// store: what is measured is the quality of the decisions, which does not depend on the machine.
import { createSeededRandom } from '../../src/sweeps/_seeded-random.js';
import { bracketOf, decideTermination, decisionPoint } from '../../src/sweeps/early-terminate.js';
import type { HyperparameterValue } from '../../src/sweeps/sampling.js';
import {
  parseSweepConfig,
  type EarlyTerminateConfig,
  type SweepConfig,
} from '../../src/sweeps/sweep-config.js';
import { suggestTrial, type TrialHistoryEntry } from '../../src/sweeps/tpe.js';

type Values = Record<string, HyperparameterValue>;

interface Objective {
  name: string;
  hyperparameters: Record<string, unknown>;
  /** The value to maximise; 1 at the optimum. `noise` is a draw in [-1, 1) for noisy objectives. */
  value(values: Values, noise: number): number;
}

const TRIALS = 24;
const SEEDS = Array.from({ length: 50 }, (_, index) => 1000 + index);

const OBJECTIVES: Objective[] = [
  {
    name: 'smooth 2-D (log lr, momentum)',
    hyperparameters: {
      lr: { type: 'log_uniform', min: 1e-5, max: 1 },
      momentum: { type: 'uniform', min: 0, max: 1 },
    },
    value: (values) => {
      const lr = (Math.log10(values.lr as number) + 2.5) / 4.5;
      const momentum = (values.momentum as number) - 0.9;
      return 1 - lr * lr - momentum * momentum;
    },
  },
  {
    name: 'noisy, with a categorical (lr, layers, optimizer)',
    hyperparameters: {
      lr: { type: 'log_uniform', min: 1e-5, max: 1 },
      layers: { type: 'int_uniform', min: 1, max: 8 },
      optimizer: { type: 'choice', candidates: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
    },
    value: (values, noise) => {
      const lr = (Math.log10(values.lr as number) + 3) / 5;
      const layers = ((values.layers as number) - 3) / 7;
      const optimizer =
        values.optimizer === 'adam' ? 0 : values.optimizer === 'rmsprop' ? 0.1 : 0.3;
      return 1 - lr * lr - layers * layers - optimizer + 0.02 * noise;
    },
  },
];

function sweepConfig(objective: Objective, method: 'tpe' | 'random'): SweepConfig {
  return parseSweepConfig({
    main_script_name: 'train.py',
    hyperparameters: objective.hyperparameters,
    max_runs: TRIALS,
    early_stopping: false,
    method,
    optimization_metric: 'Accuracy',
    optimization_goal: 'max',
  });
}

/**
 * The best true value found in `TRIALS` trials with `agents` agents working in lockstep: trial n
 * is suggested when trial n - agents has finished, the others still running (pending).
 */
function search(objective: Objective, method: 'tpe' | 'random', seed: number, agents: number) {
  const config = sweepConfig(objective, method);
  const noise = createSeededRandom(`noise:${seed}`);
  const done: (TrialHistoryEntry & { truth: number })[] = [];
  const started: Values[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const finishedBefore = Math.max(0, trial - agents + 1);
    const history: TrialHistoryEntry[] = [
      ...done.slice(0, finishedBefore),
      ...started
        .slice(finishedBefore, trial)
        .map((values, offset) => ({ trial: finishedBefore + offset, values, pending: true })),
    ];
    const values = suggestTrial(config, seed, trial, history);
    started.push(values);
    done.push({
      trial,
      values,
      value: objective.value(values, noise.uniform() * 2 - 1),
      truth: objective.value(values, 0),
    });
  }
  // Regret is measured on the true value of the trial the noisy metric ranked best.
  const chosen = done.reduce((best, entry) => (entry.value! > best.value! ? entry : best));
  return 1 - chosen.truth;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function tpeRows() {
  const rows: Record<string, string | number>[] = [];
  for (const objective of OBJECTIVES) {
    for (const agents of [1, 3]) {
      const random = mean(SEEDS.map((seed) => search(objective, 'random', seed, agents)));
      const tpe = mean(SEEDS.map((seed) => search(objective, 'tpe', seed, agents)));
      rows.push({
        objective: objective.name,
        agents,
        'random: mean regret': random.toFixed(4),
        'tpe: mean regret': tpe.toFixed(4),
        'tpe / random': (tpe / random).toFixed(2),
      });
    }
  }
  return rows;
}

const MAX_ITER = 27;
/** W&B's keys as the README's example sets them; `brackets` 1 is plain successive halving. */
const rule = (brackets: number): EarlyTerminateConfig => ({
  type: 'hyperband',
  minIter: 3,
  eta: 3,
  maxIter: MAX_ITER,
  ...(brackets === 1 ? {} : { brackets }),
});

/**
 * A learning curve: the trial's quality approached at its own rate, plus a little noise per step,
 * so ranks at early rungs mostly but not always match final ranks.
 */
function curve(quality: number, rate: number, step: number, noise: number): number {
  return quality * (1 - Math.exp(-step / rate)) + 0.01 * noise;
}

/**
 * `TRIALS` random trials on `agents` simulated agents. Each trial's steps take their own time (1 to
 * 3 units, as trials on different machines and settings do), so with several agents later trials
 * overtake earlier ones; a trial at a rung records its best so far and is decided from every
 * trial's records at that moment, as the agents do through the store. Resolves the steps used and
 * the best value seen.
 */
function hyperband(seed: number, agents: number, terminate: EarlyTerminateConfig | undefined) {
  const random = createSeededRandom(`hyperband:${seed}`);
  const trials = Array.from({ length: TRIALS }, () => ({
    quality: 0.5 + 0.5 * random.uniform(),
    rate: 2 + 8 * random.uniform(),
    stepTime: 1 + 2 * random.uniform(),
    noise: Array.from({ length: MAX_ITER }, () => random.uniform() * 2 - 1),
  }));
  const recorded = trials.map(() => new Map<number, number>());
  const best = trials.map(() => -Infinity);
  let next = 0;
  let steps = 0;
  let now = 0;
  const running: { trial: number; step: number; at: number }[] = [];
  const start = () => {
    const trial = next++;
    running.push({ trial, step: 0, at: now + trials[trial]!.stepTime });
  };
  while (running.length < agents && next < TRIALS) start();
  while (running.length > 0) {
    // The step that ends first (ties in start order) is taken next.
    const slot = running.reduce((first, each) => (each.at < first.at ? each : first));
    now = slot.at;
    const trial = trials[slot.trial]!;
    slot.step += 1;
    steps += 1;
    const value = curve(trial.quality, trial.rate, slot.step, trial.noise[slot.step - 1]!);
    best[slot.trial] = Math.max(best[slot.trial]!, value);
    let stop = slot.step >= MAX_ITER;
    const bracket = terminate === undefined ? 0 : bracketOf(terminate, slot.trial);
    if (terminate !== undefined && decisionPoint(terminate, slot.step, bracket) !== undefined) {
      recorded[slot.trial]!.set(slot.step, best[slot.trial]!);
      // A trial is compared with the trials of its own bracket only, as `rungValues` does.
      const others = recorded
        .filter((_, index) => index !== slot.trial && bracketOf(terminate, index) === bracket)
        .map((record) => record.get(slot.step))
        .filter((each): each is number => each !== undefined);
      stop ||= decideTermination(
        terminate,
        'max',
        'Accuracy',
        slot.step,
        best[slot.trial]!,
        others,
        bracket,
      ).stop;
    }
    slot.at = now + trial.stepTime;
    if (stop) {
      running.splice(running.indexOf(slot), 1);
      if (next < TRIALS) start();
    }
  }
  return { steps, best: Math.max(...best) };
}

function hyperbandRows() {
  return [1, 2, 3].flatMap((brackets) =>
    [1, 3].map((agents) => {
      const runs = SEEDS.map((seed) => ({
        full: hyperband(seed, agents, undefined),
        band: hyperband(seed, agents, rule(brackets)),
      }));
      return {
        brackets,
        agents,
        'full sweep: steps': runs[0]!.full.steps,
        'hyperband: mean steps': Math.round(mean(runs.map((run) => run.band.steps))),
        'steps used': `${(100 * mean(runs.map((run) => run.band.steps / run.full.steps))).toFixed(0)} %`,
        'mean gap to the full sweep best': `${(100 * mean(runs.map((run) => 1 - run.band.best / run.full.best))).toFixed(2)} %`,
        'worst gap': `${(100 * Math.max(...runs.map((run) => 1 - run.band.best / run.full.best))).toFixed(2)} %`,
      };
    }),
  );
}

/** The two tables of `npm run bench -- sweeps`. */
export function sweepsBenchmark(): {
  search: Record<string, string | number>[];
  terminate: Record<string, string | number>[];
} {
  return { search: tpeRows(), terminate: hyperbandRows() };
}
