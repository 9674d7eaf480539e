#!/usr/bin/env node
import { processInterrupts } from './_interrupts.js';
import { runCli, type TextSink } from './run-cli.js';

// A reader that goes away (`ml-tracking list | head -1`) closes the pipe: stop printing, but let
// the command finish what it is doing (a log still lands, a lock is still released).
let stdoutOpen = true;
let stdoutFailure: Error | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutOpen = false;
  if (error.code !== 'EPIPE') stdoutFailure ??= error;
});
const stdout: TextSink = {
  write: (text) => {
    if (stdoutOpen) process.stdout.write(text);
  },
  isTTY: process.stdout.isTTY,
  get columns() {
    return process.stdout.columns;
  },
  failure: () => stdoutFailure,
};
const stderr: TextSink = { write: (text) => process.stderr.write(text) };

// No top-level await: nothing in this module makes its importers wait.
void runCli(process.argv.slice(2), {
  stdout,
  stderr,
  interrupts: processInterrupts,
  // A second Ctrl-C: the user will not wait for the command to wind down.
  exit: (code) => process.exit(code),
}).then((code) => {
  process.exitCode = code;
});
