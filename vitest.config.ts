import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Starts one MariaDB server for the run (or warns loudly and skips it when the binaries are missing).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    // Contract suites create and migrate a database per file in beforeAll, which takes longer than a test.
    hookTimeout: 120_000,
    // Room for a clean MariaDB shutdown after the last file.
    teardownTimeout: 60_000,
    // better-sqlite3 is a native addon; child processes contain a crash in it better than worker threads do.
    pool: 'forks',
  },
});
