import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { ValidationError } from '../../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../layout/tables.js';
import { slugifyProject } from '../../tracking/project-name.js';
import { openTracker } from '../../tracking/trackers.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

export const kindArg = {
  kind: { type: 'string', description: 'classification or regression', required: true },
} as const;

export function parseKind(kind: string): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      '--kind',
      `"${kind}" is not a kind of experiment`,
      'Use --kind classification or --kind regression.',
    );
  }
  return kind as ExperimentKind;
}

/** Options of {@link newCsvCommand}. */
export interface NewCsvCommandOptions extends CommandOptions {
  /** The project's name, slugified. */
  project: string;
  /** `classification` or `regression`. */
  kind: string;
}

/** `ml-tracking new-csv`: starts a new tracker; resolves its path in the store. */
export function newCsvCommand(options: NewCsvCommandOptions): Promise<string> {
  // Checked before the store is opened: a wrong kind or name creates nothing.
  const kind = parseKind(options.kind);
  const project = slugifyProject(options.project);
  return withCommandStore(options, async (store) => {
    const tracker = await openTracker(store, kind, project, { newCsv: true });
    return tracker.path;
  });
}

export const newCsvCli = defineCliCommand({
  meta: {
    name: 'new-csv',
    description: COMMAND_DESCRIPTIONS['new-csv'],
  },
  args: {
    project: { type: 'string', description: 'Project name (slugified)', required: true },
    ...kindArg,
    ...storeArg,
  },
  run: (args, { cwd, env }) =>
    newCsvCommand({ project: args.project, kind: args.kind, store: args.store, cwd, env }),
  render: (path, output) => {
    output.line(path);
  },
});
