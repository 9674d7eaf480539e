/**
 * The model scripts of a pipeline: every `*.ts`, `*.mts`, `*.js` and `*.mjs` file directly in
 * its models folders, named by the file name without the extension. Files whose name starts with
 * `_` or `.` are helpers the scripts share, `*.d.ts` are declarations and `*.test.*` tests: none
 * of them is a script.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ValidationError } from '../errors.js';
import { isPipelineName } from './versions.js';

const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** A model script found in a models folder. */
export interface ModelScript {
  /** The file name without its extension: what the lists name. */
  name: string;
  /** Absolute path. */
  file: string;
}

/** Whether a file of a models folder is a script. */
export function isScriptFile(fileName: string): boolean {
  if (!SCRIPT_EXTENSIONS.includes(extname(fileName))) return false;
  if (fileName.startsWith('_') || fileName.startsWith('.')) return false;
  return !/\.d\.m?ts$/.test(fileName) && !/\.test\.m?[jt]s$/.test(fileName);
}

/**
 * The scripts of the models folders, by name, in name order.
 * @throws ValidationError when two files have the same name (in two folders, or `a.ts` beside
 *   `a.js`), or a script's name cannot name a store folder.
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
      byName.set(name, { name, file });
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
