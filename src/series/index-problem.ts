/**
 * A series index that does not describe its scalars file (torn, stale, from an odd file). Never
 * shown to a user: whoever meets one decodes the scalars file instead, which is slower, not wrong.
 */
export class IndexProblem extends Error {
  override name = 'IndexProblem' as const;
}
