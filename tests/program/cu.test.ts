/**
 * Compute-unit ceilings: every benchmark case (tests/helpers/cu-cases.ts, also run by
 * `npm run bench:cu`) must stay under its instruction's ceiling. The last measured worst case is kept
 * next to each ceiling (`lastKnown`) so a regression shows how far it moved.
 */
import { describe, expect, it } from "vitest";
import { CU_BENCHES } from "../helpers/cu-cases";
import { createTestSvm } from "../helpers/svm";

describe.each(CU_BENCHES)("$instruction compute units", ({ instruction, ceiling, lastKnown, cases }) => {
  it.each(cases)(`stays under ${ceiling} CU (last known worst ${lastKnown}): $label`, async ({ run }) => {
    // Given a fresh chain prepared by the case / When the measured instruction runs
    const report = await run(await createTestSvm());
    // Then it consumed no more than the ceiling
    expect(Number(report.computeUnits), `${instruction} CU`).toBeLessThanOrEqual(ceiling);
  });
});
