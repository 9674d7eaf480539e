import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import { checkGarbageMinAge, collectGarbage } from '../../tracking/collect-garbage.js';
import type { Output } from '../_output.js';
import { stderrOutput, warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../../store/with-store.js';

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

export function gcCommand(output: Output, warnings: Output = stderrOutput) {
  return defineCommand({
    meta: {
      name: 'gc',
      description:
        'List (or with --apply delete) what crashed writers left: locks, staging files, append parts, and outputs no tracker row references',
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
    run: ({ args }) => {
      const minAgeMs = parseAge(args['min-age']);
      const force = args.force ?? false;
      // Checked before the store is opened: a refused age costs nothing and touches nothing.
      checkGarbageMinAge(
        minAgeMs,
        force,
        '--min-age',
        'or add --force if no writer is using this store',
      );
      return withStore(args.store, async (store) => {
        const report = await collectGarbage(store, {
          minAgeMs,
          force,
          apply: args.apply ?? false,
          onSkipped: warnSkipped(warnings),
        });
        for (const item of report.garbage) {
          output.line(`${item.reason.padEnd(12)} ${String(item.size).padStart(10)}  ${item.path}`);
        }
        const what = `${report.garbage.length} files, ${report.bytes} bytes`;
        output.line(
          report.deleted
            ? `deleted ${what}`
            : `${what} to delete; run again with --apply to delete them`,
        );
      });
    },
  });
}
