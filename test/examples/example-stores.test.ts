// Running the README's examples writes stores and checkpoints beside them; git must not see those
// files, or the next example (trainModel, which refuses to train in a dirty tree) refuses to run.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from '../support/programs.js';

const ignored = (path: string) =>
  spawnSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: root }).status === 0;

describe('what the examples write', () => {
  it.each([
    'examples/sweep/ml-tracking/runs/20261206T000000000Z-00000000.csv',
    'examples/experiments/ml-tracking/experiment-trackers/iris.json',
    'examples/pipeline/ml-tracking/runs/20261206T000000000Z-00000000.csv',
    'examples/pipeline/checkpoints/iris_forest/model.json',
  ])('is ignored by git: %s', (path) => {
    expect(ignored(path)).toBe(true);
  });

  it('the examples themselves are not', () => {
    expect(ignored('examples/sweep/train_script.py')).toBe(false);
    expect(ignored('examples/pipeline/models.config')).toBe(false);
  });
});
