import { describe, expect, it, vi } from 'vitest';
import { cli } from './_in-process.js';

describe('ml-tracking check-store', () => {
  it('against a host that refuses connections, reports the write that failed, not the clean-up', async () => {
    // Port 9 (discard) is closed on any test machine: every connection is refused at once.
    // The GCS driver reads STORAGE_EMULATOR_HOST from the process's environment.
    vi.stubEnv('STORAGE_EMULATOR_HOST', 'http://127.0.0.1:9');
    const result = await cli(['check-store', '--store', 'gs://ml-tracking-check/folder']).finally(
      () => vi.unstubAllEnvs(),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^ml-tracking: Cannot write checks\/[0-9a-f-]{36}\.txt in gs:\/\/ml-tracking-check\/folder .*ECONNREFUSED/,
    );
    // A refused connection is tried twice, not twelve times (12 attempts took about 12 s).
    expect(lines[0]).toContain('after 2 attempts');
  }, 90_000);
});
