/** The CLI's one-line error text: every program error by NAME and message, SDK errors by message. */
import { describe, expect, it } from "vitest";
import * as client from "@chainference/client";
import { ChainferenceClientError, RpcUnreachableError, TransactionFailedError } from "@chainference/client";
import type { Address } from "@solana/kit";
import { describeError, describeProgramError } from "../../cli/src/shared/errors/describe-error";
import { errorCode } from "../../cli/src/shared/errors/json-error";

const { first, last } = client.CHAINFERENCE_PROGRAM_ERROR_CODES;
const programCodes = Object.entries(client).filter(
  (entry): entry is [string, number] =>
    entry[0].startsWith("CHAINFERENCE_ERROR__") && typeof entry[1] === "number" && entry[1] >= first && entry[1] <= last,
);
const SYSTEM_PROGRAM = "11111111111111111111111111111111" as Address;

describe("describeError", () => {
  it("knows every program error the generated client defines", () => {
    expect(programCodes.length).toBeGreaterThan(50);
    for (const [constant, code] of programCodes) {
      const text = describeProgramError(code);
      expect(text, constant).toMatch(new RegExp(`^${constant.slice("CHAINFERENCE_ERROR__".length)}: \\S`));
    }
  });

  it("prints a failed transaction's custom code as the program error NAME and message, never hex", () => {
    const failure = new TransactionFailedError({
      customCode: client.CHAINFERENCE_ERROR__PROTOCOL_PAUSED,
      programAddress: client.CHAINFERENCE_PROGRAM_ADDRESS,
      instructionIndex: 0,
      reason: "Custom(8204)",
      logs: ["failed: custom program error: 0x200c"],
    });
    const line = describeError(failure);
    expect(line).toBe(
      "transaction failed: PROTOCOL_PAUSED: The protocol is paused (the protocol admin paused new requests; try again later)",
    );
    expect(line).not.toMatch(/0x/);
  });

  it("names a custom code by the program that returned it: System Custom(1) is insufficient lamports, not a Chainference error", () => {
    // Given Custom(1) returned by the System program inside a Chainference instruction (an underfunded stake)
    const failure = new TransactionFailedError({
      customCode: 1,
      programAddress: SYSTEM_PROGRAM,
      instructionIndex: 0,
      reason: "Custom(1)",
      logs: ["Transfer: insufficient lamports 5000, need 100000"],
    });
    // Then the line names the System program's error and what to do
    expect(describeError(failure)).toBe(
      "transaction failed: System program error RESULT_WITH_NEGATIVE_LAMPORTS: insufficient lamports: the paying account holds less than the transfer (stake, deposit or rent) it was asked for (fund the --keypair wallet, or lower --stake)",
    );
    expect(errorCode(failure)).toBe("SYSTEM_PROGRAM__RESULT_WITH_NEGATIVE_LAMPORTS");
  });

  it("never names a Chainference error from the code alone", () => {
    // Given a Chainference code returned by another program, and one whose program is unknown
    const other = "BPFLoaderUpgradeab1e11111111111111111111111" as Address;
    const code = client.CHAINFERENCE_ERROR__PROTOCOL_PAUSED;
    const elsewhere = new TransactionFailedError({ customCode: code, programAddress: other, instructionIndex: 0, reason: "", logs: [] });
    const unknown = new TransactionFailedError({ customCode: code, instructionIndex: 0, reason: "Custom(8204)", logs: [] });
    // Then neither reads as PROTOCOL_PAUSED
    expect(describeError(elsewhere)).toBe(`transaction failed: custom error ${code} from program ${other}`);
    expect(describeError(unknown)).not.toMatch(/PROTOCOL_PAUSED/);
    expect(errorCode(elsewhere)).toBe("TRANSACTION_FAILED");
  });

  it("says to fund the wallet when a transaction cannot pay its fee", () => {
    const failure = new TransactionFailedError({ customCode: null, instructionIndex: null, reason: "InsufficientFundsForFee", logs: [] });
    expect(describeError(failure)).toMatch(/too little SOL.*fund the --keypair wallet/);
  });

  it("names a created account's rent shortfall apart from the wallet's balance, in every form the runtime reports it", () => {
    for (const reason of [
      "InsufficientFundsForRent { account_index: 1 }", // LiteSVM
      "Transaction results in an account (1) with insufficient funds for rent", // a validator's preflight, through kit
      '{"InsufficientFundsForRent":{"account_index":1}}', // a validator's confirmed status
    ]) {
      const line = describeError(new TransactionFailedError({ customCode: null, instructionIndex: null, reason, logs: [] }));
      expect(line, reason).toMatch(/^transaction failed: account #1 would hold less than its rent-exempt minimum/);
      expect(line, reason).not.toMatch(/fund the --keypair wallet/);
    }
  });

  it("passes SDK errors through with a hint for the flag to change", () => {
    const e = new ChainferenceClientError(client.CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW, { stake: 1n, minStake: 10_000n });
    expect(describeError(e)).toBe("Stake 1 lamports is below the minimum 10000 (raise --stake)");
  });

  it("keeps the RPC's own advice for an unreachable endpoint", () => {
    expect(describeError(new RpcUnreachableError("http://127.0.0.1:9", new Error("fetch failed")))).toMatch(/127\.0\.0\.1:9.*--url/);
  });
});
