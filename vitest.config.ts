import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real container engine's checks are a suite of their own: npm run test:container.
    exclude: [...configDefaults.exclude, 'test/container/**'],
    // End-to-end tests start real processes as PID 1; a machine has two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
