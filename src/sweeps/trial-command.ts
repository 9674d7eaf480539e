/**
 * The argv of a trial: the main script after the configuration's `command` (an interpreter argv
 * such as `["uv", "run", "python"]`) or after an interpreter inferred from its extension, then the
 * sampled values as `--name=value` and `--logdir=<store>`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typeScriptLoader } from '../_typescript-loader.js';
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
      return [process.execPath, ...loaderFor(folder), script];
    default:
      return [join(folder, script)];
  }
}

/** The loader for a TypeScript trial, or a ValidationError that says how to get one. */
function loaderFor(folder: string): string[] {
  const loader = typeScriptLoader(folder);
  if (loader !== undefined) return loader;
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
  return [...base, ...flags, `--logdir=${logdirOf(options.storeUrl)}`];
}

/**
 * The store as a trial's `--logdir`: a plain path for a local folder, which argparse scripts
 * (`open()`, `os.path.join`, `ExperimentLogger(logdir=…)`) take as it is; any other store's URL
 * (`gs://…`, `memory://…`) as it is.
 */
export function logdirOf(storeUrl: string): string {
  return storeUrl.startsWith('file:') ? fileURLToPath(storeUrl) : storeUrl;
}
