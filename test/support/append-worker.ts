// A separate process that appends rows to one object, for the multi-process tests:
//   node --import tsx test/support/append-worker.ts <store-url> <path> <worker-id> <rows>
import { openStore } from '../../src/index.js';

const [storeUrl, path, workerId, rows] = process.argv.slice(2);
if (storeUrl === undefined || path === undefined || workerId === undefined || rows === undefined) {
  throw new Error('usage: append-worker <store-url> <path> <worker-id> <rows>');
}
const store = await openStore(storeUrl);
for (let row = 0; row < Number(rows); row += 1) {
  // Rows long enough that an interleaved write would visibly break one.
  await store.append(path, `worker-${workerId},row-${row},${'x'.repeat(120)},end\n`);
}
await store.close();
