/**
 * What `Experiment.run` does when the project's experiment tracker already has a row for the
 * model name, applied twice: before training (`decide`), and again at the commit point, to the
 * rows as they are then (`commitExperimentRow`), since other runs may have saved meanwhile.
 */
import { decline } from '../records/keyed-commit.js';
import { ConflictError } from '../errors.js';
import { commitTrackerFile } from '../records/experiment-records.js';
import type { Store } from '../store/types.js';
import { ModelTracker, trackerFromText, trackerText, type TrackerRow } from './model-tracker.js';

/** What `run()` does when the tracker already has a row for the model name. */
export type OnDuplicate = 'overwrite' | 'duplicate' | 'skip' | 'error';

/** Every {@link OnDuplicate} value. */
export const ON_DUPLICATE_VALUES: readonly OnDuplicate[] = [
  'overwrite',
  'duplicate',
  'skip',
  'error',
];

/**
 * `onDuplicate: 'error'` found the model name in the tracker already. A `ConflictError` (code
 * `ERR_CONFLICT`) whose message names the model and the ways out.
 */
export class DuplicateModelError extends ConflictError {
  override name = 'DuplicateModelError' as const;
  /** The model name found in the tracker. */
  readonly modelName: string;

  constructor(context: { store: string; path: string; modelName: string; generation: string }) {
    super({
      operation: 'record experiment',
      store: context.store,
      path: context.path,
      expectedGeneration: '0',
      actualGeneration: context.generation,
      message: `Cannot run experiment "${context.modelName}": the experiment tracker ${context.path} in ${context.store} already has a row for it, and onDuplicate is "error".`,
      hint: 'Give the experiment another modelName, or run it with onDuplicate: "overwrite" (replace the row), "duplicate" (add another row) or "skip" (keep the row, train nothing).',
    });
    this.modelName = context.modelName;
  }
}

/**
 * Applies the duplicate policy to the tracker's rows: the existing row to resolve with (`skip`),
 * a thrown `DuplicateModelError` (`error`), or `undefined` to go on.
 */
export function decide(
  tracker: ModelTracker,
  modelName: string,
  onDuplicate: OnDuplicate,
  where: { store: string; path: string; generation: string },
): TrackerRow | undefined {
  const existing = tracker.find({ model_name: modelName }).at(-1);
  if (existing === undefined) return undefined;
  if (onDuplicate === 'skip') return existing;
  if (onDuplicate === 'error') throw new DuplicateModelError({ ...where, modelName });
  return undefined;
}

/** What the commit did: wrote (or found already written) this run's row, or kept another's. */
export type RowCommit =
  { status: 'recorded'; row: TrackerRow } | { status: 'skipped'; row: TrackerRow };

/**
 * The commit point of `Experiment.run`: the row goes into the tracker by a keyed commit
 * (`records/keyed-commit.ts`) whose key is the row's `run_id`, so a commit retried after a
 * lost answer finds its own row instead of applying the policy again. To fresh rows without it:
 * `duplicate` adds the row, `overwrite` replaces the model's row (harmless twice: a replay after
 * another run's overwrite leaves one row, as if this run had saved last), `skip` keeps another
 * run's row, `error` throws `DuplicateModelError`.
 * @throws DuplicateModelError (`error`, another run's row is there); ConflictError when other
 *   runs kept saving first through every retry; StoreError.
 */
export async function commitExperimentRow(
  store: Store,
  path: string,
  row: TrackerRow,
  ids: { modelName: string; runId: string },
  onDuplicate: OnDuplicate,
): Promise<RowCommit> {
  const mine = { run_id: ids.runId };
  const result = await commitTrackerFile(store, path, {
    hasKey: (text) => trackerFromText(text, path).find(mine).length > 0,
    apply: (current) => {
      const tracker =
        current === undefined ? new ModelTracker() : trackerFromText(current.text, path);
      const where = { store: store.url, path, generation: current?.generation ?? '0' };
      const found = decide(tracker, ids.modelName, onDuplicate, where);
      if (found !== undefined) return decline(found);
      if (onDuplicate === 'overwrite') tracker.upsert('model_name', row);
      else tracker.addRow(row);
      return trackerText(tracker, path);
    },
  });
  return result.status === 'declined'
    ? { status: 'skipped', row: result.value }
    : { status: 'recorded', row };
}
