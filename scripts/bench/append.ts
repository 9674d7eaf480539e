import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type Store } from '../../src/index.js';
import { startGcsFake } from '../../test/support/gcs-fake/index.js';
import { bytesWrittenByProcess, formatBytes } from './table.js';

const SIZES = [1024, 1024 * 1024, 100 * 1024 * 1024];
const APPENDS = 40;
const ROW = `${'r'.repeat(199)}\n`;

/**
 * Appends a 200-byte row to objects of 1 KB, 1 MB and 100 MB. On GCS (the fake server, which
 * counts what it receives) and on the local folder (bytes the process wrote, from /proc).
 * What must hold: bytes per append stay about the row's size whatever the object's size.
 */
export async function appendBenchmark(): Promise<Record<string, string | number>[]> {
  const rows: Record<string, string | number>[] = [];
  const fake = await startGcsFake();
  const root = await mkdtemp(join(tmpdir(), 'ml-tracking-bench-'));
  try {
    for (const size of SIZES) {
      const gcs = await openStore('gs://bench/ml-tracking', { storage: fake.createClient() });
      await gcs.write('tracker.csv', 'x'.repeat(size - 1) + '\n');
      fake.resetStats();
      const gcsSeconds = await timeAppends(gcs);
      rows.push({
        driver: 'gcs (fake server)',
        'object size': formatBytes(size),
        'requests / append': (fake.stats.requests / APPENDS).toFixed(1),
        'bytes sent / append (with HTTP headers)': Math.round(fake.stats.bytesReceived / APPENDS),
        'appends / s': (APPENDS / gcsSeconds).toFixed(0),
      });
      await gcs.close();

      const local = await openStore(join(root, String(size)));
      await local.write('tracker.csv', 'x'.repeat(size - 1) + '\n');
      const before = (await bytesWrittenByProcess()) ?? Number.NaN;
      const localSeconds = await timeAppends(local);
      const after = (await bytesWrittenByProcess()) ?? Number.NaN;
      rows.push({
        driver: 'local folder',
        'object size': formatBytes(size),
        'requests / append': '—',
        'bytes sent / append (with HTTP headers)': Number.isNaN(after)
          ? 'n/a'
          : Math.round((after - before) / APPENDS),
        'appends / s': (APPENDS / localSeconds).toFixed(0),
      });
    }
  } finally {
    await fake.stop();
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

async function timeAppends(store: Store): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < APPENDS; index += 1) await store.append('tracker.csv', ROW);
  return (performance.now() - start) / 1000;
}
