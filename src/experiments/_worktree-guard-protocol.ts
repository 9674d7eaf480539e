/**
 * What a reproduction's temporary worktree (`_git-worktree.ts`) and its guard process
 * (`_worktree-guard.ts`) tell each other, in a file of its own: importing the guard's file would
 * run the guard.
 */

/** The worktree the guard removes when its parent dies. */
export interface WorktreeGuardJob {
  /** The user's repository (git runs there). */
  repository: string;
  /** The temporary folder holding the worktree, removed last. */
  folder: string;
  /** The worktree itself. */
  path: string;
  /** How long the training child has after SIGTERM before SIGKILL. */
  graceMs: number;
}

/** What the parent tells the guard. */
export type WorktreeGuardMessage =
  /** Links into the user's repository, unlinked before anything is removed. */
  | { type: 'links'; links: string[] }
  /** The training child, stopped before the worktree goes. */
  | { type: 'child'; pid: number }
  /** The parent removed the worktree itself: nothing left to do. */
  | { type: 'done' };
