import { defineCommand } from 'citty';
import { listTrackers } from '../../tracking/list-trackers.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../_store.js';

export function listCommand(output: Output) {
  return defineCommand({
    meta: { name: 'list', description: 'List trackers and how many experiments each holds' },
    args: {
      project: { type: 'string', description: 'Only this project' },
      ...storeArg,
    },
    run: ({ args }) =>
      withStore(args.store, async (store) => {
        const trackers = await listTrackers(
          store,
          args.project === undefined ? {} : { project: args.project },
        );
        if (trackers.length === 0) {
          output.line(
            `No trackers in ${store.url}${args.project === undefined ? '' : ` for project ${args.project}`}.`,
          );
          return;
        }
        const width = Math.max(...trackers.map((tracker) => tracker.path.length));
        for (const tracker of trackers) {
          output.line(
            `${tracker.path.padEnd(width)}  ${String(tracker.rows).padStart(6)} ${tracker.rows === 1 ? 'row' : 'rows'}`,
          );
        }
      }),
  });
}
