import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { lookerLinkingUrl, type LookerLinkingUrlOptions } from '../../looker/linking-url.js';
import { ValidationError } from '../../errors.js';
import { defineCliCommand, type Environment } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link lookerCommand}. */
export interface LookerCommandOptions {
  /** The template report's id, or its URL. */
  template: string;
  /** A `gs://` store. @default ML_TRACKING_STORE */
  store?: string | undefined;
  /** The new report's name. */
  name?: string | undefined;
  /** `view` or `edit`. */
  mode?: string | undefined;
  explain?: boolean | undefined;
  refreshFields?: boolean | undefined;
  /** @default process.env */
  env?: Environment;
}

/** `ml-tracking looker`: the Looker Studio link that copies a template onto the store. */
export function lookerCommand(options: LookerCommandOptions): string {
  const { mode } = options;
  if (mode !== undefined && mode !== 'view' && mode !== 'edit') {
    throw new ValidationError('--mode', `"${mode}" is not a report mode`, 'Use view or edit.');
  }
  const linking: LookerLinkingUrlOptions = {
    templateReportId: options.template,
    store: options.store ?? (options.env ?? process.env).ML_TRACKING_STORE ?? '',
    ...(options.name === undefined ? {} : { reportName: options.name }),
    ...(mode === undefined ? {} : { mode }),
    ...(options.explain === true ? { explain: true } : {}),
    ...(options.refreshFields === true ? { refreshFields: true } : {}),
  };
  return lookerLinkingUrl(linking);
}

export const lookerCli = defineCliCommand({
  meta: {
    name: 'looker',
    description: COMMAND_DESCRIPTIONS.looker,
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
  run: (args, { env }) =>
    lookerCommand({
      template: args.template,
      store: args.store,
      name: args.name,
      mode: args.mode,
      explain: args.explain,
      refreshFields: args['refresh-fields'],
      env,
    }),
  render: (url, output) => {
    output.line(url);
  },
});
