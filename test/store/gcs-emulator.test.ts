import { openStore } from '../../src/index.js';
import { startGcsEmulator } from '../support/gcs-emulator.js';
import { describeStoreContract } from './contract.js';

// A real GCS server: the Cloud Storage emulator of firebase-tools, in-process.
describeStoreContract('gcs on the firebase Storage emulator', async () => {
  const emulator = await startGcsEmulator();
  return {
    store: await openStore('gs://contract-bucket/ml-tracking', {
      storage: emulator.createClient(),
    }),
    capabilities: {
      noPreconditions:
        'the firebase Storage emulator ignores generation preconditions; the GCS fake covers them',
      noRangePastEnd:
        'the firebase Storage emulator sends the whole object for a range past its end (GCS: 416); the GCS fake covers it',
    },
    cleanup: () => emulator.stop(),
  };
});
