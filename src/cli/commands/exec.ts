import { basename } from 'node:path';
import { constants } from 'node:os';
import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import { endingOf, runCommand as runChild } from '../../runs/run-command.js';
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
      command: {
        type: 'positional',
        description: 'The command and its arguments, after --',
        required: false,
        valueHint: 'argv',
      },
      ...storeArg,
    },
    run: async ({ args }) => {
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
        // The child is in our process group: a Ctrl-C reaches it directly. We stay to close the run.
        let interruptedBy: NodeJS.Signals | undefined;
        const onSignal = (signal: NodeJS.Signals) => {
          interruptedBy = signal;
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          let outcome;
          try {
            const child = runChild({
              command: argv,
              logger,
              storeUrl: store.url,
              onOutput: (line, stream) => process[stream].write(`${line}\n`),
            });
            outcome = await child.done;
          } catch (error) {
            await logger.finish({ error });
            throw error;
          }
          for (const warning of outcome.warnings)
            process.stderr.write(`ml-tracking: warning: ${warning}\n`);
          const code =
            outcome.exitCode ??
            128 + (outcome.signal === null ? 1 : constants.signals[outcome.signal]);
          const record = await logger.finish(
            code !== 0 && interruptedBy
              ? { status: 'failed', error: `interrupted by ${interruptedBy}` }
              : endingOf(outcome),
          );
          const tags = Object.keys(record.summary).length;
          process.stderr.write(
            `ml-tracking: run ${record.id} ${record.status}, ${tags} ${tags === 1 ? 'tag' : 'tags'}${outcome.warnings.length > 0 ? `, ${outcome.warnings.length} warnings` : ''}\n`,
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
