// Test tiers live apart (STYLE.md §11); each is a vitest project so one `npm test` runs them all.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Handlers' expected warnings (retries, rejected input) would bury the test report.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: { POWERTOOLS_LOG_LEVEL: 'SILENT' } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The web stack deploys web/dist, so synthesis needs the build.
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], globalSetup: ['test/support/build-web-setup.ts'], testTimeout: 120_000 } },
      // The whole platform as a user runs it: `npm start` in its own process group, on free ports.
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/support/build-web-setup.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      // The web app in headless Chromium (playwright-core) against the platform; screenshots go to test-results/.
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/build-web-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
