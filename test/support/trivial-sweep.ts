import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a sweep whose trial does nothing but report one scalar (a Node script), so that what is
 * measured or counted is the agent's own work. Resolves the configuration's path.
 */
export async function writeTrivialSweep(folder: string, trials: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, 'trial.mjs'),
    'console.log(JSON.stringify({ ml_tracking: "scalar", tag: "Accuracy", value: 0.5 }));\n',
  );
  const config = join(folder, 'experiment_cfg.json');
  await writeFile(
    config,
    JSON.stringify({
      main_script_name: 'trial.mjs',
      hyperparameters: { lr: { type: 'uniform', min: 0, max: 1 } },
      max_runs: trials,
      early_stopping: false,
    }),
  );
  return config;
}
