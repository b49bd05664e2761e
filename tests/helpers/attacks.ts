/**
 * Generic negative tests (escrow's negative-test fixtures, one list per instruction): given a valid
 * instruction and which of its accounts sign, are written, are program-owned or are the System
 * program, `generateNegativeTests` registers one vitest test per attack:
 *
 * - each signer dropped → MissingSigner
 * - each writable account passed read-only → AccountNotWritable
 * - each program-owned account swapped for a look-alike (same bytes and lamports, fresh address)
 *   owned by another program → InvalidAccountOwner
 * - each program-owned account swapped for a program-owned look-alike whose discriminator byte is
 *   another account type's → InvalidAccountData
 * - the System program swapped for another account → InvalidSystemProgram
 * - instruction data truncated by one byte, or with one trailing byte → InvalidInstructionData
 * - the last account missing → NotEnoughAccounts
 *
 * plus a control test that the untouched instruction lands (so every negative fails for its own reason).
 */
import type { Address, Instruction } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
} from "../../clients/js/src/generated";
import { expectProgramError } from "./errors";
import { appendData, readOnly, removeAccount, replaceAccount, withoutSigner } from "./instructions";
import { expectOnlyFeeCharged } from "./lamports";
import { PROGRAM_ADDRESS, TransactionFailedError, freshAddress, send, type TestSvm } from "./svm";

/** An owner that is not our program (the upgradeable BPF loader). */
export const OTHER_PROGRAM = "BPFLoaderUpgradeab1e11111111111111111111111" as Address;

/** A fresh address holding a copy of `address`'s account, re-owned and/or with its bytes edited. */
export async function lookAlike(
  t: TestSvm,
  address: Address,
  options: { owner?: Address; edit?: (data: Uint8Array) => void } = {},
): Promise<Address> {
  const account = t.svm.getAccount(address);
  if (!account.exists) throw new Error(`no account at ${address} to copy`);
  const data = new Uint8Array(account.data);
  options.edit?.(data);
  const fake = await freshAddress();
  t.svm.setAccount({ ...account, address: fake, data, programAddress: options.owner ?? account.programAddress });
  return fake;
}

/** Overwrites bytes of an existing account in place. */
export function patchAccount(t: TestSvm, address: Address, offset: number, bytes: Uint8Array): void {
  const account = t.svm.getAccount(address);
  if (!account.exists) throw new Error(`no account at ${address} to patch`);
  const data = new Uint8Array(account.data);
  data.set(bytes, offset);
  t.svm.setAccount({ ...account, data });
}

/**
 * Awaits a rejection that is not a custom program error (a runtime error such as
 * `PrivilegeEscalation` or `NotEnoughAccountKeys`) whose reason matches `pattern`; only the fee moved.
 */
export async function expectRuntimeError(promise: Promise<unknown>, pattern: RegExp): Promise<TransactionFailedError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (error === undefined)
    throw new Error(`expected a runtime error matching ${pattern}, but the transaction succeeded`);
  if (!(error instanceof TransactionFailedError)) throw error;
  expect(error.customCode, `custom code (${error.reason})`).toBeUndefined();
  expect(error.reason).toMatch(pattern);
  expectOnlyFeeCharged(error.report);
  return error;
}

/** Awaits a rejection of any kind (custom or runtime error) that charged only the fee. */
export async function expectRejected(promise: Promise<unknown>): Promise<TransactionFailedError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error("expected the transaction to be rejected, but it succeeded");
  if (!(error instanceof TransactionFailedError)) throw error;
  expectOnlyFeeCharged(error.report);
  return error;
}

export type NegativeCase = {
  /** Test-name prefix, e.g. `complete_request`. */
  readonly name: string;
  /** Account names in instruction order (for test names). */
  readonly accounts: readonly string[];
  readonly signers: readonly number[];
  readonly writable: readonly number[];
  /** Accounts the program checks for owner + discriminator. */
  readonly programOwned: readonly number[];
  readonly systemProgram?: number;
  /** The instruction carries data after the discriminator (else only trailing bytes are tested). */
  readonly hasData: boolean;
  /** Prepares the chain state and returns a valid instruction (fee paid by the harness payer). */
  readonly build: (t: TestSvm) => Promise<Instruction>;
};

/** A discriminator byte that is a valid account type, but not this one. */
const otherDiscriminator = (d: number): number => (d === 4 ? 5 : 4);

/** Registers the generic negative tests of `c`; `chain()` returns the current test's fresh chain. */
export function generateNegativeTests(c: NegativeCase, chain: () => TestSvm): void {
  describe(`${c.name}: generic negatives`, () => {
    it("control: the untouched instruction lands", async () => {
      const t = chain();
      // Given the prepared state / When the valid instruction is sent / Then it lands
      await send(t, await c.build(t));
    });

    for (const i of c.signers) {
      it(`rejects ${c.accounts[i]} not signing with MissingSigner`, async () => {
        const t = chain();
        // Given the valid instruction with that signature removed
        const ix = withoutSigner(await c.build(t), i);
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
      });
    }

    for (const i of c.writable) {
      it(`rejects a read-only ${c.accounts[i]} with AccountNotWritable`, async () => {
        const t = chain();
        // Given the account passed read-only
        const ix = readOnly(await c.build(t), i);
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
      });
    }

    for (const i of c.programOwned) {
      it(`rejects a ${c.accounts[i]} look-alike owned by another program with InvalidAccountOwner`, async () => {
        const t = chain();
        // Given the account's exact bytes and lamports at a fresh address owned by another program
        const ix = await c.build(t);
        const real = ix.accounts![i]!.address;
        const fake = await lookAlike(t, real, { owner: OTHER_PROGRAM });
        // When it is passed instead / Then InvalidAccountOwner
        await expectProgramError(send(t, replaceAccount(ix, i, fake)), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
      });

      it(`rejects a program-owned ${c.accounts[i]} with another discriminator with InvalidAccountData`, async () => {
        const t = chain();
        // Given a program-owned copy whose discriminator byte names another account type
        const ix = await c.build(t);
        const real = ix.accounts![i]!.address;
        const fake = await lookAlike(t, real, {
          owner: PROGRAM_ADDRESS,
          edit: (d) => {
            d[0] = otherDiscriminator(d[0]!);
          },
        });
        // When it is passed instead / Then InvalidAccountData
        await expectProgramError(send(t, replaceAccount(ix, i, fake)), CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA);
      });
    }

    if (c.systemProgram !== undefined) {
      const i = c.systemProgram;
      it("rejects a fake system program with InvalidSystemProgram", async () => {
        const t = chain();
        // Given another account in the system program slot
        const ix = replaceAccount(await c.build(t), i, await freshAddress());
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
      });
    }

    if (c.hasData) {
      it("rejects data truncated by one byte with InvalidInstructionData", async () => {
        const t = chain();
        // Given the data without its last byte
        const ix = await c.build(t);
        const truncated = { ...ix, data: new Uint8Array(ix.data!).subarray(0, ix.data!.length - 1) };
        // When / Then
        await expectProgramError(send(t, truncated), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
      });
    }

    it("rejects one trailing data byte with InvalidInstructionData", async () => {
      const t = chain();
      // Given one extra byte after the data
      const ix = appendData(await c.build(t));
      // When / Then
      await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
    });

    it(`rejects a missing last account (${c.accounts[c.accounts.length - 1]}) with NotEnoughAccounts`, async () => {
      const t = chain();
      // Given the instruction without its last account
      const ix = await c.build(t);
      // When / Then
      await expectProgramError(
        send(t, removeAccount(ix, ix.accounts!.length - 1)),
        CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
      );
    });
  });
}
