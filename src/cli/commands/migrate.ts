import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { MlTrackingError } from '../../errors.js';
import { migrateTrackers, type MigrationReport } from '../../tracking/migrate-trackers.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link migrateCommand}. */
export interface MigrateCommandOptions extends CommandOptions {
  /** Rewrite the trackers. @default false: only report what would change */
  apply?: boolean;
}

/** `ml-tracking migrate`: the trackers whose header is not the current schema's, rewritten with `apply`. */
export function migrateCommand(options: MigrateCommandOptions = {}): Promise<MigrationReport> {
  return withCommandStore(
    options,
    (store) => migrateTrackers(store, { apply: options.apply ?? false }),
    { existing: true },
  );
}

export const migrateCli = defineCliCommand({
  meta: {
    name: 'migrate',
    description: COMMAND_DESCRIPTIONS.migrate,
  },
  args: {
    apply: {
      type: 'boolean',
      description: 'Rewrite the trackers (default: only list what would change)',
    },
    ...storeArg,
  },
  run: (args, { cwd, env }) =>
    migrateCommand({ apply: args.apply ?? false, store: args.store, cwd, env }),
  render: (report, output) => {
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
    const ready = report.trackers.length - failedOf(report).length;
    output.line(
      report.applied
        ? `migrated ${ready} of ${report.checked} trackers to schema version ${report.schemaVersion}`
        : ready > 0
          ? `${ready} of ${report.checked} trackers to migrate to schema version ${report.schemaVersion}; run again with --apply to rewrite them`
          : `all ${report.checked - failedOf(report).length} trackers are at schema version ${report.schemaVersion}`,
    );
  },
  failure: (report) => {
    const failed = failedOf(report);
    if (failed.length === 0) return undefined;
    return new MlTrackingError(
      `${failed.length} tracker${failed.length === 1 ? '' : 's'} could not be migrated (listed above with the reason); fix them and run ml-tracking migrate again.`,
      { code: 'ERR_MIGRATION' },
    );
  },
});

const failedOf = (report: MigrationReport) =>
  report.trackers.filter((tracker) => tracker.problem !== undefined);
