import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { ValidationError } from '../../errors.js';
import {
  checkGarbageMinAge,
  collectGarbage,
  type GarbageReport,
} from '../../tracking/collect-garbage.js';
import type { OnSkipped } from '../../skipped-files.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `24h`, `7d` → milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      '--min-age',
      `"${text}" is not an age`,
      'Give a number and a unit: m (minutes), h (hours) or d (days), e.g. --min-age 24h.',
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Options of {@link gcCommand}. */
export interface GcCommandOptions extends CommandOptions {
  /** Only what is older than this: `30m`, `24h`, `7d`. @default '24h' */
  minAge?: string;
  /** Allow a min age under an hour. @default false */
  force?: boolean;
  /** Delete what was found. @default false */
  apply?: boolean;
  /** Told of each file that could not be read. */
  onSkipped?: OnSkipped;
}

/** `ml-tracking gc`: what crashed writers left, deleted with `apply`. */
export function gcCommand(options: GcCommandOptions = {}): Promise<GarbageReport> {
  const minAgeMs = parseAge(options.minAge ?? '24h');
  const force = options.force ?? false;
  // Checked before the store is opened: a refused age costs nothing and touches nothing.
  checkGarbageMinAge(
    minAgeMs,
    force,
    '--min-age',
    'or add --force if no writer is using this store',
  );
  return withCommandStore(
    options,
    (store) =>
      collectGarbage(store, {
        minAgeMs,
        force,
        apply: options.apply ?? false,
        ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
      }),
    { existing: true },
  );
}

export const gcCli = defineCliCommand({
  meta: {
    name: 'gc',
    description: COMMAND_DESCRIPTIONS.gc,
  },
  args: {
    'min-age': {
      type: 'string',
      description:
        'Only what is older than this (m, h or d), so live writers are never disturbed; under 1h needs --force',
      default: '24h',
    },
    force: {
      type: 'boolean',
      description:
        'Allow --min-age under 1h, when no writer uses the store (outputs without a tracker row still need 1h)',
    },
    apply: { type: 'boolean', description: 'Delete what was found (default: only list it)' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    gcCommand({
      minAge: args['min-age'],
      force: args.force ?? false,
      apply: args.apply ?? false,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  render: (report, output) => {
    for (const item of report.garbage) {
      output.line(`${item.reason.padEnd(12)} ${String(item.size).padStart(10)}  ${item.path}`);
    }
    const what = `${report.garbage.length} files, ${report.bytes} bytes`;
    output.line(
      report.deleted
        ? `deleted ${what}`
        : `${what} to delete; run again with --apply to delete them`,
    );
  },
});
