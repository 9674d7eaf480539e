import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { StoreError } from '../../errors.js';
import { uploadJournal, type JournalUploadReport } from '../../runs/upload-journal.js';
import { defineCliCommand, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** What `ml-tracking sync` did, and the store it was limited to. */
export interface SyncResult extends JournalUploadReport {
  /** The only store uploaded to; none: every store in the journal. */
  only: string | undefined;
}

/**
 * `ml-tracking sync`: uploads what runs left in the local journal, to the named store only
 * (`store`, else ML_TRACKING_STORE) or to every store in it.
 */
export async function syncCommand(options: CommandOptions = {}): Promise<SyncResult> {
  const only = options.store ?? nonEmpty((options.env ?? process.env).ML_TRACKING_STORE);
  const report = await uploadJournal({
    ...(only !== undefined && { store: only }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
  return { ...report, only };
}

export const syncCli = defineCliCommand({
  meta: {
    name: 'sync',
    description: COMMAND_DESCRIPTIONS.sync,
  },
  args: { ...storeArg },
  run: async (args, { cwd, env, stderr }) => {
    const result = await syncCommand({ store: args.store, cwd, env });
    for (const item of result.unreadable) {
      stderr.line(`warning: skipped ${item.file}: ${item.problem}`);
    }
    return result;
  },
  render: (result, output) => {
    for (const item of result.uploaded) output.line(`uploaded  ${item.runId}  ${item.store}`);
    output.line(
      `${result.uploaded.length} journal entries uploaded, ${result.failed.length} kept for later`,
    );
  },
  failure: (result) => {
    if (result.failed.length === 0) return undefined;
    const lines = result.failed.map((item) => `  ${item.runId} (${item.store}): ${item.error}`);
    return new StoreError(
      `Cannot upload ${result.failed.length} journal entries; they are kept:\n${lines.join('\n')}\nRun ml-tracking sync again once the store can be reached.`,
      { operation: 'sync', store: result.only ?? 'journal' },
    );
  },
});

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
