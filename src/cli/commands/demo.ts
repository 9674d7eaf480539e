import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { runDemo } from '../../demo/run-demo.js';
import type { LoggedExperiment } from '../../tracking/log-experiment.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';
import { printLogged } from './log.js';

/** `ml-tracking demo`: trains two small real models and logs both; resolves what was logged. */
export function demoCommand(options: CommandOptions = {}): Promise<LoggedExperiment[]> {
  return withCommandStore(options, (store) => runDemo({ store }));
}

export const demoCli = defineCliCommand({
  meta: {
    name: 'demo',
    description: COMMAND_DESCRIPTIONS.demo,
  },
  args: { ...storeArg },
  run: (args, { cwd, env }) => demoCommand({ store: args.store, cwd, env }),
  render: (runs, output) => {
    for (const logged of runs) {
      printLogged(output, logged);
      output.line('');
    }
    output.line('See them with: npx ml-tracking list');
  },
});
