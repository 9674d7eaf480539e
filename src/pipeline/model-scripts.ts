/**
 * The model scripts of a pipeline: every `*.py`, `*.ts`, `*.mts`, `*.js` and `*.mjs` file directly
 * in its models folders, named by the file name without the extension. Files whose name starts
 * with `_` or `.` are helpers the scripts share, `*.d.ts` are declarations and `*.test.*` tests:
 * none of them is a script.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ValidationError } from '../errors.js';
import { isPipelineName } from './versions.js';

const SCRIPT_EXTENSIONS = ['.py', '.ts', '.mts', '.js', '.mjs'];

/** Which files are scripts, for the messages that say why a file was not one. */
export const SCRIPT_FILES_RULE = `${SCRIPT_EXTENSIONS.join(', ')} files not starting with _ or .`;

/** A model script found in a models folder. */
export interface ModelScript {
  /** The file name without its extension: what the lists name. */
  name: string;
  /** Absolute path. */
  file: string;
  /** What runs it: a Python interpreter for `.py`, Node for the others. */
  language: 'python' | 'javascript';
}

/** Why a file of a models folder is not a script, or `undefined` when it is one. */
export function whyNotAScript(fileName: string): string | undefined {
  const extension = extname(fileName);
  if (!SCRIPT_EXTENSIONS.includes(extension)) {
    return `its extension ${extension === '' ? '(none)' : extension} is not one of ${SCRIPT_EXTENSIONS.join(', ')}`;
  }
  if (fileName.startsWith('_') || fileName.startsWith('.')) {
    return `its name starts with ${fileName[0]}, which marks a helper the scripts import, not a script`;
  }
  if (/\.d\.m?ts$/.test(fileName)) return 'it is a TypeScript declaration file';
  if (/\.test\.m?[jt]s$/.test(fileName)) return 'it is a test file';
  return undefined;
}

/** Whether a file of a models folder is a script. */
export const isScriptFile = (fileName: string): boolean => whyNotAScript(fileName) === undefined;

/**
 * The scripts of the models folders, by name, in name order.
 * @throws ValidationError when two files have the same name (in two folders, or `a.ts` beside
 *   `a.py`), or a script's name cannot name a store folder.
 */
export async function findModelScripts(modelDirs: readonly string[]): Promise<ModelScript[]> {
  const byName = new Map<string, ModelScript>();
  for (const folder of modelDirs) {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !isScriptFile(entry.name)) continue;
      const file = join(folder, entry.name);
      const name = entry.name.slice(0, -extname(entry.name).length);
      if (!isPipelineName(name)) {
        throw new ValidationError(
          file,
          `"${name}" cannot name a model script`,
          'Rename the file to 1–100 of A-Z a-z 0-9 . _ -, starting with a letter or digit (a leading _ marks a helper, not a script).',
        );
      }
      const other = byName.get(name);
      if (other !== undefined) {
        throw new ValidationError(
          file,
          `another script has the name "${name}": ${other.file}`,
          'Rename one of them: the lists and the store know a script by its name alone.',
        );
      }
      const language = extname(entry.name) === '.py' ? 'python' : 'javascript';
      byName.set(name, { name, file, language });
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The files of the models folders that look like the script `name` but are not scripts, each
 * with why (`models/_sample_model.py: its name starts with _ …`): what a list naming a missing
 * script most likely meant.
 */
export async function filesSkippedFor(
  modelDirs: readonly string[],
  name: string,
): Promise<string[]> {
  const stem = (fileName: string) => fileName.replace(/^[_.]+/, '').split('.')[0];
  const wanted = stem(name);
  const skipped: string[] = [];
  for (const folder of modelDirs) {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (stem(entry.name) !== wanted) continue;
      const why = entry.isFile() ? whyNotAScript(entry.name) : 'it is not a file';
      if (why !== undefined) skipped.push(`${join(folder, entry.name)}: ${why}`);
    }
  }
  return skipped;
}
