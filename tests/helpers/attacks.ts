/**
 * Generic negative tests (escrow's negative-test fixtures, one list per instruction): given a valid
 * instruction and which of its accounts are program-owned, `generateNegativeTests` reads the rest of
 * the instruction's shape (names, signer and writable flags, the System program slot, the bounds of
 * a list of fee vaults) from the program's own description (`program/interface.json`, from
 * `program/src/idl.rs`) and registers one vitest test per attack:
 *
 * - each signer dropped → MissingSigner
 * - each writable account passed read-only → AccountNotWritable
 * - each read-only account that does not sign passed writable → AccountMustBeReadOnly
 * - each read-only signer passed writable → lands (a signer may pay the fee, which makes it writable)
 * - each read-only account marked mayBeWritable passed writable → lands (another instruction of the transaction writes it)
 * - the System program or the Instructions sysvar passed writable → lands (the runtime demotes both)
 * - each program-owned account swapped for a look-alike (same bytes and lamports, fresh address)
 *   owned by another program → InvalidAccountOwner
 * - each program-owned account swapped for a program-owned look-alike whose discriminator byte is
 *   another account type's → InvalidAccountData
 * - the System program swapped for another account → InvalidSystemProgram
 * - the Instructions sysvar swapped for another account → InvalidInstructionsSysvar
 * - instruction data truncated by one byte, or with one trailing byte → InvalidInstructionData
 * - one account fewer than the shortest shape → NotEnoughAccounts
 * - one account more than the longest shape → TooManyAccounts
 *
 * plus a control test that the untouched instruction lands (so every negative fails for its own reason).
 */
import type { Address, Instruction } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_MUST_BE_READ_ONLY,
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTIONS_SYSVAR,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
  CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS,
} from "../../clients/js/src/generated";
import { expectProgramError } from "./errors";
import { appendAccounts, appendData, firstAccounts, readOnly, replaceAccount, withoutSigner, writable } from "./instructions";
import { instructionSpec, maxAccounts, minAccounts } from "./interface";
import { expectOnlyFeeCharged } from "./lamports";
import { PROGRAM_ADDRESS, TransactionFailedError, freshAddress, send as sendTx, type TestSvm } from "./svm";

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
  if (error === undefined) throw new Error(`expected a runtime error matching ${pattern}, but the transaction succeeded`);
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
  /** Test-name prefix, e.g. `complete_request` or `expire_request (Open)`. */
  readonly name: string;
  /** The instruction, as named in the program (`program/interface.json`). */
  readonly instruction: string;
  /** Accounts the program checks for owner + discriminator. */
  readonly programOwned: readonly number[];
  /** Optional accounts `build` passes as absent (the program id): no flag attacks on them. */
  readonly absent?: readonly number[];
  /** Prepares the chain state and returns a valid instruction (fee paid by the harness payer). */
  readonly build: (t: TestSvm) => Promise<Instruction>;
  /**
   * Instructions sent right before the one under test, in the same transaction (read after `build`: e.g. the
   * Ed25519 voucher instruction `settle_session` introspects).
   */
  readonly before?: () => readonly Instruction[];
};

/** A discriminator byte that is a valid account type, but not this one. */
const otherDiscriminator = (d: number): number => (d === 4 ? 5 : 4);

/**
 * Registers the generic negative tests of `c`; `chain()` returns the current test's fresh chain.
 * Flags come from the instruction's description; of a list of fee vaults, the first stands for all.
 */
export function generateNegativeTests(c: NegativeCase, chain: () => TestSvm): void {
  const spec = instructionSpec(c.instruction);
  const named = spec.accounts.map((a, i) => ({ ...a, index: i })).filter((a) => !c.absent?.includes(a.index));
  const listed = spec.remaining
    ? [{ name: `${spec.remaining.name}[0]`, index: spec.accounts.length, writable: spec.remaining.writable }]
    : [];
  const isSystemProgram = (a: (typeof named)[number]) => a.default?.kind === "systemProgram";
  const isSysvar = (a: (typeof named)[number]) => a.default?.kind === "instructionsSysvar";
  const signers = named.filter((a) => a.signer);
  const writableAccounts = [...named.filter((a) => a.writable), ...listed.filter((a) => a.writable)];
  const readOnlyAccounts = named.filter((a) => !a.writable && !a.signer && !a.mayBeWritable && !isSystemProgram(a) && !isSysvar(a));
  const mayBeWritableAccounts = named.filter((a) => a.mayBeWritable);
  const readOnlySigners = named.filter((a) => !a.writable && a.signer);
  const systemProgram = named.find(isSystemProgram);
  const sysvar = named.find(isSysvar);
  // Every transaction sends `before()` (if any) ahead of the instruction under test.
  const send = (t: TestSvm, ix: Instruction) => sendTx(t, [...(c.before?.() ?? []), ix]);
  const nameOf = (i: number) => spec.accounts[i]?.name ?? `${spec.remaining?.name}[${i - spec.accounts.length}]`;

  describe(`${c.name}: generic negatives`, () => {
    it("control: the untouched instruction lands", async () => {
      const t = chain();
      // Given the prepared state / When the valid instruction is sent / Then it lands
      await send(t, await c.build(t));
    });

    for (const a of signers) {
      it(`rejects ${a.name} not signing with MissingSigner`, async () => {
        const t = chain();
        // Given the valid instruction with that signature removed
        const ix = withoutSigner(await c.build(t), a.index);
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
      });
    }

    for (const a of writableAccounts) {
      it(`rejects a read-only ${a.name} with AccountNotWritable`, async () => {
        const t = chain();
        // Given the account passed read-only
        const ix = readOnly(await c.build(t), a.index);
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
      });
    }

    for (const a of readOnlyAccounts) {
      it(`rejects a writable ${a.name} with AccountMustBeReadOnly`, async () => {
        const t = chain();
        // Given an account the instruction only reads passed writable
        const ix = writable(await c.build(t), a.index);
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__ACCOUNT_MUST_BE_READ_ONLY);
      });
    }

    for (const a of mayBeWritableAccounts) {
      it(`accepts a writable ${a.name}: another instruction of the same transaction may write it`, async () => {
        const t = chain();
        // Given the read-only account passed writable (as when lock_request or complete_request shares the transaction)
        const ix = writable(await c.build(t), a.index);
        // When / Then it lands
        await send(t, ix);
      });
    }

    for (const a of readOnlySigners) {
      it(`accepts a writable ${a.name}: a signer may pay the fee, which makes it writable`, async () => {
        const t = chain();
        // Given the read-only signer passed writable (as when it is the fee payer)
        const ix = writable(await c.build(t), a.index);
        // When / Then it lands
        await send(t, ix);
      });
    }

    if (systemProgram) {
      it("accepts a writable system program: the runtime demotes it to read-only", async () => {
        const t = chain();
        // Given the System program passed writable
        const ix = writable(await c.build(t), systemProgram.index);
        // When / Then it lands
        await send(t, ix);
      });
    }

    for (const i of c.programOwned) {
      it(`rejects a ${nameOf(i)} look-alike owned by another program with InvalidAccountOwner`, async () => {
        const t = chain();
        // Given the account's exact bytes and lamports at a fresh address owned by another program
        const ix = await c.build(t);
        const real = ix.accounts![i]!.address;
        const fake = await lookAlike(t, real, { owner: OTHER_PROGRAM });
        // When it is passed instead / Then InvalidAccountOwner
        await expectProgramError(send(t, replaceAccount(ix, i, fake)), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
      });

      it(`rejects a program-owned ${nameOf(i)} with another discriminator with InvalidAccountData`, async () => {
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

    if (sysvar) {
      it("accepts a writable Instructions sysvar: the runtime demotes it to read-only", async () => {
        const t = chain();
        // Given the sysvar passed writable
        const ix = writable(await c.build(t), sysvar.index);
        // When / Then it lands
        await send(t, ix);
      });

      it("rejects a fake Instructions sysvar with InvalidInstructionsSysvar", async () => {
        const t = chain();
        // Given another account in the sysvar slot
        const ix = replaceAccount(await c.build(t), sysvar.index, await freshAddress());
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_INSTRUCTIONS_SYSVAR);
      });
    }

    if (systemProgram) {
      it("rejects a fake system program with InvalidSystemProgram", async () => {
        const t = chain();
        // Given another account in the system program slot
        const ix = replaceAccount(await c.build(t), systemProgram.index, await freshAddress());
        // When / Then
        await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
      });
    }

    if (spec.args.length > 0) {
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

    it(`rejects ${minAccounts(spec) - 1} accounts (one fewer than it takes) with NotEnoughAccounts`, async () => {
      const t = chain();
      // Given the instruction cut to one account fewer than its shortest shape
      const ix = firstAccounts(await c.build(t), minAccounts(spec) - 1);
      // When / Then
      await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS);
    });

    it(`rejects ${maxAccounts(spec) + 1} accounts (one more than it takes) with TooManyAccounts`, async () => {
      const t = chain();
      // Given the valid instruction followed by accounts up to one more than its longest shape
      const ix = await c.build(t);
      const extra = maxAccounts(spec) + 1 - ix.accounts!.length;
      const padding = await Promise.all(Array.from({ length: extra }, () => freshAddress()));
      // When / Then
      await expectProgramError(send(t, appendAccounts(ix, padding)), CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS);
    });
  });
}
