/**
 * Test mode: a rehearsal of every version of every listed script, once, in a temporary folder,
 * recording nothing; the first failure stops it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDryRun } from '../runs/start-run.js';
import { emptyReport, type Context } from './_pipeline-context.js';
import type { Queue } from './_queue.js';
import { runOne } from './_run-version.js';
import { eachScript } from './_walk-queue.js';
import type { PipelineReport } from './pipeline-report.js';
import { describeScript, PipelineScriptError, type DescribedScript } from './version-process.js';
import { runOrder } from './versions.js';

/** Every version of every script, once, in a temporary folder; the first failure stops it. */
export async function runTestMode(context: Context, first: Queue): Promise<PipelineReport> {
  const report = emptyReport(context);
  // A rehearsal fails before anything runs when a script of the queue cannot be loaded (a
  // syntax error, a missing module, a wrong version field), not after the scripts before it ran.
  // Scripts added to the list while it runs are described when they are reached.
  const describedFirst = new Map<string, DescribedScript>();
  for (const script of first.scripts) {
    describedFirst.set(script.name, await describeScript(script, context.config));
  }
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-pipeline-test-'));
  try {
    await eachScript(context, first, undefined, async (script) => {
      const described =
        describedFirst.get(script.name) ?? (await describeScript(script, context.config));
      for (const version of runOrder(described.versions)) {
        if (context.signal.aborted) return 'done';
        // The model folder is emptied before each version: no version sees another's files.
        await rm(root, { recursive: true, force: true });
        await mkdir(root, { recursive: true });
        const outcome = await runOne(context, report, described, version, {
          logger: startDryRun({
            project: context.config.project,
            name: `${script.name}:${version.name}`,
            hyperparameters: version.parameters,
          }),
          storeUrl: 'memory://ml-tracking-pipeline-test-mode',
          modelDir: join(root, 'model'),
          outputs: { kind: 'local', folder: join(root, 'outputs') },
        });
        // An interrupted version is no failure of its own: the pipeline just stops.
        if (outcome.status === 'failed' && !interrupted(context.signal)) {
          throw new PipelineScriptError(script.name, version.name, outcome.error ?? 'failed', {
            code: 'ERR_PIPELINE_VERSION',
            detail: outcome.detail ?? '',
          });
        }
      }
      return 'done';
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  report.interrupted = context.signal.aborted;
  return report;
}

/** Read through a call: a signal can be aborted while a version runs, which narrowing ignores. */
const interrupted = (signal: AbortSignal): boolean => signal.aborted;
