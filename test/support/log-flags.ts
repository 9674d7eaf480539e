/**
 * The flags `ml-tracking log` requires, filled in for tests that vary the rest: a
 * classification (unless `kind` says otherwise) of model `M`, without plots unless asked.
 */
export function logFlags(options: {
  kind?: string;
  project: string;
  predictions: string;
  store: string;
  plots?: boolean;
}): string[] {
  return [
    '--kind',
    options.kind ?? 'classification',
    '--project',
    options.project,
    '--predictions',
    options.predictions,
    '--dataset-uri',
    'file:///d.csv',
    '--target-column',
    'y',
    '--model',
    'M',
    ...(options.plots === true ? [] : ['--no-plots']),
    '--store',
    options.store,
  ];
}
