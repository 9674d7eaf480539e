import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the programs the tests run as child processes (test/support/programs.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Most files wait (on child processes, servers, leases) more than they compute, so twice as
    // many files as cores run at once; vitest's default, one fewer than the cores, ran one file at
    // a time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() * 2),
    // A worker keeps the modules it imported from one test file to the next: importing the library
    // anew for each file cost 170 s of CPU in a run of 4 minutes. The library is made to serve
    // many runs in one long-lived process (the dashboard's server, an in-process sweep), and this
    // holds it to that; test files still clean up what they start.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Verbose, so that every skipped test prints its reason.
    reporters: ['verbose'],
  },
});
