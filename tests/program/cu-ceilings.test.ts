/**
 * Compute-unit ceilings of the request lifecycle and session instructions (p-token style: a limit per
 * instruction and the last measured worst case next to it). Every case of
 * tests/helpers/cu-lifecycle-cases.ts (also measured by `npm run bench:cu` into docs/cu.md) runs on a
 * fresh chain and must stay under its instruction's limit. Issue 3 targets: every instruction
 * ≤ 3,000 CU; append_response ≤ 1,500 CU plus realloc (the growth path that needs no System call).
 * Issue 12: every session instruction ≤ 3,000 CU (tests/helpers/cu-session-cases.ts).
 */
import { describe, expect, it } from "vitest";
import { LIFECYCLE_CU_BENCHES } from "../helpers/cu-lifecycle-cases";
import { SESSION_CU_BENCHES } from "../helpers/cu-session-cases";
import { createTestSvm } from "../helpers/svm";

describe.each([...LIFECYCLE_CU_BENCHES, ...SESSION_CU_BENCHES])("$instruction", ({ instruction, ceiling, lastKnown, cases }) => {
  it.each(cases)(`limit ${ceiling}; last known ${lastKnown}: $label`, async ({ run }) => {
    // Given a fresh chain prepared by the case / When the measured instruction runs
    const report = await run(await createTestSvm());
    // Then it consumed no more than the limit
    expect(Number(report.computeUnits), `${instruction} CU (last known worst ${lastKnown})`).toBeLessThanOrEqual(ceiling);
  });
});
