import type { OnSkipped } from '../skipped-files.js';
import { terminalOutput, type Output } from './_output.js';

/** Where warnings go by default: stderr, so stdout stays the answer (a table, JSON). */
export const stderrOutput: Output = terminalOutput({
  line: (text) => process.stderr.write(`${text}\n`),
});

/**
 * One warning line per file a reader skipped, on `warnings`: the command still answers with
 * everything it could read, and its exit code does not change.
 */
export const warnSkipped =
  (warnings: Output): OnSkipped =>
  ({ path, problem }) => {
    warnings.line(`ml-tracking: warning: skipped ${path}: ${problem}`);
  };
