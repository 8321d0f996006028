import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Dependencies and peers stay external: the host's knex and driver are the ones used.
  skipNodeModulesBundle: true,
})
