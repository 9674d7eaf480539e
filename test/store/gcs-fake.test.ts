import { openStore } from '../../src/index.js';
import { startGcsFake } from '../support/gcs-fake/index.js';
import { describeStoreContract } from './contract.js';

// The GCS fake implements what the emulator lacks (preconditions, compose); running the same
// contract against both holds the fake to a real server's behaviour.
describeStoreContract('gcs on the GCS JSON API fake', async () => {
  const fake = await startGcsFake();
  return {
    store: await openStore('gs://contract-bucket/ml-tracking', { storage: fake.createClient() }),
    cleanup: () => fake.stop(),
  };
});
