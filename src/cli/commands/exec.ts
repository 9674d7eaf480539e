import { basename } from 'node:path';
import { constants } from 'node:os';
import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import {
  endingOf,
  runCommand as runChild,
  type CommandOutcome,
  type RunningCommand,
} from '../../runs/run-command.js';
import { startRun } from '../../runs/start-run.js';
import { withStore } from '../../store/with-store.js';
import { storeArg } from '../_shared-args.js';

export function execCommand() {
  return defineCommand({
    meta: {
      name: 'exec',
      description:
        'Run one command as a run: its {"ml_tracking": "scalar", …} lines become scalars, its output the run log; exits with its exit code',
    },
    args: {
      project: {
        type: 'string',
        description: "Project of the run (default: the current folder's name)",
      },
      name: { type: 'string', description: 'Name of the run (default: a generated one)' },
      grace: {
        type: 'string',
        description:
          'Seconds the command has to exit after exec passes it SIGINT or SIGTERM, before SIGKILL',
        default: String(DEFAULT_GRACE_SECONDS),
      },
      command: {
        type: 'positional',
        description: 'The command and its arguments, after --',
        required: false,
        valueHint: 'argv',
      },
      ...storeArg,
    },
    run: async ({ args }) => {
      const graceMs = parseGrace(args.grace);
      const argv = args._.map(String);
      if (argv.length === 0) {
        throw new ValidationError(
          'command',
          'no command given',
          'Put the command after --, e.g. ml-tracking exec --project soil -- python3 train.py',
        );
      }
      // Closed also when startRun fails (the run id was taken, the store refused the record).
      return withStore(args.store, async (store) => {
        // SIGTERM (kill, Kubernetes, docker stop) and SIGINT are passed to the command's process
        // group, which has `graceMs` to end before SIGKILL; exec stays to close the run as
        // interrupted, and exits 128 + the signal's number as a shell would report it.
        let interruptedBy: NodeJS.Signals | undefined;
        let child: RunningCommand | undefined;
        let killTimer: NodeJS.Timeout | undefined;
        const onSignal = (signal: NodeJS.Signals) => {
          interruptedBy ??= signal;
          if (child === undefined) return;
          // A command that shares our process group (it reads the terminal) got the terminal's
          // Ctrl-C itself: passing it on would make it two. Only the deadline applies.
          if (child.ownProcessGroup || signal !== 'SIGINT') {
            void child.terminate(graceMs, signal);
          } else if (killTimer === undefined) {
            const running = child;
            killTimer = setTimeout(() => void running.terminate(0, 'SIGKILL'), graceMs);
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const logger = await startRun({
            project: args.project ?? basename(process.cwd()),
            ...(args.name !== undefined && { name: args.name }),
            store,
            origin: 'exec',
            command: argv,
            captureLog: true,
            closeOnExit: false,
          });
          process.stderr.write(`ml-tracking: run ${logger.id} (project ${logger.project})\n`);
          let outcome: CommandOutcome | undefined;
          if (interruptedBy === undefined) {
            try {
              child = runChild({
                command: argv,
                logger,
                storeUrl: store.url,
                graceMs,
                onOutput: (line, stream) => process[stream].write(`${line}\n`),
              });
              outcome = await child.done;
            } catch (error) {
              await logger.finish({ error });
              throw error;
            } finally {
              clearTimeout(killTimer);
            }
          }
          const warnings = outcome?.warnings ?? [];
          for (const warning of warnings)
            process.stderr.write(`ml-tracking: warning: ${warning}\n`);
          const code =
            interruptedBy !== undefined
              ? 128 + constants.signals[interruptedBy]
              : (outcome?.exitCode ??
                128 + (outcome?.signal == null ? 1 : constants.signals[outcome.signal]));
          const record = await logger.finish(
            interruptedBy !== undefined || outcome === undefined
              ? { status: 'failed', error: `interrupted by ${interruptedBy ?? 'a signal'}` }
              : endingOf(outcome),
          );
          const tags = Object.keys(record.summary).length;
          process.stderr.write(
            `ml-tracking: run ${record.id} ${record.status}, ${tags} ${tags === 1 ? 'tag' : 'tags'}${warnings.length > 0 ? `, ${warnings.length} warnings` : ''}\n`,
          );
          return code;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    },
  });
}

const DEFAULT_GRACE_SECONDS = 5;

/**
 * `--grace` in milliseconds. 5 s by default: under `docker stop` (10 s) or Kubernetes (30 s)
 * exec is itself killed after its own grace period, and needs the rest to record the run.
 */
function parseGrace(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new ValidationError(
      '--grace',
      `"${text}" is not a number of seconds from 0 to 86400`,
      `Give the seconds the command has to exit once interrupted, e.g. --grace ${DEFAULT_GRACE_SECONDS}.`,
    );
  }
  return seconds * 1000;
}
