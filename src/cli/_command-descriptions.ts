/**
 * What each command is for, in one line: what `ml-tracking --help` lists without importing the
 * commands (importing all of them to read these made `--help` cost four Node start-ups), and
 * what each command's own `meta.description` is. One home: the commands read theirs from here.
 */
export const COMMAND_DESCRIPTIONS = {
  demo: 'Train two small real models (iris, diabetes) and log an experiment of each',
  log: 'Log an experiment from a CSV of predictions (for any language; pandas to_csv() works as is)',
  'new-csv': "Start a new tracker for a project; prints the new tracker's path",
  list: 'List logged experiments, newest first, with the headline metric of their kind (f1_macro, rmse)',
  show: 'Show one experiment: its tracker row, its metrics and its per-class metrics',
  'check-store':
    'Write, append, read, list, conditionally write and delete a scratch object: proves the store, its credentials and its permissions work',
  looker:
    'Print the Looker Studio link that makes a report over the store: the default report over one kind of trackers, or a copy of --template (gs:// only)',
  bigquery:
    'Print the BigQuery DDL of external tables over the store (gs:// only), one per folder, and the views that join them',
  query:
    'Run one SQL query (DuckDB) over the store: experiments, scoring, predictions, confusion, runs, scalars, sweeps, model_runs; --tables lists their columns',
  export:
    'Write the query views as files (Parquet or CSV), one per view, for BigQuery load jobs and notebooks',
  runs: 'List runs (loggers, exec, sweep trials…), newest first',
  run: 'Show one run: its record, and every tag with its last, min and max',
  compare:
    'Compare runs side by side: the parameters that differ first (hyperparameters, classes, data set, commit), then the metrics',
  exec: 'Run one command as a run: its {"ml_tracking": "scalar", …} lines become scalars, its output the run log; exits with its exit code',
  sweep:
    'Run a hyperparameter sweep from experiment_cfg.json; `sweep agent <id>` joins one from any machine, `sweep show <id>` prints its trials',
  sweeps: 'List sweeps, newest first, with their progress and best trial',
  reproduce:
    "Re-run a trainModel run from its id, at its recorded commit (in a temporary git worktree when HEAD is another), on its stored data set; prints the new run and each metric's difference",
  pipeline:
    'Run the versions of the model scripts in ml-tracking.pipeline.json: a test (nothing recorded, stops at the first error), or with -r a run per version, resumable and shared by several machines',
  ui: 'Serve the local dashboard (projects, runs, sweeps) over a store until Ctrl-C',
  gc: 'List (or with --apply delete) what crashed writers left: locks, staging files, append parts, and outputs no tracker row references',
  sync: 'Upload what runs left in the local journal when their process ended before their last points reached GCS, each point once (default: every store in the journal)',
  migrate:
    "List (or with --apply rewrite) the trackers whose header is not the current schema's: columns mapped by name, new ones empty, no row lost",
  // The engine's steps for other languages' clients (Python's): last, after what people type.
  'run-sink':
    'Own one run for another program (the Python client): prints {"run_id", "project", "store"}, then records the protocol lines read on stdin until a status line or the end of stdin (then the run fails)',
  experiment:
    "The engine's steps of an experiment whose stages run elsewhere (Python's Experiment): check applies the duplicate policy, commit records the tracker row last",
  'train-model':
    "The engine's steps of a trainModel run fitted elsewhere (Python's train_model): begin checks and splits, finish records, recall reads a run to reproduce",
} as const;
