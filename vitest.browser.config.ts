import { defineConfig } from 'vitest/config'

// The browser test: needs Chromium (Debian's package; `.ci/run` installs it), so it is not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
