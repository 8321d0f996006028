import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps: the package ships no sources for them to point at.
  sourcemap: false,
  clean: true,
  target: 'node20',
  // Dependencies and peers stay external: the host's knex and driver are the ones used.
  skipNodeModulesBundle: true,
})
