import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The protocol package's sources, as tsconfig.json maps them, so tests run without building its dist/ first. */
export const workspaceSources = [
  { find: /^@hookflow\/protocol$/, replacement: source('./packages/protocol/src/index.ts') },
  { find: /^@hookflow\/protocol\/signing$/, replacement: source('./packages/protocol/src/signing/index.ts') },
];

export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/faults/**'],
    // Files run in parallel (each with its own Redis prefix); end-to-end files spawn real processes, so give them time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
