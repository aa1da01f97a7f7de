import { defineConfig } from 'vitest/config';
import { workspaceSources } from './vitest.config.js';

/**
 * The fault-injection suite (`npm run test:faults`): every file starts its own redis-server and the real ingress and
 * worker processes, then kills things under load. Files run one at a time, so the load of one does not distort the
 * timing-sensitive faults of another on a small CI machine.
 */
export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
