// One word per thing (issue 22, item 9): an "experiment" is a logExperiment row, a "run" is a run
// (ml-tracking runs). A newcomer told that the demo "logs both runs" finds "No runs." in `runs`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands, resolved } from '../../src/cli/_commands.js';
import { root } from '../support/programs.js';

/** The commands about logExperiment's rows, which have no run. */
const EXPERIMENT_COMMANDS = ['demo', 'log', 'list', 'show', 'new-csv'] as const;
const RUN_WORD = /\bruns?\b/i;

describe('the words for experiments and runs', () => {
  it("the experiment commands' help calls what they log or read experiments, never runs", async () => {
    const all = commands();
    for (const name of EXPERIMENT_COMMANDS) {
      const command = await all[name]();
      const meta = await resolved(command.meta);
      expect(meta.description, name).not.toMatch(RUN_WORD);
    }
  });

  it("the README's quick start says what the demo logs and what list lists: experiments", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const quickStart = readme.slice(0, readme.indexOf('\n## '));
    expect(quickStart).toMatch(/demo .*logs an experiment of each/);
    expect(quickStart).toMatch(/`npx ml-tracking list` lists the experiments/);
    expect(quickStart).not.toMatch(/\b(logs|lists) (both|the) runs\b/);
  });
});
