import { describe, it } from "vitest";
import { CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS, ChainferenceInstruction } from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { createTestSvm, PROGRAM_ADDRESS, send } from "../helpers/svm";

// Every instruction, given no accounts at all, must fail with the named custom error (not the
// runtime's generic NotEnoughAccountKeys) and move no lamport beyond the fee.
const instructions = Object.entries(ChainferenceInstruction).filter(([, v]) => typeof v === "number") as [string, number][];

describe("instructions called with too few accounts", () => {
  it.each(instructions)("%s without accounts fails with NotEnoughAccounts", async (_name, discriminator) => {
    // Given a fresh chain with the program
    const t = await createTestSvm();
    // When the instruction arrives with its discriminator and no accounts
    const attempt = send(t, { programAddress: PROGRAM_ADDRESS, accounts: [], data: Uint8Array.of(discriminator) });
    // Then it fails with NotEnoughAccounts, only the fee charged
    await expectProgramError(attempt, CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS);
  });
});
