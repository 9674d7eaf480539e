import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the programs the tests run as child processes (test/support/programs.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Verbose, so that every skipped test prints its reason.
    reporters: ['verbose'],
  },
});
