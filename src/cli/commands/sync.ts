import { defineCommand } from 'citty';
import { StoreError } from '../../errors.js';
import { uploadJournal } from '../../runs/upload-journal.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';

export function syncCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'sync',
      description:
        'Upload what runs left in the local journal when their process ended before their last points reached GCS, each point once (default: every store in the journal)',
    },
    args: { ...storeArg },
    run: async ({ args }) => {
      const only = args.store ?? nonEmpty(process.env.ML_TRACKING_STORE);
      const report = await uploadJournal(only === undefined ? {} : { store: only });
      for (const item of report.uploaded) output.line(`uploaded  ${item.runId}  ${item.store}`);
      for (const item of report.unreadable) {
        process.stderr.write(`warning: skipped ${item.file}: ${item.problem}\n`);
      }
      output.line(
        `${report.uploaded.length} journal entries uploaded, ${report.failed.length} kept for later`,
      );
      if (report.failed.length > 0) {
        const lines = report.failed.map((item) => `  ${item.runId} (${item.store}): ${item.error}`);
        throw new StoreError(
          `Cannot upload ${report.failed.length} journal entries; they are kept:\n${lines.join('\n')}\nRun ml-tracking sync again once the store can be reached.`,
          { operation: 'sync', store: only ?? 'journal' },
        );
      }
    },
  });
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
