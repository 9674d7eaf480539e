/**
 * The child process of a reproduction (`_child-training.ts`), in a temporary worktree or in the
 * working tree: `node [--import tsx] _reproduce-child.js <entry>`. It imports the user's entry
 * file (which registers the commit's classes as it is imported), then calls `trainModel({ runId, store })`
 * of the same ml-tracking the entry registered into, and sends the result to the parent over the
 * IPC channel (stdout stays the user's).
 *
 * The entry is imported, not run as the main module, so its usual "am I the main module" check
 * (`process.argv[1] === fileURLToPath(import.meta.url)`) is false here and it does not train a
 * fresh model on its own.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPRODUCE_ENVIRONMENT } from './_reproduce-environment.js';

/** What the child sends its parent: exactly one message. */
export type ReproduceChildMessage =
  | { type: 'result'; result: unknown }
  | { type: 'error'; name: string; code: string | undefined; message: string };

type TrainModel = (options: {
  runId: string;
  store: string;
  allowDirty: boolean;
}) => Promise<unknown>;

async function main(): Promise<ReproduceChildMessage> {
  const entry = resolve(process.argv[2] ?? '');
  const runId = process.env[REPRODUCE_ENVIRONMENT.runId] ?? '';
  const store = process.env[REPRODUCE_ENVIRONMENT.store] ?? '';
  const allowDirty = process.env[REPRODUCE_ENVIRONMENT.allowDirty] === '1';
  await import(pathToFileURL(entry).href);
  // The ml-tracking the entry's own `import … from 'ml-tracking'` loaded: the one its classes are
  // registered in. Resolved from the entry's folder (the worktree's linked node_modules); its
  // exports have one condition, so require's resolution finds the file import's does.
  let resolved: string;
  try {
    resolved = createRequire(entry).resolve('ml-tracking');
  } catch {
    return {
      type: 'error',
      name: 'MlTrackingError',
      code: 'ERR_REPRODUCE',
      message: `ml-tracking cannot be found from ${dirname(entry)}: install it in the project (npm install ml-tracking), whose node_modules the worktree links`,
    };
  }
  const mlTracking = (await import(pathToFileURL(resolved).href)) as { trainModel?: TrainModel };
  if (typeof mlTracking.trainModel !== 'function') {
    return {
      type: 'error',
      name: 'MlTrackingError',
      code: 'ERR_REPRODUCE',
      message: `the ml-tracking installed for ${dirname(entry)} has no trainModel: install a version that has it`,
    };
  }
  return { type: 'result', result: await mlTracking.trainModel({ runId, store, allowDirty }) };
}

function failure(error: unknown): ReproduceChildMessage {
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  // A bug in the user's code (no error code of ours) is found by its stack: the parent shows the
  // last lines of this stream.
  if (error instanceof Error && typeof code !== 'string' && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  return {
    type: 'error',
    name: typeof name === 'string' ? name : 'Error',
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : String(error),
  };
}

const message = await main().catch(failure);
if (message.type === 'error') process.exitCode = 1;
if (process.send) {
  // Disconnecting lets the process end once the message is out (an open channel keeps it alive).
  process.send(message, () => {
    process.disconnect();
  });
} else {
  process.stderr.write(`${JSON.stringify(message)}\n`);
}
