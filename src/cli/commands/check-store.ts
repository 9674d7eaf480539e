import { defineCommand } from 'citty';
import { checkStore } from '../../store/check-store.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../../store/with-store.js';

export function checkStoreCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'check-store',
      description:
        'Write, append, read, list, conditionally write and delete a scratch object: proves the store, its credentials and its permissions work',
    },
    args: { ...storeArg },
    run: ({ args }) =>
      withStore(args.store, async (store) => {
        const report = await checkStore(store);
        output.line(`${report.store} (${report.kind}) works:`);
        for (const { step, milliseconds } of report.steps) {
          output.line(`  ${step.padEnd(18)} ${milliseconds.toFixed(1).padStart(8)} ms`);
        }
      }),
  });
}
