import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs its clusters: `npm run test:scale-out` (vitest.scale-out.config.ts), run by .ci/run.
    // The browser test needs Chromium: `npm run test:browser`, run by .ci/run.
    exclude: [...configDefaults.exclude, 'test/scale-out/**', 'test/browser/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel, each on databases of its own; two workers fit a two-core machine.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
