/**
 * `initialize_config`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__FEE_TOO_HIGH,
  CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  findConfigPda,
  findFeeVaultPda,
  getFeeVaultDecoder,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import {
  CONFIG_SIZE,
  DEFAULT_LIMITS,
  FEE_VAULT_SHARDS,
  FEE_VAULT_SIZE,
  MAX_FEE_BPS,
  configAddress,
  deployerSigner,
  feeVaultAddresses,
  initConfig,
  initializeConfigInstruction,
  readConfig,
} from "../../helpers/fixtures";
import { appendData, readOnly, replaceAccount, systemTransfer, withoutSigner } from "../../helpers/instructions";
import { expectLamportsConserved, lamportDelta } from "../../helpers/lamports";
import { PROGRAM_ADDRESS, balanceOf, dataOf, freshAddress, fundedSigner, rentExempt, send } from "../../helpers/svm";
import { t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

describe("initialize_config", () => {
  it("creates the Config and the 16 fee vaults, paid by the admin", async () => {
    // Given a funded admin and a treasury
    const admin = await deployerSigner(t);
    const treasury = await freshAddress();
    const ix = await initializeConfigInstruction(admin, { treasury });

    // When the admin initializes the config
    const report = expectLamportsConserved(await send(t, ix, { feePayer: admin }));

    // Then the Config holds the values, owned by the program, rent-exempt
    const config = await configAddress();
    const account = t.svm.getAccount(config);
    expect(account.exists && account.programAddress).toBe(PROGRAM_ADDRESS);
    expect(dataOf(t.svm, config)?.length).toBe(CONFIG_SIZE);
    expect(balanceOf(t.svm, config)).toBe(rentExempt(t.svm, CONFIG_SIZE));
    expect(readConfig(t, config)).toMatchObject({
      discriminator: 1,
      version: 1,
      paused: false,
      admin: admin.address,
      treasury,
      ...DEFAULT_LIMITS,
    });
    // And every shard exists with its index, rent-exempt
    const vaults = await feeVaultAddresses();
    for (const [shard, vault] of vaults.entries()) {
      const data = dataOf(t.svm, vault);
      expect(data?.length).toBe(FEE_VAULT_SIZE);
      expect(getFeeVaultDecoder().decode(data!)).toMatchObject({ discriminator: 2, version: 1, shard });
      expect(balanceOf(t.svm, vault)).toBe(rentExempt(t.svm, FEE_VAULT_SIZE));
    }
    // And the admin paid exactly the rent of the 17 accounts plus the fee
    const rent = rentExempt(t.svm, CONFIG_SIZE) + BigInt(FEE_VAULT_SHARDS) * rentExempt(t.svm, FEE_VAULT_SIZE);
    expect(lamportDelta(report, admin.address)).toBe(-(rent + report.fee));
  });

  it("stores the canonical bumps of the config and every vault", async () => {
    // Given an initialized config
    const { config, feeVaults } = await initConfig(t);
    // Then the stored bumps are the canonical ones
    expect(readConfig(t, config).bump).toBe((await findConfigPda())[1]);
    for (const [shard, vault] of feeVaults.entries()) {
      expect(getFeeVaultDecoder().decode(dataOf(t.svm, vault)!).bump).toBe((await findFeeVaultPda({ shard }))[1]);
    }
  });

  it("rejects a second initialization with AlreadyInitialized", async () => {
    // Given an initialized config
    await initConfig(t);
    // When the upgrade authority initializes again
    const admin = await deployerSigner(t);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address });
    // Then it fails with AlreadyInitialized
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
  });

  it("rejects a fee above the 25 % cap with FeeTooHigh", async () => {
    // Given fee_bps = MAX_FEE_BPS + 1
    const admin = await deployerSigner(t);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address, feeBps: MAX_FEE_BPS + 1 });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__FEE_TOO_HIGH);
  });

  it("accepts a fee exactly at the cap", async () => {
    // Given fee_bps = MAX_FEE_BPS
    // When the config is initialized
    const { config } = await initConfig(t, { feeBps: MAX_FEE_BPS });
    // Then the fee is stored
    expect(readConfig(t, config).feeBps).toBe(MAX_FEE_BPS);
  });

  it.each([
    ["max_prompt_bytes = 0", { maxPromptBytes: 0 }],
    ["max_response_bytes = 0", { maxResponseBytes: 0 }],
    ["default_response_timeout = 0", { defaultResponseTimeout: 0n }],
    ["default_response_timeout > max_response_timeout", { defaultResponseTimeout: 7_501n, maxResponseTimeout: 7_500n }],
    ["open_request_slots = 0", { openRequestSlots: 0n }],
  ])("rejects %s with InvalidConfigValue", async (_label, limits) => {
    // Given an inconsistent limit
    const admin = await deployerSigner(t);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address, ...limits });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE);
  });

  it('rejects a config account that is not the ["config"] PDA with InvalidPda', async () => {
    // Given a random address in the config slot
    const admin = await deployerSigner(t);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address }, { config: await freshAddress() });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PDA);
  });

  it("rejects fee vaults out of shard order with InvalidPda", async () => {
    // Given shards 0 and 1 swapped
    const admin = await deployerSigner(t);
    const vaults = await feeVaultAddresses();
    [vaults[0], vaults[1]] = [vaults[1]!, vaults[0]!];
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address }, { feeVaults: vaults });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PDA);
  });

  it("rejects an admin that did not sign with MissingSigner", async () => {
    // Given the admin's signer flag removed and someone else paying the fee
    const admin = await deployerSigner(t);
    const ix = withoutSigner(await initializeConfigInstruction(admin, { treasury: admin.address }), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only config account with AccountNotWritable", async () => {
    // Given the config slot passed read-only
    const admin = await deployerSigner(t);
    const ix = readOnly(await initializeConfigInstruction(admin, { treasury: admin.address }), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a read-only fee vault with AccountNotWritable", async () => {
    // Given the last fee vault passed read-only
    const admin = await deployerSigner(t);
    const ix = readOnly(await initializeConfigInstruction(admin, { treasury: admin.address }), 4 + FEE_VAULT_SHARDS - 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a fake system program with InvalidSystemProgram", async () => {
    // Given another account in the system program slot
    const admin = await deployerSigner(t);
    const ix = replaceAccount(await initializeConfigInstruction(admin, { treasury: admin.address }), 3, await freshAddress());
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
  });

  it("rejects trailing instruction data with InvalidInstructionData", async () => {
    // Given one extra byte after the data
    const admin = await deployerSigner(t);
    const ix = appendData(await initializeConfigInstruction(admin, { treasury: admin.address }));
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });

  it("still initializes when an attacker pre-funded the config address", async () => {
    // Given lamports sent to the config PDA before initialization
    const griefer = await fundedSigner(t.svm);
    const config = await configAddress();
    await send(t, systemTransfer(griefer, config, 1_000_000_000n), { feePayer: griefer });
    // When the admin initializes
    const { admin } = await initConfig(t);
    // Then the config is created and keeps the attacker's lamports
    expect(readConfig(t, config).admin).toBe(admin.address);
    expect(balanceOf(t.svm, config)).toBe(1_000_000_000n);
  });
});
