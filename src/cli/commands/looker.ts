import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../layout/tables.js';
import { lookerLinkingUrl, type LookerLinkingUrlOptions } from '../../looker/linking-url.js';
import { ValidationError } from '../../errors.js';
import { defineCliCommand, type Environment } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link lookerCommand}. */
export interface LookerCommandOptions {
  /** The template report's id, or its URL. Without it: the default report over one kind. */
  template?: string | undefined;
  /** `classification` or `regression`: the trackers the default report reads. @default 'classification' */
  kind?: string | undefined;
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

/** What `ml-tracking looker` answers: the link, and what it makes. */
export interface LookerLink {
  url: string;
  /** `default`: Looker Studio's default report over one trackers folder; `template`: a copy. */
  report: 'default' | 'template';
  /** The trackers the default report reads; absent for a template, which reads every folder. */
  kind?: ExperimentKind;
  /** The folders the new report's data sources read, as `bucket/prefix/folder`. */
  paths: string[];
}

function parseKind(kind: string): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      '--kind',
      `"${kind}" is not a kind of experiment`,
      `Use ${EXPERIMENT_KINDS.map((choice) => `--kind ${choice}`).join(' or ')}.`,
    );
  }
  return kind as ExperimentKind;
}

/** `ml-tracking looker`: the Looker Studio link that makes a report over the store. */
export function lookerCommand(options: LookerCommandOptions): LookerLink {
  const { mode, template } = options;
  if (mode !== undefined && mode !== 'view' && mode !== 'edit') {
    throw new ValidationError('--mode', `"${mode}" is not a report mode`, 'Use view or edit.');
  }
  if (template !== undefined && options.kind !== undefined) {
    throw new ValidationError(
      '--kind',
      '--kind chooses the trackers of the default report, and a --template report reads every folder',
      'Leave out --kind with --template, or leave out --template for the default report over one kind.',
    );
  }
  const kind = options.kind === undefined ? undefined : parseKind(options.kind);
  const linking: LookerLinkingUrlOptions = {
    store: options.store ?? (options.env ?? process.env).ML_TRACKING_STORE ?? '',
    ...(template === undefined ? {} : { templateReportId: template }),
    ...(kind === undefined ? {} : { kind }),
    ...(options.name === undefined ? {} : { reportName: options.name }),
    ...(mode === undefined ? {} : { mode }),
    ...(options.explain === true ? { explain: true } : {}),
    ...(options.refreshFields === true ? { refreshFields: true } : {}),
  };
  const url = lookerLinkingUrl(linking);
  const parameters = new URL(url).searchParams;
  const paths = [...parameters.entries()]
    .filter(([key]) => /^ds\.(?:[^.]+\.)?path$/.test(key))
    .map(([, value]) => value);
  return template === undefined
    ? { url, report: 'default', kind: kind ?? 'classification', paths }
    : { url, report: 'template', paths };
}

const PARAGRAPH_WIDTH = 100;

/** `text` in lines of at most {@link PARAGRAPH_WIDTH} columns, broken between words. */
function paragraph(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > PARAGRAPH_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** What the person who opens the link sees, so that nobody clicks blind. */
function afterClick(link: LookerLink): string {
  const reads = (sources: string) =>
    `${sources} the bucket with the Google account of whoever opens the link, so they need read access to it (roles/storage.objectViewer)`;
  const keep = 'Nothing is kept until they save the report (Edit and share).';
  if (link.report === 'default') {
    return [
      `Opened in a browser, the link makes a new Looker Studio report from its default template with one data source: every ${link.kind ?? ''} tracker in gs://${link.paths[0] ?? ''} (one row per logged experiment), its fields named from the CSV header and typed by Looker Studio from the values.`,
      `${reads('The data source reads')}.`,
      keep,
      'dashboards/README.md lists the field types to check and the other tables.',
    ].join(' ');
  }
  return [
    `Opened in a browser, the link makes a copy of the template report, each of its ${link.paths.length} data sources (matched by alias) reading its folder of the store.`,
    `${reads('They read')}, and view access to the template.`,
    keep,
  ].join(' ');
}

export const lookerCli = defineCliCommand({
  meta: {
    name: 'looker',
    description: COMMAND_DESCRIPTIONS.looker,
  },
  args: {
    template: {
      type: 'string',
      description:
        'Template report id, or its URL, to copy; without it, the default report over one kind of trackers',
    },
    kind: {
      type: 'string',
      description: 'Trackers of the default report: classification (default) or regression',
    },
    name: { type: 'string', description: 'Name of the new report' },
    mode: { type: 'string', description: 'Open the new report in view or edit mode' },
    explain: { type: 'boolean', description: "Show Looker Studio's debug dialog" },
    'refresh-fields': {
      type: 'boolean',
      description:
        "Have Looker Studio re-read each data source's fields (a template's field types are then reset)",
    },
    json: { type: 'boolean', description: 'Print the link and its folders as JSON' },
    ...storeArg,
  },
  run: (args, { env }) =>
    lookerCommand({
      template: args.template,
      kind: args.kind,
      store: args.store,
      name: args.name,
      mode: args.mode,
      explain: args.explain,
      refreshFields: args['refresh-fields'],
      env,
    }),
  render: (link, output) => {
    // The link alone on the first line: `ml-tracking looker … | head -1` is the URL.
    output.line(link.url);
    output.line('');
    for (const line of paragraph(afterClick(link))) output.line(line);
  },
});
