import type { OnSkipped } from '../skipped-files.js';
import type { Output } from './_output.js';

/**
 * One warning line per file a reader skipped, on `warnings`: the command still answers with
 * everything it could read, and its exit code does not change.
 */
export const warnSkipped =
  (warnings: Output): OnSkipped =>
  ({ path, problem }) => {
    warnings.line(`ml-tracking: warning: skipped ${path}: ${problem}`);
  };
