import type { ArgsDef, CommandDef } from 'citty';
import type { Output } from './_output.js';
import { usageError } from './_strict-args.js';
import { closest } from '../_suggest.js';

/** A command, imported when it is about to run (or its usage is shown). */
export type LoadCommand = () => Promise<CommandDef>;

// citty types each command by its own arguments; running it and rendering its usage only need
// the common shape.
const lazy =
  <T extends ArgsDef>(load: () => Promise<CommandDef<T>>): LoadCommand =>
  () =>
    load() as unknown as Promise<CommandDef>;

/**
 * Every command, by name, in the order `--help` lists them. Each is imported only when it is
 * needed, so `ml-tracking list` does not load the renderer (vega, resvg), the demo's models or
 * the GCS client: only what `list` itself imports.
 */
export function commands(output: Output) {
  return {
    demo: lazy(() => import('./commands/demo.js').then((module) => module.demoCommand(output))),
    log: lazy(() => import('./commands/log.js').then((module) => module.logCommand(output))),
    'new-csv': lazy(() =>
      import('./commands/new-csv.js').then((module) => module.newCsvCommand(output)),
    ),
    list: lazy(() => import('./commands/list.js').then((module) => module.listCommand(output))),
    show: lazy(() => import('./commands/show.js').then((module) => module.showCommand(output))),
    'check-store': lazy(() =>
      import('./commands/check-store.js').then((module) => module.checkStoreCommand(output)),
    ),
    looker: lazy(() =>
      import('./commands/looker.js').then((module) => module.lookerCommand(output)),
    ),
    bigquery: lazy(() =>
      import('./commands/bigquery.js').then((module) => module.bigqueryCommand(output)),
    ),
    runs: lazy(() => import('./commands/runs.js').then((module) => module.runsCommand(output))),
    run: lazy(() => import('./commands/run.js').then((module) => module.runCommand(output))),
    compare: lazy(() =>
      import('./commands/compare.js').then((module) => module.compareCommand(output)),
    ),
    exec: lazy(() => import('./commands/exec.js').then((module) => module.execCommand())),
    sweep: lazy(() => import('./commands/sweep.js').then((module) => module.sweepCommand(output))),
    sweeps: lazy(() =>
      import('./commands/sweeps.js').then((module) => module.sweepsCommand(output)),
    ),
    reproduce: lazy(() =>
      import('./commands/reproduce.js').then((module) => module.reproduceCommand(output)),
    ),
    pipeline: lazy(() =>
      import('./commands/pipeline.js').then((module) => module.pipelineCommand(output)),
    ),
    ui: lazy(() => import('./commands/ui.js').then((module) => module.uiCommand(output))),
    gc: lazy(() => import('./commands/gc.js').then((module) => module.gcCommand(output))),
    sync: lazy(() => import('./commands/sync.js').then((module) => module.syncCommand(output))),
    migrate: lazy(() =>
      import('./commands/migrate.js').then((module) => module.migrateCommand(output)),
    ),
  } satisfies Record<string, LoadCommand>;
}

/** The name of a command. */
export type CommandName = keyof ReturnType<typeof commands>;

/**
 * Imports the command of this name.
 *
 * @throws MlTrackingError `ERR_USAGE` when there is none, naming the closest command.
 */
export async function loadCommand(name: string, output: Output): Promise<CommandDef> {
  const all: Record<string, LoadCommand> = commands(output);
  const load = Object.hasOwn(all, name) ? all[name] : undefined;
  if (load !== undefined) return load();
  const suggestion = closest(name, Object.keys(all));
  throw usageError(
    `Unknown command "${name}".${suggestion === undefined ? '' : ` Did you mean ${suggestion}?`} Run ml-tracking --help to see the commands.`,
  );
}

/** A value citty accepts either as is or behind a function or a promise (`Resolvable`). */
export async function resolved<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}
