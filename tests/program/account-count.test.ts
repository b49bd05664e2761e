import { AccountRole, type Address } from "@solana/kit";
import { describe, it } from "vitest";
import {
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
  CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS,
  ChainferenceInstruction,
} from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { INTERFACE, maxAccounts } from "../helpers/interface";
import { createTestSvm, freshAddress, PROGRAM_ADDRESS, send } from "../helpers/svm";

// Every instruction, given no accounts at all, must fail with the named custom error (not the
// runtime's generic NotEnoughAccountKeys) and move no lamport beyond the fee.
const instructions = Object.entries(ChainferenceInstruction).filter(([, v]) => typeof v === "number") as [string, number][];

/** The entrypoint deserializes at most this many accounts (program/src/entrypoint.rs). */
const ENTRYPOINT_MAX_ACCOUNTS = 24;

const readOnly = (addresses: Address[]) => addresses.map((address) => ({ address, role: AccountRole.READONLY }));
const fresh = (n: number) => Promise.all(Array.from({ length: n }, () => freshAddress()));

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

describe("instructions called with more accounts than they take", () => {
  const shapes = INTERFACE.instructions.map((ix) => [ix.name, ix.discriminator, maxAccounts(ix)] as const);

  it.each(shapes)("%s with one account more than it takes fails with TooManyAccounts", async (_n, d, max) => {
    // Given a fresh chain with the program
    const t = await createTestSvm();
    // When the instruction arrives with one account more than its longest shape
    const accounts = readOnly(await fresh(max + 1));
    const attempt = send(t, { programAddress: PROGRAM_ADDRESS, accounts, data: Uint8Array.of(d) });
    // Then the shape is checked before anything else: TooManyAccounts, only the fee charged
    await expectProgramError(attempt, CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS);
  });

  it.each(shapes)("%s with more accounts than the entrypoint keeps still fails with TooManyAccounts", async (_n, d) => {
    // Given a fresh chain with the program
    const t = await createTestSvm();
    // When the instruction arrives with more accounts than the entrypoint deserializes (it drops the rest)
    const accounts = readOnly(await fresh(ENTRYPOINT_MAX_ACCOUNTS + 6));
    const attempt = send(t, { programAddress: PROGRAM_ADDRESS, accounts, data: Uint8Array.of(d) });
    // Then what the instruction sees is still longer than any shape: TooManyAccounts
    await expectProgramError(attempt, CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS);
  });
});
