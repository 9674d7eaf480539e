import { describe, expect, it } from 'vitest';
import { describeFaultMatrix, useFaultFixture } from './_exactly-once-suite.js';

const fixture = useFaultFixture('exactly-once-compose');
const { openWriter, objectText } = fixture;

describe('GCS append, a lost compose answer on the wire', () => {
  it('sends a compose whose answer was lost once, and lands it once (checked on the wire)', async () => {
    const fake = fixture.fake();
    const store = await openWriter('wire');
    await store.append('rows.csv', 'header\n');
    fake.resetStats();
    fake.injectFault({ operation: 'compose', status: 503, when: 'after' });
    await store.append('rows.csv', 'row-1\n');
    expect(fake.pendingFaults()).toBe(0);
    // Neither the client library nor the driver sent it again: the ledger said it had landed.
    expect(fake.stats.byOperation.compose?.requests).toBe(1);
    expect(objectText('wire/rows.csv')).toBe('header\nrow-1\n');

    fake.resetStats();
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after' });
    await store.append('rows.csv', 'row-2\n');
    expect(fake.stats.byOperation.compose?.requests).toBe(1);
    expect(objectText('wire/rows.csv')).toBe('header\nrow-1\nrow-2\n');
  });

  it('appends the same bytes 30 times as 30 rows, with answers lost after commit', async () => {
    const fake = fixture.fake();
    const store = await openWriter('identical');
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after', times: 7 });
    fake.injectFault({ operation: 'metadata', status: 503, when: 'after', times: 7 });
    for (let row = 0; row < 30; row += 1) await store.append('same.csv', 'same,row\n');
    expect(fake.pendingFaults()).toBe(0);
    expect(objectText('identical/same.csv')).toBe('same,row\n'.repeat(30));
  });
});

describeFaultMatrix(fixture, 'compose');
