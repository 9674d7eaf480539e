import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { describeStoreContract } from './contract.js';

// The live tier: the same contract against a real bucket, with Application Default Credentials.
const bucket = process.env.ML_TRACKING_TEST_BUCKET;

if (bucket === undefined || bucket === '') {
  describe('store contract: live Google Cloud Storage', () => {
    it('runs against a real bucket', (context) => {
      context.skip(
        'ML_TRACKING_TEST_BUCKET is not set: set it to gs://bucket[/folder] (with Application Default Credentials) to run the contract against real GCS',
      );
    });
  });
} else {
  describeStoreContract(`live ${bucket}`, async () => {
    const url = `${bucket.replace(/\/+$/, '')}/ml-tracking-tests/${randomUUID()}`;
    const store = await openStore(url);
    return {
      store,
      cleanup: async () => {
        for await (const object of store.listAll()) await store.delete(object.path);
      },
    };
  });
}
