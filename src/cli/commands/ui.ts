import { spawn } from 'node:child_process';
import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { packageVersion } from '../_version.js';

export function uiCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'ui',
      description: 'Serve the local dashboard (projects, runs, sweeps) over a store until Ctrl-C',
    },
    args: {
      port: {
        type: 'string',
        description: 'Port to listen on; 0 for any free one',
        default: '5000',
      },
      host: {
        type: 'string',
        description: 'Address to listen on; anything but 127.0.0.1 lets others read the store',
        default: '127.0.0.1',
      },
      open: { type: 'boolean', description: 'Open the dashboard in the default browser' },
      ...storeArg,
    },
    run: async ({ args }) => {
      const port = Number(args.port);
      if (!/^\d+$/.test(args.port) || port > 65535) {
        throw new ValidationError(
          '--port',
          `"${args.port}" is not a port`,
          'Pass a number from 0 to 65535 (0: any free port), e.g. --port 5000.',
        );
      }
      // The server and its dependencies load only for this command.
      const { startUiServer } = await import('../../ui/server/start-ui-server.js');
      const server = await startUiServer({
        ...(args.store !== undefined && { store: args.store }),
        port,
        host: args.host,
        version: packageVersion(),
        onError: (error) => {
          process.stderr.write(`ml-tracking ui: a request failed: ${String(error)}\n`);
        },
      });
      if (server.exposed) {
        process.stderr.write(
          `ml-tracking ui: warning: listening on ${args.host}: anyone who can reach this machine on port ${new URL(server.url).port} can read the store.\n`,
        );
      }
      output.line(`ml-tracking ui: serving the dashboard at ${server.url} (Ctrl-C to stop)`);
      if (args.open) openInBrowser(server.url);
      // The first SIGINT or SIGTERM stops the server; both listeners go with it, so a second one
      // ends the process at once should closing hang.
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      return 0;
    },
  });
}

/**
 * Opens a URL with the desktop's own opener; a machine without one (a server, CI) just keeps the
 * printed address. Three commands do not justify a dependency.
 */
function openInBrowser(url: string): void {
  const [command, ...argv] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  const child = spawn(command, argv, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
