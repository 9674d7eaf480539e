import { defineCommand } from 'citty';
import { findExperiment } from '../../tracking/find-experiment.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../_store.js';

export function showCommand(output: Output) {
  return defineCommand({
    meta: { name: 'show', description: 'Show one experiment: its tracker row and its scores' },
    args: {
      predictionId: { type: 'positional', description: 'The prediction id (UUID)', required: true },
      ...storeArg,
    },
    run: ({ args }) =>
      withStore(args.store, async (store) => {
        const found = await findExperiment(store, args.predictionId);
        output.line(`tracker: ${found.tracker}`);
        const width = Math.max(...Object.keys(found.row).map((key) => key.length));
        for (const [column, value] of Object.entries(found.row)) {
          if (value !== '') output.line(`  ${column.padEnd(width)}  ${value}`);
        }
        output.line('scores:');
        for (const score of found.scores) {
          const label = score.class ? `${score.metric} [${score.class}]` : score.metric;
          output.line(`  ${(label ?? '').padEnd(width)}  ${score.value}`);
        }
      }),
  });
}
