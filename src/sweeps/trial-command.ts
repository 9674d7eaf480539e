/**
 * The argv of a trial: the main script after the configuration's `command` (an interpreter argv
 * such as `["uv", "run", "python"]`) or after an interpreter inferred from its extension, then the
 * sampled values as `--name=value` and `--logdir=<store>`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import type { HyperparameterValue } from './sampling.js';

/** How a script of each extension is started when the configuration names no `command`. */
export function interpreterFor(script: string, folder: string): string[] {
  const extension = /\.[^./\\]+$/.exec(script)?.[0]?.toLowerCase();
  switch (extension) {
    case '.py':
      return ['python3', script];
    case '.js':
    case '.mjs':
    case '.cjs':
      return [process.execPath, script];
    case '.ts':
    case '.mts':
    case '.cts':
      return [process.execPath, ...typeScriptLoader(folder), script];
    default:
      return [join(folder, script)];
  }
}

/**
 * `--import <tsx>` when tsx can be found (the project's own, else ours); Node 22.18+ strips types
 * by itself, so nothing is needed there.
 */
function typeScriptLoader(folder: string): string[] {
  for (const base of [join(folder, 'package.json'), import.meta.url]) {
    try {
      return ['--import', createRequire(base).resolve('tsx')];
    } catch {
      // Not installed there.
    }
  }
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return [];
  throw new ValidationError(
    'main_script_name',
    `a TypeScript trial needs a loader and tsx is not installed (Node ${process.versions.node})`,
    'Run `npm install --save-dev tsx` in the sweep\'s folder, or give a "command" in the configuration.',
  );
}

/** The full argv of one trial. */
export function trialArgv(options: {
  command: readonly string[] | undefined;
  mainScriptName: string;
  folder: string;
  values: Record<string, HyperparameterValue>;
  storeUrl: string;
}): string[] {
  const base =
    options.command === undefined
      ? interpreterFor(options.mainScriptName, options.folder)
      : [...options.command, options.mainScriptName];
  if (options.command === undefined && !existsSync(join(options.folder, options.mainScriptName))) {
    throw new ValidationError(
      'main_script_name',
      `${options.mainScriptName} is not in ${options.folder}`,
      'Run the sweep from the folder of experiment_cfg.json (or pass --dir), or fix main_script_name.',
    );
  }
  const flags = Object.entries(options.values).map(([name, value]) => `--${name}=${String(value)}`);
  return [...base, ...flags, `--logdir=${options.storeUrl}`];
}
