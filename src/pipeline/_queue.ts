/**
 * The queue: the scripts of the models folders that the mode's list lets run, in order. Read at
 * the start and again after each model, so that a list edited while the pipeline runs takes
 * effect at the next model.
 */
import { ValidationError } from '../errors.js';
import { readModelLists, selectScripts } from './model-lists.js';
import {
  filesSkippedFor,
  findModelScripts,
  SCRIPT_FILES_RULE,
  type ModelScript,
} from './model-scripts.js';
import { modelListFile, type PipelineConfig } from './pipeline-config.js';
import type { PipelineMode } from './pipeline-model.js';

export interface Queue {
  /** The list file read. */
  listFile: string;
  scripts: ModelScript[];
}

/**
 * Reads the list and the folders.
 * @throws ValidationError for a list that cannot be read or names a script the folders do not
 *   have (at its line, with the closest name).
 */
export async function readQueue(config: PipelineConfig, mode: PipelineMode): Promise<Queue> {
  const listFile = modelListFile(config, mode);
  const [lists, found] = await Promise.all([
    readModelLists(listFile),
    findModelScripts(config.modelDirs),
  ]);
  const byName = new Map(found.map((script) => [script.name, script]));
  const { queue, unknown } = selectScripts(lists, [...byName.keys()]);
  const [first] = unknown;
  if (first !== undefined) {
    // A file of that name that is not a script (a helper, another extension) is most likely the
    // one meant: say why it was passed over.
    const skipped = await filesSkippedFor(config.modelDirs, first.name);
    throw new ValidationError(
      `${listFile}:${first.line}`,
      `no model script is named "${first.name}" in ${config.modelDirs.join(', ')}${
        unknown.length > 1
          ? ` (nor ${unknown
              .slice(1)
              .map((each) => `"${each.name}" at line ${each.line}`)
              .join(', ')})`
          : ''
      }${skipped.length > 0 ? ` (skipped: ${skipped.join('; ')})` : ''}`,
      first.suggestion === undefined
        ? `Add the script, or remove the line. The scripts there (${SCRIPT_FILES_RULE}): ${[...byName.keys()].join(', ') || 'none'}.`
        : `Did you mean ${first.suggestion}?`,
    );
  }
  return {
    listFile,
    scripts: queue.map((name) => byName.get(name)).filter((script) => script !== undefined),
  };
}
