import { defineConfig } from 'vitest/config'

// The scale-out suite: a 3-node MariaDB Galera cluster and a PostgreSQL primary with a streaming standby,
// started by the global setup and stopped after. `npm run test:scale-out`; `.ci/run` runs it.
export default defineConfig({
  test: {
    include: ['test/scale-out/**/*.test.ts'],
    globalSetup: ['test/scale-out/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One file at a time: the clusters already use the machine's two cores.
    maxWorkers: 1,
    fileParallelism: false,
  },
})
