import { defineConfig } from "vitest/config";

/**
 * The validator suite: real flows as separate processes against solana-test-validator
 * (`npm run test:validator`; scripts/test runs it after the LiteSVM suites). One file at a time:
 * a validator, a provider node and the CLI already share this machine's two cores.
 */
export default defineConfig({
  // The workspace packages from their TypeScript sources (tsconfig.json "paths"), as in vitest.config.ts.
  resolve: { tsconfigPaths: true },
  test: {
    include: ["tests/validator/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
  },
});
