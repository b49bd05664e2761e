/** The CLI's one-line error text: every program error by NAME and message, SDK errors by message. */
import { describe, expect, it } from "vitest";
import * as client from "@chainference/client";
import { ChainferenceClientError, RpcUnreachableError, TransactionFailedError } from "@chainference/client";
import { describeError, describeProgramError } from "../../cli/src/shared/errors/describe-error";

const programCodes = Object.entries(client).filter(
  (entry): entry is [string, number] => entry[0].startsWith("CHAINFERENCE_ERROR__") && typeof entry[1] === "number" && entry[1] < 1000,
);

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
      instructionIndex: 0,
      reason: "Custom(12)",
      logs: ["failed: custom program error: 0xc"],
    });
    const line = describeError(failure);
    expect(line).toBe(
      "transaction failed: PROTOCOL_PAUSED: The protocol is paused (the protocol admin paused new requests; try again later)",
    );
    expect(line).not.toMatch(/0x/);
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
