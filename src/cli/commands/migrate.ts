import { defineCommand } from 'citty';
import { MlTrackingError } from '../../errors.js';
import { migrateTrackers } from '../../tracking/migrate-trackers.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../../store/with-store.js';

export function migrateCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'migrate',
      description:
        "List (or with --apply rewrite) the trackers whose header is not the current schema's: columns mapped by name, new ones empty, no row lost",
    },
    args: {
      apply: {
        type: 'boolean',
        description: 'Rewrite the trackers (default: only list what would change)',
      },
      ...storeArg,
    },
    run: ({ args }) =>
      withStore(args.store, async (store) => {
        const report = await migrateTrackers(store, { apply: args.apply ?? false });
        const failed = report.trackers.filter((tracker) => tracker.problem !== undefined);
        for (const tracker of report.trackers) {
          const verdict =
            tracker.problem === undefined
              ? tracker.migrated
                ? 'migrated'
                : 'to migrate'
              : 'cannot migrate';
          output.line(`${verdict.padEnd(14)} ${tracker.path} (${tracker.rows} rows)`);
          for (const change of tracker.changes) output.line(`  ${change}`);
          if (tracker.problem !== undefined) output.line(`  ${tracker.problem}`);
        }
        const ready = report.trackers.length - failed.length;
        output.line(
          report.applied
            ? `migrated ${ready} of ${report.checked} trackers to schema version ${report.schemaVersion}`
            : ready > 0
              ? `${ready} of ${report.checked} trackers to migrate to schema version ${report.schemaVersion}; run again with --apply to rewrite them`
              : `all ${report.checked - failed.length} trackers are at schema version ${report.schemaVersion}`,
        );
        if (failed.length > 0) {
          throw new MlTrackingError(
            `${failed.length} tracker${failed.length === 1 ? '' : 's'} could not be migrated (listed above with the reason); fix them and run ml-tracking migrate again.`,
            { code: 'ERR_MIGRATION' },
          );
        }
      }),
  });
}
