import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkStore, type StoreCheckReport } from '../../store/check-store.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** `ml-tracking check-store`: every operation on a scratch object, timed. */
export function checkStoreCommand(options: CommandOptions = {}): Promise<StoreCheckReport> {
  return withCommandStore(options, (store) => checkStore(store));
}

export const checkStoreCli = defineCliCommand({
  meta: {
    name: 'check-store',
    description: COMMAND_DESCRIPTIONS['check-store'],
  },
  args: { ...storeArg },
  run: (args, { cwd, env }) => checkStoreCommand({ store: args.store, cwd, env }),
  render: (report, output) => {
    output.line(`${report.store} (${report.kind}) works:`);
    for (const { step, milliseconds } of report.steps) {
      output.line(`  ${step.padEnd(18)} ${milliseconds.toFixed(1).padStart(8)} ms`);
    }
  },
});
