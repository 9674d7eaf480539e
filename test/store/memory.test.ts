import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/index.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('memory', async () => ({
  store: await openStore(`memory://${randomUUID()}`),
}));
