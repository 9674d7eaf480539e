import { defineCommand } from 'citty';
import { lookerLinkingUrl, type LookerLinkingUrlOptions } from '../../looker/linking-url.js';
import { ValidationError } from '../../errors.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';

export function lookerCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'looker',
      description:
        'Print the Looker Studio link that copies a template report onto the store (gs:// only)',
    },
    args: {
      template: {
        type: 'string',
        description: 'Template report id, or its URL',
        required: true,
      },
      name: { type: 'string', description: 'Name of the new report' },
      mode: { type: 'string', description: 'Open the new report in view or edit mode' },
      explain: { type: 'boolean', description: "Show Looker Studio's debug dialog" },
      'refresh-fields': {
        type: 'boolean',
        description: 'Have Looker Studio re-read the fields of each data source',
      },
      ...storeArg,
    },
    run: ({ args }) => {
      const mode = args.mode;
      if (mode !== undefined && mode !== 'view' && mode !== 'edit') {
        throw new ValidationError('--mode', `"${mode}" is not a report mode`, 'Use view or edit.');
      }
      const options: LookerLinkingUrlOptions = {
        templateReportId: args.template,
        store: args.store ?? process.env.ML_TRACKING_STORE ?? '',
        ...(args.name === undefined ? {} : { reportName: args.name }),
        ...(mode === undefined ? {} : { mode }),
        ...(args.explain === true ? { explain: true } : {}),
        ...(args['refresh-fields'] === true ? { refreshFields: true } : {}),
      };
      output.line(lookerLinkingUrl(options));
    },
  });
}
