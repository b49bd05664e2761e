import { defineConfig } from "vitest/config";

/** Suites that run a second time with the Rent sysvar in its legacy form (what a validator's genesis has). */
const LIFECYCLE_SUITES = [
  "tests/program/instructions/*.test.ts",
  "tests/program/entrypoint.test.ts",
  "tests/program/market-day.test.ts",
  "tests/program/nonce-reuse.test.ts",
  "tests/program/shapes/*.test.ts",
  "tests/program/rent-forms.test.ts",
];

export default defineConfig({
  // The workspace packages from their TypeScript sources (tsconfig.json "paths"), so tests need no build;
  // their package.json exports name dist/, which only `npm run build` (and the consumer test) makes.
  resolve: { tsconfigPaths: true },
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        // tests/validator needs a real solana-test-validator: `npm run test:validator` (vitest.validator.config.ts).
        test: { name: "main", include: ["tests/**/*.test.ts"], exclude: ["tests/validator/**", "**/node_modules/**"] },
      },
      {
        extends: true,
        test: { name: "legacy-rent", include: LIFECYCLE_SUITES, env: { CHAINFERENCE_RENT_FORM: "legacy" } },
      },
    ],
  },
});
