import type { CliCommand } from './_command.js';
import { COMMAND_DESCRIPTIONS } from './_command-descriptions.js';
import { usageError } from './_strict-args.js';
import { closest } from '../_suggest.js';

/** A command, imported when it is about to run (or its usage is shown). */
export type LoadCommand = () => Promise<CliCommand>;

// Each command is typed by its own flags and result; running and rendering it only need the
// common shape.
const lazy =
  (load: () => Promise<unknown>): LoadCommand =>
  () =>
    load() as Promise<CliCommand>;

/**
 * Every command, by name, in the order `--help` lists them. Each is imported only when it is
 * needed, so `ml-tracking list` does not load the renderer (vega, resvg), the demo's models or
 * the GCS client: only what `list` itself imports.
 */
export function commands() {
  return {
    demo: lazy(() => import('./commands/demo.js').then((module) => module.demoCli)),
    log: lazy(() => import('./commands/log.js').then((module) => module.logCli)),
    'new-csv': lazy(() => import('./commands/new-csv.js').then((module) => module.newCsvCli)),
    list: lazy(() => import('./commands/list.js').then((module) => module.listCli)),
    show: lazy(() => import('./commands/show.js').then((module) => module.showCli)),
    'check-store': lazy(() =>
      import('./commands/check-store.js').then((module) => module.checkStoreCli),
    ),
    looker: lazy(() => import('./commands/looker.js').then((module) => module.lookerCli)),
    bigquery: lazy(() => import('./commands/bigquery.js').then((module) => module.bigqueryCli)),
    query: lazy(() => import('./commands/query.js').then((module) => module.queryCli)),
    export: lazy(() => import('./commands/export.js').then((module) => module.exportCli)),
    runs: lazy(() => import('./commands/runs.js').then((module) => module.runsCli)),
    run: lazy(() => import('./commands/run.js').then((module) => module.showRunCli)),
    compare: lazy(() => import('./commands/compare.js').then((module) => module.compareCli)),
    exec: lazy(() => import('./commands/exec.js').then((module) => module.execCli)),
    sweep: lazy(() => import('./commands/sweep.js').then((module) => module.sweepCli)),
    sweeps: lazy(() => import('./commands/sweeps.js').then((module) => module.sweepsCli)),
    reproduce: lazy(() => import('./commands/reproduce.js').then((module) => module.reproduceCli)),
    pipeline: lazy(() => import('./commands/pipeline.js').then((module) => module.pipelineCli)),
    ui: lazy(() => import('./commands/ui.js').then((module) => module.uiCli)),
    gc: lazy(() => import('./commands/gc.js').then((module) => module.gcCli)),
    sync: lazy(() => import('./commands/sync.js').then((module) => module.syncCli)),
    migrate: lazy(() => import('./commands/migrate.js').then((module) => module.migrateCli)),
    // The engine's steps for other languages' clients (Python's): last, after what people type.
    'run-sink': lazy(() => import('./commands/run-sink.js').then((module) => module.runSinkCli)),
    experiment: lazy(() =>
      import('./commands/experiment.js').then((module) => module.experimentCli),
    ),
    'train-model': lazy(() =>
      import('./commands/train-model.js').then((module) => module.trainModelCli),
    ),
  } satisfies Record<string, LoadCommand>;
}

/** The name of a command. */
export type CommandName = keyof ReturnType<typeof commands>;

// Every command has its one-line description, and every description a command.
COMMAND_DESCRIPTIONS satisfies Record<CommandName, string> &
  Record<Exclude<keyof typeof COMMAND_DESCRIPTIONS, CommandName>, never>;

/**
 * Imports the command of this name.
 *
 * @throws MlTrackingError `ERR_USAGE` when there is none, naming the closest command.
 */
export async function loadCommand(name: string): Promise<CliCommand> {
  const all: Record<string, LoadCommand> = commands();
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
