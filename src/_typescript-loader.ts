/**
 * What `node` needs to run a TypeScript file someone else wrote (a sweep trial, a reproduce
 * entry): `--import <tsx>` from their project when it has tsx, else ours; nothing on Node 22.18+,
 * which strips types by itself. `undefined` when neither is there: the caller says what to do.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function typeScriptLoader(folder: string): string[] | undefined {
  for (const base of [join(folder, 'package.json'), import.meta.url]) {
    try {
      return ['--import', createRequire(base).resolve('tsx')];
    } catch {
      // Not installed there.
    }
  }
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18) ? [] : undefined;
}
