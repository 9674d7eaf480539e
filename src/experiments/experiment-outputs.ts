/**
 * `this.outputs` of an experiment run: where it writes its files (plots, checkpoints). A folder
 * of the store per recorded run; in debug mode a local temporary folder, removed when the run
 * ends, so that debugging never leaves anything in the store.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkOutputName,
  writeExperimentOutput,
  type ExperimentOutputsLocation,
} from '../records/experiment-records.js';
import type { ObjectData, Store } from '../store/types.js';

/** Where an experiment run writes its files. */
export interface ExperimentOutputs {
  /** The folder's URI: `gs://…/`, `file://…/` or `memory://…/` (what the tracker row records). */
  readonly uri: string;
  /** `true` in debug mode: a local temporary folder, removed when the run ends. */
  readonly temporary: boolean;
  /** The names written so far, in order. */
  readonly written: readonly string[];
  /**
   * Writes one file (replacing a file of the same name) and returns its {@link path}.
   * @param name relative, `/`-separated, e.g. `plots/loss.png`
   * @example await this.outputs.write('model.json', JSON.stringify(model.toJSON()))
   */
  write(name: string, data: ObjectData): Promise<string>;
  /** Where `name` is (or goes): its path in the store, or its absolute local path in debug mode. */
  path(name: string): string;
  /** A URL a person can open for `name`. */
  url(name: string): string;
}

/** The outputs of a recorded run: a folder of the store. */
export function storeOutputs(store: Store, location: ExperimentOutputsLocation): ExperimentOutputs {
  const written: string[] = [];
  const path = (name: string) => `${location.folder}${checkOutputName(name)}`;
  return {
    uri: location.uri,
    temporary: false,
    written,
    async write(name, data) {
      await writeExperimentOutput(store, location, name, data);
      if (!written.includes(name)) written.push(name);
      return path(name);
    },
    path,
    url: (name) => store.objectUrl(path(name)),
  };
}

/** Debug-mode outputs in a new local temporary folder, and how to remove it. */
export async function temporaryOutputs(): Promise<{
  outputs: ExperimentOutputs;
  remove(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-experiment-debug-'));
  return {
    outputs: localOutputs(root, true),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Outputs in a local folder (made on the first write); `temporary` says it will not be kept. */
export function localOutputs(root: string, temporary: boolean): ExperimentOutputs {
  const written: string[] = [];
  const path = (name: string) => join(root, ...checkOutputName(name).split('/'));
  return {
    uri: `${pathToFileURL(root).href}/`,
    temporary,
    written,
    async write(name, data) {
      const target = path(name);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
      if (!written.includes(name)) written.push(name);
      return target;
    },
    path,
    url: (name) => pathToFileURL(path(name)).href,
  };
}
