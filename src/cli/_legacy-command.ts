import { isAbsolute, resolve } from 'node:path';
import type { ArgsDef, CommandDef, CommandMeta } from 'citty';
import { commandStoreUrl, type CliCommand } from './_command.js';
import type { Output } from './_output.js';

/**
 * A command still written as a citty command that prints through `output` and may resolve its
 * exit code (`log`, `reproduce`, until they return data like the others).
 */
export function legacyCli<A extends ArgsDef>(
  factory: (output: Output, warnings: Output) => CommandDef<A>,
): CliCommand {
  const definition = factory({ line: () => undefined }, { line: () => undefined });
  return {
    meta: definition.meta as CommandMeta,
    args: definition.args as ArgsDef,
    run: async (args, context) => {
      const command = factory(context.stdout, context.stderr);
      // They open the store from the process's folder and environment: named here from the
      // context's, so that they run in-process like the others.
      const url = commandStoreUrl({ store: args.store, env: context.env });
      const store =
        /^[a-z][a-z0-9+.-]+:/i.test(url) || isAbsolute(url) ? url : resolve(context.cwd, url);
      return (await command.run?.({
        args: { ...args, store } as never,
        rawArgs: [],
        cmd: command,
      })) as unknown;
    },
    // It prints its own JSON.
    json: () => undefined,
    exitCode: (result) => (typeof result === 'number' ? result : 0),
  };
}
