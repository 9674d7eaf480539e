/**
 * Where one of this package's child-process entries is (`_version-child`, `_command-guard`,
 * `_reproduce-child`), for the module at `moduleUrl` beside it:
 * - the built JavaScript beside the module (an installed package, `dist/`);
 * - when the module runs from `src/` (the tests, a developer's tsx), the repository's build of the
 *   entry in `dist/` if there is one: Node starts on JavaScript in a third of the CPU it takes
 *   through tsx, and the tests start hundreds of children (their global setup keeps `dist/` fresh);
 * - else the TypeScript source, which needs a loader (`typescript: true`).
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildEntry {
  file: string;
  /** The file is TypeScript: Node needs a loader (tsx) to run it. */
  typescript: boolean;
}

export function childEntry(moduleUrl: string, name: string): ChildEntry {
  const beside = fileURLToPath(new URL(`./${name}.js`, moduleUrl));
  if (existsSync(beside)) return { file: beside, typescript: false };
  const source = fileURLToPath(new URL(`./${name}.ts`, moduleUrl));
  const marker = `${sep}src${sep}`;
  const at = source.lastIndexOf(marker);
  if (at !== -1) {
    const built = join(source.slice(0, at), 'dist', source.slice(at + marker.length)).replace(
      /\.ts$/,
      '.js',
    );
    if (existsSync(built)) return { file: built, typescript: false };
  }
  return { file: source, typescript: true };
}
