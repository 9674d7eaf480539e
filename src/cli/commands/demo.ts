import { defineCommand } from 'citty';
import { runDemo } from '../../demo/run-demo.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { printLogged } from './log.js';

export function demoCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'demo',
      description: 'Train two small real models (iris, diabetes) and log both runs',
    },
    args: { ...storeArg },
    async run({ args }) {
      const runs = await runDemo(args.store === undefined ? {} : { store: args.store });
      for (const logged of runs) {
        printLogged(output, logged);
        output.line('');
      }
      output.line('See them with: npx ml-tracking list');
    },
  });
}
