import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { MlTrackingError } from '../../errors.js';
import { migrateRuns, type RunsMigrationReport } from '../../runs/migrate-runs.js';
import { migrateTrackers, type MigrationReport } from '../../tracking/migrate-trackers.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link migrateCommand}. */
export interface MigrateCommandOptions extends CommandOptions {
  /** Rewrite the trackers and run files, and index long series. @default false: only report what would change */
  apply?: boolean;
}

/** What `ml-tracking migrate` found and did: the trackers' report, and the runs'. */
export interface MigrateCommandReport extends MigrationReport {
  runs: RunsMigrationReport;
}

/**
 * `ml-tracking migrate`: the trackers and the run files whose header is not the current schema's,
 * rewritten with `apply`.
 */
export function migrateCommand(options: MigrateCommandOptions = {}): Promise<MigrateCommandReport> {
  const apply = options.apply ?? false;
  return withCommandStore(
    options,
    async (store) => ({
      ...(await migrateTrackers(store, { apply })),
      runs: await migrateRuns(store, { apply }),
    }),
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
      description:
        'Rewrite the trackers and run files, and build missing series indexes (default: only list what would change)',
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
    printRuns(output, report.runs);
  },
  failure: (report) => {
    const failed = failedOf(report);
    if (failed.length === 0) return undefined;
    // Run files left as they are (still running, or with columns of their own) are listed
    // above, not failures: they read as they are, and the next migrate takes them.
    return new MlTrackingError(
      `${failed.length} tracker${failed.length === 1 ? '' : 's'} could not be migrated (listed above with the reason); fix them and run ml-tracking migrate again.`,
      { code: 'ERR_MIGRATION' },
    );
  },
});

const failedOf = (report: MigrationReport) =>
  report.trackers.filter((tracker) => tracker.problem !== undefined);

function printRuns(output: Output, report: RunsMigrationReport): void {
  for (const run of report.runs) {
    const verdict = run.problem === undefined ? (run.migrated ? 'migrated' : 'to migrate') : 'left';
    output.line(
      `${verdict.padEnd(14)} ${run.path}${run.added.length > 0 ? ` (adds ${run.added.join(', ')})` : ''}`,
    );
    if (run.problem !== undefined) output.line(`  ${run.problem}`);
  }
  const ready = report.runs.filter((run) => run.problem === undefined).length;
  output.line(
    report.applied
      ? `migrated ${ready} of ${report.checked} run files to runs schema version ${report.schemaVersion}`
      : ready > 0
        ? `${ready} of ${report.checked} run files to migrate to runs schema version ${report.schemaVersion}; run again with --apply to rewrite them`
        : `all ${report.checked - report.runs.length} run files are at runs schema version ${report.schemaVersion}${report.runs.length > 0 ? ` (${report.runs.length} left, above)` : ''}`,
  );
  const { missing, indexed } = report.seriesIndexes;
  output.line(
    report.applied
      ? `indexed ${indexed.length} of ${missing.length} long series without a series index (scalars-lod/)`
      : missing.length > 0
        ? `${missing.length} long series without a series index (scalars-lod/; otherwise built at their first chart); run again with --apply to build them`
        : 'every long series has its series index (scalars-lod/)',
  );
}
