/**
 * In-process Cloud Storage server for tests: the storage emulator shipped inside
 * `firebase-tools` (internal API, pinned in ./emulator/package.json and installed there by
 * scripts/ensure-emulator.mjs, which `npm test` runs), driven without its Java rules runtime
 * and with a private blob folder.
 *
 * Known gaps versus real GCS (asserted in gcs-emulator.test.ts): generation
 * preconditions (`ifGenerationMatch`, including 0) are ignored, compose answers 501,
 * and the client cannot verify download hashes. Buckets spring into existence on
 * first use (`createBucket` fails); `getBuckets()` also lists a phantom
 * `demo-ml-tracking.appspot.com`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';

export interface GcsEmulator {
  /** e.g. "http://127.0.0.1:40123" — the value for STORAGE_EMULATOR_HOST */
  readonly host: string;
  /** A `Storage` client bound to this emulator; reads no environment variable. */
  createClient(): Storage;
  stop(): Promise<void>;
}

// firebase-tools ships no type declarations, so describe only the surface we touch.
interface RulesManagerLike {
  start(): Promise<unknown>;
  stop(): Promise<void>;
  getRuleset(resource: string): unknown;
}

interface StorageEmulatorArgs {
  projectId: string;
  host?: string;
  port?: number;
  rules?: unknown;
  auto_download?: boolean;
}

interface HarnessArgs extends StorageEmulatorArgs {
  blobDir: string;
}

interface StorageEmulatorInstance {
  readonly args: StorageEmulatorArgs;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPersistenceTmpDir(): string;
  createRulesManager(rules: unknown): RulesManagerLike;
}

type StorageEmulatorClass = new (args: StorageEmulatorArgs) => StorageEmulatorInstance;

// The package has no "exports" map and ESM cannot resolve its directory index,
// so CommonJS require is the reliable way in under Node, tsx and vitest alike. It resolves from
// ./emulator/, the emulator's own install, kept out of the project's (see its package.json).
const emulatorPackage = new URL('./emulator/package.json', import.meta.url);
if (!existsSync(new URL('./node_modules/firebase-tools/package.json', emulatorPackage))) {
  throw new Error(
    'The GCS emulator is not installed: run `node scripts/ensure-emulator.mjs` (npm test does).',
  );
}
const require = createRequire(emulatorPackage);
const { StorageEmulator } = require('firebase-tools/lib/emulator/storage') as {
  StorageEmulator: StorageEmulatorClass;
};
const { createApp } = require('firebase-tools/lib/emulator/storage/server') as {
  createApp: (projectId: string, emulator: StorageEmulatorInstance) => Promise<RequestListener>;
};

const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry') as {
  EmulatorRegistry: {
    get(name: string): unknown;
    set(name: string, instance: unknown): void;
    clear(name: string): void;
  };
};

// The emulator builds bucket/object `selfLink`/`mediaLink` (and 500s on the first
// request to a bucket without it) from the process-wide registry entry for
// "storage", which holds a single host:port. One shared entry answers with the port
// of the server handling the current request, so several emulators can coexist.
const requestPort = new AsyncLocalStorage<number>();
const registryEntry = {
  getName: () => 'storage',
  getInfo: () => {
    const port = requestPort.getStore();
    if (port === undefined) throw new Error('storage emulator used outside a request');
    return { name: 'storage', host: '127.0.0.1', port };
  },
};
let liveEmulators = 0;

function retainRegistryEntry(): void {
  liveEmulators += 1;
  if (EmulatorRegistry.get('storage') === undefined) EmulatorRegistry.set('storage', registryEntry);
}

function releaseRegistryEntry(): void {
  liveEmulators -= 1;
  if (liveEmulators === 0 && EmulatorRegistry.get('storage') === registryEntry) {
    EmulatorRegistry.clear('storage');
  }
}

// `demo-` project ids are what firebase-tools treats as offline-only.
const PROJECT_ID = 'demo-ml-tracking';

const noRules: RulesManagerLike = {
  start: () => Promise.resolve(undefined),
  stop: () => Promise.resolve(),
  getRuleset: () => undefined,
};

class HarnessStorageEmulator extends StorageEmulator {
  private server: Server | undefined;

  // Called from the base constructor (before subclass fields exist), hence read via
  // `args`. The default `$TMPDIR/firebase/storage/blobs` is shared by every emulator
  // on the machine and wiped by the base `stop()`.
  override getPersistenceTmpDir(): string {
    return (this.args as HarnessArgs).blobDir;
  }

  // Also called from the base constructor: the default manager would load rules via
  // the Java runtime. The gcloud API we use goes through the admin-only layer, which
  // never consults rules; only the Firebase `/v0` API would (and then denies).
  override createRulesManager(): RulesManagerLike {
    return noRules;
  }

  // Replaces the base start(): it launches the Java rules runtime, and it listens on
  // a fixed port (0 is treated as "use the default 9199") without exposing the server.
  override async start(): Promise<void> {
    const app = await createApp(this.args.projectId, this);
    const server = createServer((req, res) => {
      requestPort.run((server.address() as AddressInfo).port, () => {
        app(req, res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    retainRegistryEntry();
  }

  get port(): number {
    if (!this.server) throw new Error('emulator not started');
    return (this.server.address() as AddressInfo).port;
  }

  override async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      releaseRegistryEntry();
      // Clients keep sockets alive; without this, close() waits for them to idle out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      });
    }
  }
}

export async function startGcsEmulator(): Promise<GcsEmulator> {
  // The pid in the name lets a test find the folders its own process created.
  const root = mkdtempSync(join(tmpdir(), `ml-tracking-gcs-${process.pid}-`));
  const args: HarnessArgs = { projectId: PROJECT_ID, blobDir: join(root, 'blobs') };
  const emulator = new HarnessStorageEmulator(args);
  try {
    await emulator.start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const host = `http://127.0.0.1:${emulator.port}`;
  let stopped: Promise<void> | undefined;

  return {
    host,
    createClient(): Storage {
      // A custom apiEndpoint already disables auth (no credentials looked up), but
      // the JSON API base then becomes `${apiEndpoint}/storage/v1`, a prefix the
      // emulator only routes for a few GETs/DELETE (PATCH, copy... answer 501).
      // STORAGE_EMULATOR_HOST would make it the bare host; setting the public
      // `baseUrl` does the same per client, without touching process.env.
      const storage = new Storage({
        apiEndpoint: host,
        projectId: PROJECT_ID,
        retryOptions: { autoRetry: false },
      });
      storage.baseUrl = host;
      return storage;
    },
    stop(): Promise<void> {
      stopped ??= emulator.stop().finally(() => {
        rmSync(root, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}
