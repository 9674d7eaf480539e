/**
 * The walk through the queue that both modes share: one model at a time, the list read again
 * after each, and a model another process is running come back to after a wait.
 */
import { sleep } from '../_sleep.js';
import type { Context } from './_pipeline-context.js';
import type { PipelineFiles } from './_pipeline-files.js';
import { readQueue, type Queue } from './_queue.js';
import type { ModelScript } from './model-scripts.js';

/**
 * Goes through the queue, re-reading the list after each model; a model whose versions another
 * process is running is come back to after a wait (that process may die, and its version must
 * still run).
 */
export async function eachScript(
  context: Context,
  first: Queue,
  files: PipelineFiles | undefined,
  handle: (script: ModelScript) => Promise<'done' | 'blocked'>,
): Promise<void> {
  let queue = first;
  context.onEvent({
    type: 'queue',
    listFile: queue.listFile,
    scripts: queue.scripts.map((s) => s.name),
  });
  const done = new Set<string>();
  const blocked = new Set<string>();
  const waitMs = Math.min(5000, context.heartbeatIntervalSeconds * 1000);
  while (!context.signal.aborted) {
    const next = queue.scripts.find(
      (script) => !done.has(script.name) && !blocked.has(script.name),
    );
    if (next === undefined) {
      if (blocked.size === 0) return;
      context.onEvent({ type: 'waiting', running: [...blocked] });
      await sleep(waitMs, context.signal);
      blocked.clear();
    } else {
      const outcome = await handle(next);
      (outcome === 'done' ? done : blocked).add(next.name);
    }
    queue = await reread(context, queue, files);
  }
}

/** The list again; a list broken mid-run is reported and the last good one kept. */
async function reread(
  context: Context,
  queue: Queue,
  files: PipelineFiles | undefined,
): Promise<Queue> {
  try {
    const next = await readQueue(context.config, context.mode);
    const before = queue.scripts.map((script) => script.name);
    const after = next.scripts.map((script) => script.name);
    const added = after.filter((name) => !before.includes(name));
    const removed = before.filter((name) => !after.includes(name));
    if (added.length > 0 || removed.length > 0) {
      context.onEvent({ type: 'list-changed', added, removed });
      files?.log(
        `${next.listFile} changed: added ${added.join(', ') || 'none'}; removed ${removed.join(', ') || 'none'}`,
      );
    }
    return next;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.onEvent({ type: 'list-error', error: message });
    files?.log(`the list cannot be read, the last good one is kept: ${message}`);
    if (context.mode === 'test') throw error;
    return queue;
  }
}
