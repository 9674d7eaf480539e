/**
 * The git state a `trainModel` run records, and the rule for a working tree with uncommitted
 * changes: shared by a new run and a reproduction in this process.
 */
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { readRunContext, type RunContext } from '../tracking/run-context.js';

/** The commit and dirty flag of `cwd`'s repository. */
export function gitContext(cwd: string, store: Store): Promise<RunContext> {
  return readRunContext(cwd, {
    // A local store inside the repository is written by every run: it never makes a tree dirty.
    exclude: store.kind === 'local' ? [fileURLToPath(store.url)] : [],
  });
}

/**
 * Opens the store and checks the tree at `cwd` for a new training (a dirty tree refused unless
 * `allowDirty`), then does `work` with both: the start of `trainModel` and of
 * `train-model begin`.
 */
export function withCheckedTree<T>(
  options: {
    store?: string | Store | undefined;
    cwd?: string | undefined;
    allowDirty?: boolean | undefined;
  },
  work: (store: Store, context: RunContext, warnings: string[]) => Promise<T>,
): Promise<T> {
  const cwd = options.cwd ?? process.cwd();
  return withStore(
    options.store,
    async (store) => {
      const context = await gitContext(cwd, store);
      return work(store, context, checkTree(context, cwd, options.allowDirty, 'train'));
    },
    options.cwd === undefined ? {} : { cwd: options.cwd },
  );
}

/** Refuses a dirty tree unless allowed; the warnings a run records about its git state. */
export function checkTree(
  context: RunContext,
  cwd: string,
  allowDirty: boolean | undefined,
  action: string,
): string[] {
  if (context.gitCommit === undefined) {
    return [
      `${cwd} is not in a git repository: no commit was recorded, so this run can be reproduced only with the code at hand, never at its commit`,
    ];
  }
  if (context.gitDirty === undefined) {
    return [
      `git could not tell whether the working tree at ${cwd} has uncommitted changes: the recorded commit ${context.gitCommit} may not hold the code that trained`,
    ];
  }
  if (!context.gitDirty) return [];
  if (allowDirty !== true) {
    throw new ValidationError(
      'allowDirty',
      `the working tree at ${cwd} has uncommitted changes (${describeDirtyFiles(context.dirtyFiles)}), so its commit ${context.gitCommit} does not hold the code that would ${action}`,
      'Commit your changes (git add -A && git commit) so that the run can be reproduced from its id, or pass allowDirty: true (ml-tracking reproduce: --allow-dirty) to go ahead and record git_dirty = true with a warning.',
    );
  }
  return [
    `the working tree had uncommitted changes (git_dirty = true): commit ${context.gitCommit} does not hold the code this run used to ${action}`,
  ];
}

/** How many dirty files a message names before it counts the rest. */
const NAMED_FILES = 10;

/**
 * The files that make a tree dirty, for a message: `M train.py, ?? models/new.py` (git's
 * status letters: M changed, A added, D deleted, ?? not tracked), the rest counted.
 */
export function describeDirtyFiles(files: readonly string[] | undefined): string {
  if (files === undefined || files.length === 0) return 'git did not list them';
  const named = files.slice(0, NAMED_FILES).map((line) => line.trim().replace(/\s+/, ' '));
  const more = files.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
