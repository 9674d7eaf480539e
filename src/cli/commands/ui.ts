import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { spawn } from 'node:child_process';
import { ValidationError } from '../../errors.js';
import { requireExistingStore } from '../../store/existing-store.js';
import { openStore } from '../../store/open-store.js';
import { defineCliCommand, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';
import { packageVersion } from '../_version.js';

/** Options of {@link uiCommand}. */
export interface UiCommandOptions extends CommandOptions {
  /** The port, as typed; `0` for any free one. @default '5000' */
  port?: string | undefined;
  /** The address to listen on. @default '127.0.0.1' */
  host?: string | undefined;
  /** Open the dashboard in the default browser. @default false */
  open?: boolean | undefined;
  /** Aborting stops the server: the command resolves once it is closed. */
  signal: AbortSignal;
  /** The server listens: at `url`, and `exposed` when others can reach it. */
  onListening?: (server: { url: string; exposed: boolean; host: string }) => void;
  /** A request failed (the page gets an error answer; the server goes on). */
  onError?: (error: unknown) => void;
}

/** `ml-tracking ui`: serves the dashboard over the store until `signal` aborts. */
export async function uiCommand(options: UiCommandOptions): Promise<{ url: string }> {
  const text = options.port ?? '5000';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new ValidationError(
      '--port',
      `"${text}" is not a port`,
      'Pass a number from 0 to 65535 (0: any free port), e.g. --port 5000.',
    );
  }
  const host = options.host ?? '127.0.0.1';
  // The server and its dependencies load only for this command.
  const { startUiServer } = await import('../../ui/server/start-ui-server.js');
  const store = await openStore(options.store, {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
  });
  try {
    await requireExistingStore(store);
    const server = await startUiServer({
      store,
      port,
      host,
      version: packageVersion(),
      ...(options.onError !== undefined && { onError: options.onError }),
    });
    try {
      options.onListening?.({ url: server.url, exposed: server.exposed, host });
      if (options.open === true) openInBrowser(server.url);
      if (!options.signal.aborted) {
        await new Promise((resolve) => {
          options.signal.addEventListener('abort', resolve, { once: true });
        });
      }
      return { url: server.url };
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
  }
}

export const uiCli = defineCliCommand({
  meta: {
    name: 'ui',
    description: COMMAND_DESCRIPTIONS.ui,
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
  // The first SIGINT or SIGTERM stops the server: the normal end, exit code 0.
  interruptible: true,
  run: (args, { cwd, env, signal, stdout, stderr }) =>
    uiCommand({
      port: args.port,
      host: args.host,
      open: args.open,
      store: args.store,
      cwd,
      env,
      signal,
      onListening: (server) => {
        if (server.exposed) {
          stderr.line(
            `ml-tracking ui: warning: listening on ${server.host}: anyone who can reach this machine on port ${new URL(server.url).port} can read the store.`,
          );
        }
        stdout.line(`ml-tracking ui: serving the dashboard at ${server.url} (Ctrl-C to stop)`);
      },
      onError: (error) => {
        stderr.line(`ml-tracking ui: a request failed: ${String(error)}`);
      },
    }),
});

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
