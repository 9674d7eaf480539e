// A process that starts writing an object that never ends, to be killed mid-write:
//   node --import tsx test/support/endless-write-worker.ts <store-url> <path>
// It prints "writing" once the first chunk is out.
import { openStore } from '../../src/index.js';

const [storeUrl, path] = process.argv.slice(2);
if (storeUrl === undefined || path === undefined) {
  throw new Error('usage: endless-write-worker <store-url> <path>');
}
const store = await openStore(storeUrl);
async function* endless(): AsyncIterable<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(0x61);
  for (let index = 0; ; index += 1) {
    yield chunk;
    if (index === 4) process.stdout.write('writing\n');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
await store.write(path, endless());
