import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../layout/tables.js';
import { slugifyProject } from '../../tracking/project-name.js';
import { openTracker } from '../../tracking/trackers.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../../store/with-store.js';

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

export function newCsvCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'new-csv',
      description: "Start a new tracker for a project; prints the new tracker's path",
    },
    args: {
      project: { type: 'string', description: 'Project name (slugified)', required: true },
      ...kindArg,
      ...storeArg,
    },
    run: ({ args }) => {
      const kind = parseKind(args.kind);
      const project = slugifyProject(args.project);
      return withStore(args.store, async (store) => {
        const tracker = await openTracker(store, kind, project, { newCsv: true });
        output.line(tracker.path);
      });
    },
  });
}
