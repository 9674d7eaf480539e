// A process that runs a command as a run and can be killed while it does, for the tests of
// what outlives it:
//   node --import tsx test/support/run-workers/command-parent.ts <store> <options-json> -- <command…>
// <options-json> is given to runCommand (ownProcessGroup, graceMs, stdin). It prints
// `guard <pid>` once the command was started, the command's output as it comes, and
// `done <outcome-json>` when the command ended.
import { runCommand, type RunCommandOptions } from '../../../src/runs/run-command.js';
import { startRun } from '../../../src/runs/start-run.js';

const [store, optionsJson, separator, ...command] = process.argv.slice(2);
if (store === undefined || optionsJson === undefined || separator !== '--') {
  throw new Error('usage: command-parent <store> <options-json> -- <command…>');
}
const run = await startRun({
  project: 'command-parent',
  store,
  captureLog: true,
  closeOnExit: false,
});
const running = runCommand({
  ...(JSON.parse(optionsJson) as Partial<RunCommandOptions>),
  command,
  logger: run,
  storeUrl: store,
  onOutput: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`guard ${running.pid}\n`);
const outcome = await running.done;
process.stdout.write(`done ${JSON.stringify(outcome)}\n`);
await run.finish();
