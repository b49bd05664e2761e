/**
 * `withdraw_fees`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { type Address, type KeyPairSigner } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_MUST_BE_READ_ONLY,
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
  CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS,
  CHAINFERENCE_ERROR__TREASURY_MISMATCH,
  CHAINFERENCE_ERROR__UNAUTHORIZED,
  getWithdrawFeesInstructionAsync,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { FEE_VAULT_SHARDS, FEE_VAULT_SIZE, initConfig, registerServer, type InitializedConfig } from "../../helpers/fixtures";
import { appendData, readOnly, systemTransfer, withoutSigner } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import { LAMPORTS_PER_SOL, balanceOf, fundedSigner, rentExempt, send, setSystemAccount } from "../../helpers/svm";
import { cloneWithOwner, OTHER_PROGRAM, t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

describe("withdraw_fees", () => {
  let cfg: InitializedConfig;
  const withdraw = async (admin: KeyPairSigner = cfg.admin, treasury: Address = cfg.treasury, feeVaults = cfg.feeVaults) =>
    getWithdrawFeesInstructionAsync({ admin, treasury, feeVaults });
  beforeEach(async () => {
    cfg = await initConfig(t);
    // The treasury is an ordinary funded wallet.
    setSystemAccount(t.svm, cfg.treasury, LAMPORTS_PER_SOL);
  });

  /** Sends `amounts[i]` lamports into vault i (fees as complete_request would leave them). */
  async function depositFees(amounts: bigint[]): Promise<bigint> {
    const funder = await fundedSigner(t.svm, 100n * LAMPORTS_PER_SOL);
    const ixs = amounts.flatMap((a, i) => (a > 0n ? [systemTransfer(funder, cfg.feeVaults[i]!, a)] : []));
    for (let i = 0; i < ixs.length; i += 8) await send(t, ixs.slice(i, i + 8), { feePayer: funder });
    return amounts.reduce((x, y) => x + y, 0n);
  }

  it("sweeps every vault down to its rent-exempt minimum into the treasury", async () => {
    // Given fees in several shards
    const amounts = Array.from({ length: FEE_VAULT_SHARDS }, (_, i) => (i % 3 === 0 ? 0n : BigInt(1_000 * (i + 1))));
    const total = await depositFees(amounts);
    // When the admin withdraws
    const report = await send(t, await withdraw(), { feePayer: cfg.admin });
    // Then the treasury received exactly the fees and every vault is back at its rent minimum
    expect(lamportDelta(report, cfg.treasury)).toBe(total);
    for (const vault of cfg.feeVaults) expect(balanceOf(t.svm, vault)).toBe(rentExempt(t.svm, FEE_VAULT_SIZE));
    expect(lamportDelta(report, cfg.admin.address)).toBe(-report.fee);
  });

  it("moves nothing when the vaults hold no fees", async () => {
    // Given empty vaults
    // When the admin withdraws
    const report = await send(t, await withdraw(), { feePayer: cfg.admin });
    // Then the treasury is unchanged
    expect(lamportDelta(report, cfg.treasury)).toBe(0n);
  });

  it("sweeps a subset of the vaults passed in any order", async () => {
    // Given fees in shards 3 and 9
    const amounts = Array.from({ length: FEE_VAULT_SHARDS }, (_, i) => (i === 3 || i === 9 ? 50_000n : 0n));
    await depositFees(amounts);
    // When the admin withdraws passing only vaults 9 and 3
    const report = await send(t, await withdraw(cfg.admin, cfg.treasury, [cfg.feeVaults[9]!, cfg.feeVaults[3]!]), {
      feePayer: cfg.admin,
    });
    // Then both are swept
    expect(lamportDelta(report, cfg.treasury)).toBe(100_000n);
  });

  it("rejects a signer who is not the admin with Unauthorized", async () => {
    // Given fees and a stranger
    await depositFees([10_000n]);
    const stranger = await fundedSigner(t.svm);
    // When the stranger withdraws / Then Unauthorized
    await expectProgramError(send(t, await withdraw(stranger), { feePayer: stranger }), CHAINFERENCE_ERROR__UNAUTHORIZED);
  });

  it("rejects a treasury other than config.treasury with TreasuryMismatch", async () => {
    // Given the admin's own wallet as treasury
    await depositFees([10_000n]);
    // When / Then
    await expectProgramError(
      send(t, await withdraw(cfg.admin, cfg.admin.address), { feePayer: cfg.admin }),
      CHAINFERENCE_ERROR__TREASURY_MISMATCH,
    );
  });

  it("rejects an admin that did not sign with MissingSigner", async () => {
    // Given the admin's signer flag removed
    const ix = withoutSigner(await withdraw(), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only treasury with AccountNotWritable", async () => {
    // Given the treasury passed read-only
    const ix = readOnly(await withdraw(), 2);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a read-only fee vault with AccountNotWritable", async () => {
    // Given vault 0 passed read-only
    const ix = readOnly(await withdraw(), 3);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a fee vault look-alike owned by another program with InvalidAccountOwner", async () => {
    // Given vault 0's bytes re-owned by another program
    cloneWithOwner(t, cfg.feeVaults[0]!, OTHER_PROGRAM);
    // When / Then
    await expectProgramError(send(t, await withdraw(), { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("rejects a program-owned account that is not a fee vault (a Server) with InvalidAccountData", async () => {
    // Given a Server passed where a vault goes (the Config cannot be: it would also be the writable
    // config, AccountMustBeReadOnly)
    const { server } = await registerServer(t);
    const ix = await withdraw(cfg.admin, cfg.treasury, [server]);
    // When / Then: a Server is not a FeeVault
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA);
  });

  it("rejects the Config passed as a fee vault (so writable) with AccountMustBeReadOnly", async () => {
    // Given the Config also listed as a vault: the transaction marks it writable everywhere
    const ix = await withdraw(cfg.admin, cfg.treasury, [cfg.config]);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__ACCOUNT_MUST_BE_READ_ONLY);
  });

  it("rejects an empty fee vault list with NotEnoughAccounts", async () => {
    // Given no vault to sweep
    const ix = await withdraw(cfg.admin, cfg.treasury, []);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS);
  });

  it("rejects 17 fee vaults (one more than the shards) with TooManyAccounts", async () => {
    // Given every vault, then vault 0 again
    const ix = await withdraw(cfg.admin, cfg.treasury, [...cfg.feeVaults, cfg.feeVaults[0]!]);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS);
  });

  it("rejects a config look-alike owned by another program with InvalidAccountOwner", async () => {
    // Given the config's bytes re-owned by another program
    cloneWithOwner(t, cfg.config, OTHER_PROGRAM);
    // When / Then
    await expectProgramError(send(t, await withdraw(), { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("rejects a data byte after the discriminator with InvalidInstructionData", async () => {
    // Given withdraw_fees with one extra data byte
    const ix = appendData(await withdraw());
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });
});
