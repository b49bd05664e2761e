/**
 * `entrypoint`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { type Instruction } from "@solana/kit";
import { describe, it } from "vitest";
import { CHAINFERENCE_ERROR__INVALID_INSTRUCTION } from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { PROGRAM_ADDRESS, send } from "../helpers/svm";
import { t, useRegistryFixture } from "./fixtures/registry";

useRegistryFixture();

describe("entrypoint", () => {
  it("rejects an unknown instruction discriminator with InvalidInstruction", async () => {
    // Given an instruction whose first data byte is not a discriminator
    const ix: Instruction = { programAddress: PROGRAM_ADDRESS, accounts: [], data: new Uint8Array([200]) };
    // When it is sent / Then it fails with InvalidInstruction
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_INSTRUCTION);
  });

  it("rejects empty instruction data with InvalidInstruction", async () => {
    // Given an instruction with no data at all
    const ix: Instruction = { programAddress: PROGRAM_ADDRESS, accounts: [], data: new Uint8Array() };
    // When it is sent / Then it fails with InvalidInstruction
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_INSTRUCTION);
  });
});
