/**
 * `update_config`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__FEE_TOO_HIGH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__UNAUTHORIZED,
  getUpdateConfigInstructionAsync,
  type UpdateConfigAsyncInput,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS, MAX_FEE_BPS, initConfig, readConfig, type InitializedConfig } from "../../helpers/fixtures";
import { readOnly, setDataByte, withoutSigner } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import { freshAddress, fundedSigner, send } from "../../helpers/svm";
import { cloneWithOwner, OTHER_PROGRAM, t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

describe("update_config", () => {
  let cfg: InitializedConfig;
  const values = (overrides: Partial<UpdateConfigAsyncInput> = {}): Omit<UpdateConfigAsyncInput, "admin"> => ({
    newAdmin: cfg.admin.address,
    treasury: cfg.treasury,
    feeBps: DEFAULT_LIMITS.feeBps,
    paused: false,
    maxPromptBytes: DEFAULT_LIMITS.maxPromptBytes,
    maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
    defaultResponseTimeout: DEFAULT_LIMITS.defaultResponseTimeout,
    maxResponseTimeout: DEFAULT_LIMITS.maxResponseTimeout,
    minResponseTimeout: DEFAULT_LIMITS.minResponseTimeout,
    openRequestSlots: DEFAULT_LIMITS.openRequestSlots,
    closeGraceSlots: DEFAULT_LIMITS.closeGraceSlots,
    minStake: DEFAULT_LIMITS.minStake,
    minBond: DEFAULT_LIMITS.minBond,
    abandonPenalty: DEFAULT_LIMITS.abandonPenalty,
    bondCooldownSlots: DEFAULT_LIMITS.bondCooldownSlots,
    ...overrides,
  });
  beforeEach(async () => {
    cfg = await initConfig(t);
  });

  it("replaces every value when the admin signs", async () => {
    // Given new values for every field
    const newAdmin = await freshAddress();
    const treasury = await freshAddress();
    const update = values({
      newAdmin,
      treasury,
      feeBps: 250,
      maxPromptBytes: 1_000,
      maxResponseBytes: 2_000,
      defaultResponseTimeout: 10n,
      maxResponseTimeout: 20n,
      openRequestSlots: 30n,
      closeGraceSlots: 0n,
      minStake: 0n,
    });
    // When the admin updates the config
    const report = await send(t, await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...update }), {
      feePayer: cfg.admin,
    });
    // Then every value is replaced and only the fee was paid
    const { newAdmin: _n, ...rest } = update;
    expect(readConfig(t, cfg.config)).toMatchObject({ ...rest, admin: newAdmin, paused: false });
    expect(lamportDelta(report, cfg.admin.address)).toBe(-report.fee);
    expect(lamportDelta(report, cfg.config)).toBe(0n);
  });

  it("rejects a signer who is not the admin with Unauthorized", async () => {
    // Given another signer
    const stranger = await fundedSigner(t.svm);
    // When the stranger updates the config / Then Unauthorized
    await expectProgramError(
      send(t, await getUpdateConfigInstructionAsync({ admin: stranger, ...values({ newAdmin: stranger.address }) }), {
        feePayer: stranger,
      }),
      CHAINFERENCE_ERROR__UNAUTHORIZED,
    );
  });

  it("hands over the admin role: the previous admin is then Unauthorized", async () => {
    // Given the admin handed the role to a new admin
    const next = await fundedSigner(t.svm);
    await send(t, await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values({ newAdmin: next.address }) }), {
      feePayer: cfg.admin,
    });
    // When the previous admin tries again / Then Unauthorized
    await expectProgramError(
      send(t, await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values() }), { feePayer: cfg.admin }),
      CHAINFERENCE_ERROR__UNAUTHORIZED,
    );
    // And the new admin can update
    await send(t, await getUpdateConfigInstructionAsync({ admin: next, ...values({ newAdmin: next.address }) }), {
      feePayer: next,
    });
  });

  it("rejects a fee above the cap with FeeTooHigh", async () => {
    // Given fee_bps = MAX_FEE_BPS + 1
    const ix = await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values({ feeBps: MAX_FEE_BPS + 1 }) });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__FEE_TOO_HIGH);
  });

  it("rejects inconsistent limits with InvalidConfigValue", async () => {
    // Given default_response_timeout above max_response_timeout
    const ix = await getUpdateConfigInstructionAsync({
      admin: cfg.admin,
      ...values({ defaultResponseTimeout: 100n, maxResponseTimeout: 99n }),
    });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE);
  });

  it("pauses and unpauses the protocol", async () => {
    // Given the admin pauses
    await send(t, await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values({ paused: true }) }), {
      feePayer: cfg.admin,
    });
    // Then the flag is set
    expect(readConfig(t, cfg.config).paused).toBe(true);
    // When the admin unpauses
    await send(t, await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values({ paused: false }) }), {
      feePayer: cfg.admin,
    });
    // Then the flag is cleared
    expect(readConfig(t, cfg.config).paused).toBe(false);
  });

  it("rejects an admin that did not sign with MissingSigner", async () => {
    // Given the admin's signer flag removed, another fee payer
    const ix = withoutSigner(await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values() }), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only config with AccountNotWritable", async () => {
    // Given the config passed read-only
    const ix = readOnly(await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values() }), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a config look-alike owned by another program with InvalidAccountOwner", async () => {
    // Given the config's bytes at the config address but another owner
    cloneWithOwner(t, cfg.config, OTHER_PROGRAM);
    const ix = await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values() });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("rejects a paused flag other than 0/1", async () => {
    // Given paused = 2 in the data (offset: discriminator 1 + new_admin 32 + treasury 32 + fee 2)
    const ix = setDataByte(await getUpdateConfigInstructionAsync({ admin: cfg.admin, ...values() }), 67, 2);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE);
  });
});
