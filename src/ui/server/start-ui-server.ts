/**
 * `startUiServer()`: the dashboard over HTTP on one port, until `close()`.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { openStore } from '../../store/open-store.js';
import { createUiApp, type UiAppOptions } from './create-ui-app.js';

/** Options of {@link startUiServer}. */
export interface StartUiServerOptions extends Omit<UiAppOptions, 'loopbackHostsOnly'> {
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** The port; 0 picks a free one. @default 5000 */
  port?: number;
  /**
   * The address to listen on. Anything but a loopback address lets every machine that can reach
   * this one read the store. @default '127.0.0.1'
   */
  host?: string;
}

/** A running dashboard. */
export interface UiServer {
  /** Where to open it, e.g. `http://127.0.0.1:5000/`. */
  url: string;
  /** Whether it can be reached from other machines (`host` is not a loopback address). */
  exposed: boolean;
  /** Stops listening and closes the store when the server opened it. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Serves the dashboard over `store`, read-only.
 * @example const ui = await startUiServer({ store: 'gs://bucket/ml', port: 0 }); console.log(ui.url);
 */
export async function startUiServer(options: StartUiServerOptions = {}): Promise<UiServer> {
  const port = options.port ?? 5000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError(
      'port',
      `${String(port)} is not a port`,
      'Pass 0–65535 (0: any free port).',
    );
  }
  const host = options.host ?? '127.0.0.1';
  const exposed = !LOOPBACK.has(host);
  // A store we open is ours to close; one handed to us stays open for its owner.
  const store = typeof options.store === 'object' ? options.store : await openStore(options.store);
  const closeStore = () => (store === options.store ? Promise.resolve() : store.close());
  const app = createUiApp(store, { ...options, loopbackHostsOnly: !exposed });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, port, hostname: host }, () => {
        resolve(started);
      });
      started.once('error', reject);
    });
  } catch (error) {
    await closeStore();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ValidationError(
        code === 'EADDRNOTAVAIL' ? 'host' : 'port',
        `cannot listen on ${host}:${port} (${code})`,
        code === 'EADDRINUSE'
          ? 'Another program uses that port: pass another --port, or 0 for any free one.'
          : 'Pass a --host this machine has and a --port above 1023.',
        { cause: error },
      );
    }
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    exposed,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Keep-alive connections (an open page polling) would hold close() for minutes.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await closeStore();
    },
  };
}
