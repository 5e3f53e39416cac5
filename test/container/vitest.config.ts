import { defineConfig } from 'vitest/config';

// npm run test:container: procwarden in a real container engine (podman with runc, rootful).
// The images are built once, in global-setup.ts; the checks run two files at a time.
export default defineConfig({
  test: {
    include: ['test/container/**/*.test.ts'],
    globalSetup: ['test/container/global-setup.ts'],
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
