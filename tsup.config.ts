import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the package ships no sources for them to point at.
    sourcemap: false,
    clean: true,
    target: 'node20',
    // Dependencies and peers stay external: the host's knex and driver are the ones used.
    skipNodeModulesBundle: true,
  },
  {
    // The command line: ESM only, importing the library from the build beside it rather than a copy.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node20',
    skipNodeModulesBundle: true,
    external: ['./index.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
])
