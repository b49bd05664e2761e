/**
 * Registry instructions against the real target/deploy/chainference.so: initialize_config,
 * update_config, register_server, update_server, close_server, withdraw_fees.
 *
 * Every transaction goes through `send`, which checks exact lamport conservation over all of its
 * accounts (Σ before − Σ after == fee); failures are checked with `expectProgramError` (exact custom
 * code, and nothing but the fee charged). Happy paths additionally assert each account's exact delta.
 */
import { generateKeyPairSigner, type Address, type Instruction, type KeyPairSigner } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_MUST_BE_READ_ONLY,
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__DUPLICATE_MODEL,
  CHAINFERENCE_ERROR__ENDPOINT_TOO_LONG,
  CHAINFERENCE_ERROR__FEE_TOO_HIGH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_QUANTIZATION,
  CHAINFERENCE_ERROR__INVALID_REVISION,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__INVALID_X25519_KEY,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS,
  CHAINFERENCE_ERROR__NO_MODELS,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__PRICE_TOO_HIGH,
  CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS,
  CHAINFERENCE_ERROR__TOO_MANY_ACCOUNTS,
  CHAINFERENCE_ERROR__TOO_MANY_MODELS,
  CHAINFERENCE_ERROR__TREASURY_MISMATCH,
  CHAINFERENCE_ERROR__UNAUTHORIZED,
  findConfigPda,
  findFeeVaultPda,
  getCloseServerInstructionAsync,
  getFeeVaultDecoder,
  findServerPda,
  getRegisterServerInstructionAsync,
  getUpdateConfigInstructionAsync,
  getUpdateServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
  type ModelInputArgs,
  type UpdateConfigAsyncInput,
} from "../../clients/js/src/generated";
import { expectRuntimeError, generateNegativeTests, type NegativeCase } from "../helpers/attacks";
import { expectProgramError } from "../helpers/errors";
import { accountExists, nonCanonicalPda, onCurveBump, serverSeeds } from "../helpers/lifecycle";
import {
  CONFIG_SIZE,
  DEFAULT_LIMITS,
  DEFAULT_SERVER,
  FEE_VAULT_SHARDS,
  FEE_VAULT_SIZE,
  MAX_ENDPOINT_LEN,
  MAX_FEE_BPS,
  MAX_MODELS,
  MAX_PRICE_PER_M,
  configAddress,
  feeVaultAddresses,
  initConfig,
  initializeConfigInstruction,
  lockRequest,
  model,
  openRequest,
  readConfig,
  readServer,
  registerServer,
  serverAddress,
  serverSize,
  x25519Key,
  type InitializedConfig,
  type RegisteredServer,
} from "../helpers/fixtures";
import {
  appendData,
  readOnly,
  replaceAccount,
  setDataByte,
  systemTransfer,
  withoutSigner,
} from "../helpers/instructions";
import { expectLamportsConserved, lamportDelta } from "../helpers/lamports";
import {
  LAMPORTS_PER_SOL,
  PROGRAM_ADDRESS,
  balanceOf,
  createTestSvm,
  currentSlot,
  dataOf,
  freshAddress,
  fundedSigner,
  rentExempt,
  send,
  setSystemAccount,
  type TestSvm,
} from "../helpers/svm";

/** A program-owned-looking account: same data and lamports, another owner. */
function cloneWithOwner(t: TestSvm, address: Address, owner: Address): void {
  const account = t.svm.getAccount(address);
  if (!account.exists) throw new Error(`no account at ${address} to clone`);
  t.svm.setAccount({ ...account, programAddress: owner });
}

const OTHER_PROGRAM = "BPFLoaderUpgradeab1e11111111111111111111111" as Address;

let t: TestSvm;
beforeEach(async () => {
  t = await createTestSvm();
});

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

describe("initialize_config", () => {
  it("creates the Config and the 16 fee vaults, paid by the admin", async () => {
    // Given a funded admin and a treasury
    const admin = await fundedSigner(t.svm);
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
    // When someone initializes again
    const attacker = await fundedSigner(t.svm);
    const ix = await initializeConfigInstruction(attacker, { treasury: attacker.address });
    // Then it fails with AlreadyInitialized
    await expectProgramError(send(t, ix, { feePayer: attacker }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
  });

  it("rejects a fee above the 25 % cap with FeeTooHigh", async () => {
    // Given fee_bps = MAX_FEE_BPS + 1
    const admin = await fundedSigner(t.svm);
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
    const admin = await fundedSigner(t.svm);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address, ...limits });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_CONFIG_VALUE);
  });

  it('rejects a config account that is not the ["config"] PDA with InvalidPda', async () => {
    // Given a random address in the config slot
    const admin = await fundedSigner(t.svm);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address }, { config: await freshAddress() });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PDA);
  });

  it("rejects fee vaults out of shard order with InvalidPda", async () => {
    // Given shards 0 and 1 swapped
    const admin = await fundedSigner(t.svm);
    const vaults = await feeVaultAddresses();
    [vaults[0], vaults[1]] = [vaults[1]!, vaults[0]!];
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address }, { feeVaults: vaults });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PDA);
  });

  it("rejects an admin that did not sign with MissingSigner", async () => {
    // Given the admin's signer flag removed and someone else paying the fee
    const admin = await fundedSigner(t.svm);
    const ix = withoutSigner(await initializeConfigInstruction(admin, { treasury: admin.address }), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only config account with AccountNotWritable", async () => {
    // Given the config slot passed read-only
    const admin = await fundedSigner(t.svm);
    const ix = readOnly(await initializeConfigInstruction(admin, { treasury: admin.address }), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a read-only fee vault with AccountNotWritable", async () => {
    // Given the last fee vault passed read-only
    const admin = await fundedSigner(t.svm);
    const ix = readOnly(
      await initializeConfigInstruction(admin, { treasury: admin.address }),
      3 + FEE_VAULT_SHARDS - 1,
    );
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a fake system program with InvalidSystemProgram", async () => {
    // Given another account in the system program slot
    const admin = await fundedSigner(t.svm);
    const ix = replaceAccount(
      await initializeConfigInstruction(admin, { treasury: admin.address }),
      2,
      await freshAddress(),
    );
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
  });

  it("rejects trailing instruction data with InvalidInstructionData", async () => {
    // Given one extra byte after the data
    const admin = await fundedSigner(t.svm);
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
    openRequestSlots: DEFAULT_LIMITS.openRequestSlots,
    closeGraceSlots: DEFAULT_LIMITS.closeGraceSlots,
    minStake: DEFAULT_LIMITS.minStake,
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

describe("register_server", () => {
  const register = async (operator: KeyPairSigner, overrides: Partial<typeof DEFAULT_SERVER> = {}) =>
    getRegisterServerInstructionAsync({ operator, ...DEFAULT_SERVER, ...overrides });

  it("creates the Server with its key, endpoint and models, paid by the operator", async () => {
    // Given an operator with three models
    const operator = await fundedSigner(t.svm);
    const models = [model(0), model(1), model(2, { revision: "refs/pr/1", quantization: "", maxContext: 131_072 })];
    // When the operator registers
    const report = await send(t, await register(operator, { models }), { feePayer: operator });

    // Then the Server account holds everything, rent-exempt at its exact size
    const server = await serverAddress(operator.address);
    expect(dataOf(t.svm, server)?.length).toBe(serverSize(3));
    expect(balanceOf(t.svm, server)).toBe(rentExempt(t.svm, serverSize(3)));
    const decoded = readServer(t, server);
    expect(decoded).toMatchObject({
      discriminator: 3,
      version: 1,
      active: true,
      operator: operator.address,
      keyEpoch: 0,
      modelCount: 3,
      endpointLen: DEFAULT_SERVER.endpoint.length,
      endpoint: DEFAULT_SERVER.endpoint,
      activeLocks: 0,
      completed: 0n,
      expired: 0n,
      ratingCount: 0n,
      registeredSlot: currentSlot(t.svm),
      lastActiveSlot: currentSlot(t.svm),
    });
    expect(new Uint8Array(decoded.x25519Key)).toEqual(DEFAULT_SERVER.x25519Key);
    expect(decoded.models).toEqual(
      models.map((m) => ({
        hfId: m.hfId,
        revision: m.revision,
        quant: m.quantization,
        priceIn: BigInt(m.priceIn),
        priceOut: BigInt(m.priceOut),
        maxContext: m.maxContext,
      })),
    );
    // And the operator paid exactly the rent plus the fee
    expect(lamportDelta(report, operator.address)).toBe(-(rentExempt(t.svm, serverSize(3)) + report.fee));
  });

  it("accepts exactly MAX_MODELS models and an endpoint of MAX_ENDPOINT_LEN bytes", async () => {
    // Given 16 short model entries and a 128-byte endpoint
    const operator = await fundedSigner(t.svm);
    const models = Array.from({ length: MAX_MODELS }, (_, i) =>
      model(i, { hfId: `o/m${i}`, revision: "", quantization: "" }),
    );
    const endpoint = "h".repeat(MAX_ENDPOINT_LEN);
    // When the operator registers
    await send(t, await register(operator, { models, endpoint }), { feePayer: operator });
    // Then the account holds 16 entries
    const server = readServer(t, await serverAddress(operator.address));
    expect(server.modelCount).toBe(MAX_MODELS);
    expect(server.endpoint).toBe(endpoint);
  });

  it("accepts an empty endpoint", async () => {
    // Given no endpoint
    const { server } = await registerServer(t, { endpoint: "" });
    // Then endpoint_len is 0
    expect(readServer(t, server)).toMatchObject({ endpointLen: 0, endpoint: "" });
  });

  it.each([
    ["no slash", "SmolLM2"],
    ["empty org", "/SmolLM2"],
    ["empty name", "HuggingFaceTB/"],
    ["two slashes", "org/name/extra"],
    ["leading dash", "-org/name"],
    ["trailing dot", "org/name."],
    ["double dash", "org/na--me"],
    ["double dot", "org/na..me"],
    ["a space", "org/na me"],
    ["non-ASCII", "org/naïve"],
    ["97 bytes", `${"a".repeat(48)}/${"b".repeat(48)}`],
  ])("rejects a model id with %s with InvalidModelId", async (_shape, hfId) => {
    // Given a malformed Hugging Face id
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { models: [model(0, { hfId })] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_MODEL_ID);
  });

  it("accepts a 96-byte model id", async () => {
    // Given an id of exactly MAX_HF_ID_LEN bytes
    const hfId = `${"a".repeat(47)}/${"b".repeat(48)}`;
    // When the operator registers
    const { server } = await registerServer(t, { models: [model(0, { hfId })] });
    // Then the id is stored in full
    expect(readServer(t, server).models[0]?.hfId).toBe(hfId);
  });

  it("rejects a revision with invalid characters with InvalidRevision", async () => {
    // Given a revision with a colon
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { models: [model(0, { revision: "tag:1" })] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_REVISION);
  });

  it("rejects a 41-byte revision with InvalidRevision", async () => {
    // Given a revision one byte too long
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { models: [model(0, { revision: "a".repeat(41) })] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_REVISION);
  });

  it("rejects a quantization tag with a space with InvalidQuantization", async () => {
    // Given "Q4 K"
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { models: [model(0, { quantization: "Q4 K" })] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_QUANTIZATION);
  });

  it("rejects more than MAX_MODELS models with TooManyModels", async () => {
    // Given 17 short entries
    const operator = await fundedSigner(t.svm);
    const models = Array.from({ length: MAX_MODELS + 1 }, (_, i) =>
      model(i, { hfId: `o/m${i}`, revision: "", quantization: "" }),
    );
    // When / Then
    await expectProgramError(
      send(t, await register(operator, { models }), { feePayer: operator }),
      CHAINFERENCE_ERROR__TOO_MANY_MODELS,
    );
  });

  it("rejects an empty model list with NoModels", async () => {
    // Given no models
    const operator = await fundedSigner(t.svm);
    // When / Then
    await expectProgramError(
      send(t, await register(operator, { models: [] }), { feePayer: operator }),
      CHAINFERENCE_ERROR__NO_MODELS,
    );
  });

  it("rejects the same (hf_id, revision, quant) twice with DuplicateModel", async () => {
    // Given two entries with the same key but different prices
    const operator = await fundedSigner(t.svm);
    const models = [model(1), model(1, { priceIn: 5n })];
    // When / Then
    await expectProgramError(
      send(t, await register(operator, { models }), { feePayer: operator }),
      CHAINFERENCE_ERROR__DUPLICATE_MODEL,
    );
  });

  it("accepts the same model id with two quantizations", async () => {
    // Given one id offered as Q4_K_M and Q8_0
    const models: ModelInputArgs[] = [model(1), model(1, { quantization: "Q8_0" })];
    // When the operator registers
    const { server } = await registerServer(t, { models });
    // Then both entries are stored
    expect(readServer(t, server).models.map((m) => m.quant)).toEqual(["Q4_K_M", "Q8_0"]);
  });

  it("rejects an all-zero X25519 key with InvalidX25519Key", async () => {
    // Given a zero key
    const operator = await fundedSigner(t.svm);
    // When / Then
    await expectProgramError(
      send(t, await register(operator, { x25519Key: new Uint8Array(32) }), { feePayer: operator }),
      CHAINFERENCE_ERROR__INVALID_X25519_KEY,
    );
  });

  it("rejects an endpoint longer than MAX_ENDPOINT_LEN with EndpointTooLong", async () => {
    // Given a 129-byte endpoint
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { endpoint: "h".repeat(MAX_ENDPOINT_LEN + 1) });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__ENDPOINT_TOO_LONG);
  });

  it.each([
    ["price_in", { priceIn: MAX_PRICE_PER_M + 1n }],
    ["price_out", { priceOut: MAX_PRICE_PER_M + 1n }],
  ])("rejects %s above MAX_PRICE_PER_M with PriceTooHigh", async (_field, price) => {
    // Given a price one lamport above the cap
    const operator = await fundedSigner(t.svm);
    const ix = await register(operator, { models: [model(0, price)] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__PRICE_TOO_HIGH);
  });

  it("accepts prices exactly at MAX_PRICE_PER_M", async () => {
    // Given both prices at the cap
    const { server } = await registerServer(t, {
      models: [model(0, { priceIn: MAX_PRICE_PER_M, priceOut: MAX_PRICE_PER_M })],
    });
    // Then they are stored
    expect(readServer(t, server).models[0]).toMatchObject({ priceIn: MAX_PRICE_PER_M, priceOut: MAX_PRICE_PER_M });
  });

  it("rejects an operator that did not sign with MissingSigner", async () => {
    // Given the operator's signer flag removed and the harness payer paying the fee
    const operator = await fundedSigner(t.svm);
    const ix = withoutSigner(await register(operator), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only server account with AccountNotWritable", async () => {
    // Given the server PDA passed read-only
    const operator = await fundedSigner(t.svm);
    const ix = readOnly(await register(operator), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a server address that is not the operator's PDA: the CPI fails (PrivilegeEscalation)", async () => {
    // Given another operator's server PDA, with the operator's own canonical bump in the data
    const operator = await fundedSigner(t.svm);
    const [, bump] = await findServerPda({ operator: operator.address });
    const other = await serverAddress(await freshAddress());
    const ix = await getRegisterServerInstructionAsync({ operator, server: [other, bump] as never, ...DEFAULT_SERVER });
    // When / Then the runtime refuses to sign for an address the seeds do not derive
    await expectRuntimeError(send(t, ix, { feePayer: operator }), /PrivilegeEscalation/);
    expect(accountExists(t, other)).toBe(false);
  });

  it("rejects another valid bump than the canonical address's: the CPI fails (PrivilegeEscalation)", async () => {
    // Given the canonical server address with a valid but non-canonical bump in the data
    const operator = await fundedSigner(t.svm);
    const [server, canonical] = await findServerPda({ operator: operator.address });
    const [, other] = await nonCanonicalPda(serverSeeds(operator.address), canonical);
    const ix = await getRegisterServerInstructionAsync({ operator, server: [server, other] as never, ...DEFAULT_SERVER });
    // When / Then
    await expectRuntimeError(send(t, ix, { feePayer: operator }), /PrivilegeEscalation/);
    expect(accountExists(t, server)).toBe(false);
  });

  it("rejects a bump whose seeds land on the curve: the CPI fails (no program address)", async () => {
    // Given a bump for which no program address exists
    const operator = await fundedSigner(t.svm);
    const bump = await onCurveBump(serverSeeds(operator.address));
    const ix = await getRegisterServerInstructionAsync({ operator, bump, ...DEFAULT_SERVER });
    // When / Then
    const error = await expectRuntimeError(send(t, ix, { feePayer: operator }), /ProgramFailedToComplete/);
    expect(error.report.logs.join("\n")).toMatch(/Could not create program address with signer seeds/);
  });

  // Accepted by design (docs/design-decisions.md): a non-canonical server address only affects the
  // operator's own lookup; everyone else authenticates a server by owner + discriminator + operator.
  it("registers at a non-canonical server PDA, storing its bump", async () => {
    // Given the highest valid bump below the canonical one, and the address it derives
    const operator = await fundedSigner(t.svm);
    const [, canonical] = await findServerPda({ operator: operator.address });
    const pda = await nonCanonicalPda(serverSeeds(operator.address), canonical);
    const [server, bump] = pda;
    const ix = await getRegisterServerInstructionAsync({ operator, server: pda, ...DEFAULT_SERVER });
    // When the operator registers there / Then it lands with that bump
    await send(t, ix, { feePayer: operator });
    expect(readServer(t, server)).toMatchObject({ bump, operator: operator.address });
  });

  it("rejects a keypair signing as the server with InvalidPda", async () => {
    // Given a keypair in the server slot that also signs
    const operator = await fundedSigner(t.svm);
    const fake = await generateKeyPairSigner();
    const ix = await getRegisterServerInstructionAsync({ operator, server: [fake.address, 255] as never, ...DEFAULT_SERVER });
    const accounts = ix.accounts!.map((m, i) => (i === 1 ? { ...m, role: 3, signer: fake } : m));
    // When / Then
    await expectProgramError(
      send(t, { ...ix, accounts } as Instruction, { feePayer: operator }),
      CHAINFERENCE_ERROR__INVALID_PDA,
    );
  });

  it("rejects a fake system program with InvalidSystemProgram", async () => {
    // Given another account in the system program slot
    const operator = await fundedSigner(t.svm);
    const ix = replaceAccount(await register(operator), 2, await freshAddress());
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
  });

  it("rejects a server look-alike already at the PDA, owned by another program, with AlreadyInitialized", async () => {
    // Given a registered server whose account is re-owned by another program
    const { operator, server } = await registerServer(t);
    cloneWithOwner(t, server, OTHER_PROGRAM);
    // When the operator registers again / Then the address is taken
    await expectProgramError(
      send(t, await register(operator), { feePayer: operator }),
      CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
    );
  });

  it("rejects a second registration with AlreadyInitialized", async () => {
    // Given a registered operator
    const { operator } = await registerServer(t);
    // When it registers again / Then AlreadyInitialized
    await expectProgramError(
      send(t, await register(operator), { feePayer: operator }),
      CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
    );
  });

  it("still registers when an attacker pre-funded the server address", async () => {
    // Given lamports sent to the operator's server PDA beforehand
    const operator = await fundedSigner(t.svm);
    const server = await serverAddress(operator.address);
    const griefer = await fundedSigner(t.svm);
    await send(t, systemTransfer(griefer, server, 1_000_000n), { feePayer: griefer });
    // When the operator registers
    const report = await send(t, await register(operator), { feePayer: operator });
    // Then the account exists at exactly the rent-exempt minimum, the operator paying only the shortfall
    const rent = rentExempt(t.svm, serverSize(2));
    expect(balanceOf(t.svm, server)).toBe(rent);
    expect(lamportDelta(report, operator.address)).toBe(-(rent - 1_000_000n + report.fee));
  });

  it("rejects trailing instruction data with InvalidInstructionData", async () => {
    // Given one extra byte after the model list
    const operator = await fundedSigner(t.svm);
    const ix = appendData(await register(operator));
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });
});

describe("update_server", () => {
  let reg: RegisteredServer;
  const update = async (
    overrides: Partial<{ x25519Key: Uint8Array; endpoint: string; active: boolean; models: ModelInputArgs[] }> = {},
    operator = reg.operator,
  ) =>
    getUpdateServerInstructionAsync({
      operator,
      server: reg.server,
      x25519Key: DEFAULT_SERVER.x25519Key,
      endpoint: DEFAULT_SERVER.endpoint,
      active: true,
      models: DEFAULT_SERVER.models,
      ...overrides,
    });
  beforeEach(async () => {
    reg = await registerServer(t);
  });

  it("grows the model list: the operator tops up exactly the extra rent", async () => {
    // Given a server with 2 models
    const models = Array.from({ length: 5 }, (_, i) => model(i));
    // When the operator updates to 5 models
    const report = await send(t, await update({ models }), { feePayer: reg.operator });
    // Then the account is resized and rent-exempt at exactly its new size
    const extra = rentExempt(t.svm, serverSize(5)) - rentExempt(t.svm, serverSize(2));
    expect(dataOf(t.svm, reg.server)?.length).toBe(serverSize(5));
    expect(lamportDelta(report, reg.server)).toBe(extra);
    expect(lamportDelta(report, reg.operator.address)).toBe(-(extra + report.fee));
    expect(readServer(t, reg.server).models.map((m) => m.hfId)).toEqual(models.map((m) => m.hfId));
  });

  it("shrinks the model list: the operator gets the surplus rent back", async () => {
    // Given a server with 2 models
    // When the operator updates to 1 model
    const report = await send(t, await update({ models: [model(7)] }), { feePayer: reg.operator });
    // Then the account shrinks and keeps exactly the rent-exempt minimum
    const refund = rentExempt(t.svm, serverSize(2)) - rentExempt(t.svm, serverSize(1));
    expect(dataOf(t.svm, reg.server)?.length).toBe(serverSize(1));
    expect(balanceOf(t.svm, reg.server)).toBe(rentExempt(t.svm, serverSize(1)));
    expect(lamportDelta(report, reg.operator.address)).toBe(refund - report.fee);
    expect(readServer(t, reg.server)).toMatchObject({
      modelCount: 1,
      models: [expect.objectContaining({ hfId: model(7).hfId })],
    });
  });

  it("leaves no stale model bytes after a shrink then a grow", async () => {
    // Given a server shrunk from 2 models to 1
    await send(t, await update({ models: [model(3)] }), { feePayer: reg.operator });
    // When it grows back to 2 with a shorter second entry
    await send(t, await update({ models: [model(3), model(4, { hfId: "a/b", revision: "", quantization: "" })] }), {
      feePayer: reg.operator,
    });
    // Then the second entry's unused bytes are zero (protocol: unused bytes are zero)
    const data = dataOf(t.svm, reg.server)!;
    const entry = data.subarray(serverSize(1), serverSize(2));
    expect(entry[0]).toBe(3);
    expect(entry.subarray(1 + 3, 97).every((b) => b === 0)).toBe(true);
    expect(entry.subarray(97, 155).every((b) => b === 0)).toBe(true);
  });

  it("zeroes the unused bytes when an entry is overwritten by a shorter one", async () => {
    // Given a server whose first entry has a long id, revision and quant tag
    await send(t, await update({ models: [model(0, { revision: "refs/pr/12" }), model(1)] }), {
      feePayer: reg.operator,
    });
    // When the operator replaces it (same model count) with a short entry
    await send(t, await update({ models: [model(9, { hfId: "a/b", revision: "", quantization: "" }), model(1)] }), {
      feePayer: reg.operator,
    });
    // Then every byte of entry 0 past the new strings is zero
    const entry = dataOf(t.svm, reg.server)!.subarray(serverSize(0), serverSize(1));
    expect([...entry.subarray(0, 4)]).toEqual([3, ...new TextEncoder().encode("a/b")]);
    expect(entry.subarray(4, 155).every((b) => b === 0)).toBe(true);
  });

  it("bumps key_epoch when the X25519 key changes", async () => {
    // Given a server at key_epoch 0
    // When the operator rotates the key
    await send(t, await update({ x25519Key: x25519Key(9) }), { feePayer: reg.operator });
    // Then the new key is stored at epoch 1
    const server = readServer(t, reg.server);
    expect(server.keyEpoch).toBe(1);
    expect(new Uint8Array(server.x25519Key)).toEqual(x25519Key(9));
  });

  it("keeps key_epoch when the key is unchanged", async () => {
    // Given a server at key_epoch 0
    // When the operator updates only the endpoint
    await send(t, await update({ endpoint: "https://other.example.com" }), { feePayer: reg.operator });
    // Then the epoch stays 0 and the endpoint is replaced (no stale bytes)
    expect(readServer(t, reg.server)).toMatchObject({
      keyEpoch: 0,
      endpoint: "https://other.example.com",
      endpointLen: 25,
    });
  });

  it("deactivates and reactivates the server", async () => {
    // When the operator sets active = false
    await send(t, await update({ active: false }), { feePayer: reg.operator });
    // Then the server is inactive
    expect(readServer(t, reg.server).active).toBe(false);
    // When it sets active = true
    await send(t, await update({ active: true }), { feePayer: reg.operator });
    // Then it is active again
    expect(readServer(t, reg.server).active).toBe(true);
  });

  it("rejects a signer who is not the operator with OperatorMismatch", async () => {
    // Given another signer passing this operator's server
    const stranger = await fundedSigner(t.svm);
    // When / Then
    await expectProgramError(
      send(t, await update({}, stranger), { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("rejects an operator that did not sign with MissingSigner", async () => {
    // Given the operator's signer flag removed
    const ix = withoutSigner(await update(), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only server with AccountNotWritable", async () => {
    // Given the server passed read-only
    const ix = readOnly(await update(), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a server look-alike owned by another program with InvalidAccountOwner", async () => {
    // Given the server's bytes re-owned by another program
    cloneWithOwner(t, reg.server, OTHER_PROGRAM);
    // When / Then
    await expectProgramError(
      send(t, await update(), { feePayer: reg.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("validates the new models like register_server (InvalidModelId)", async () => {
    // Given an invalid id in the update
    const ix = await update({ models: [model(0, { hfId: "not-an-id" })] });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_MODEL_ID);
  });

  it("rejects an all-zero X25519 key with InvalidX25519Key", async () => {
    // Given a zero key in the update
    const ix = await update({ x25519Key: new Uint8Array(32) });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_X25519_KEY);
  });

  it("rejects an active flag other than 0/1 with InvalidInstructionData", async () => {
    // Given active = 2 (offset: discriminator 1 + key 32 + endpoint u32 length 4 + endpoint bytes)
    const ix = setDataByte(await update(), 1 + 32 + 4 + DEFAULT_SERVER.endpoint.length, 2);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });

  it("rejects a fake system program with InvalidSystemProgram", async () => {
    // Given another account in the system program slot
    const ix = replaceAccount(await update(), 2, await freshAddress());
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM);
  });
});

describe("close_server", () => {
  let reg: RegisteredServer;
  beforeEach(async () => {
    reg = await registerServer(t);
  });

  it("closes the server and returns its rent to the operator", async () => {
    // Given a registered server holding its rent
    const held = balanceOf(t.svm, reg.server);
    // When the operator closes it
    const report = await send(t, await getCloseServerInstructionAsync({ operator: reg.operator }), {
      feePayer: reg.operator,
    });
    // Then the account is gone and the operator got every lamport of it back
    expect(t.svm.getAccount(reg.server).exists).toBe(false);
    expect(lamportDelta(report, reg.server)).toBe(-held);
    expect(lamportDelta(report, reg.operator.address)).toBe(held - report.fee);
  });

  it("allows registering again after closing", async () => {
    // Given a closed server
    await send(t, await getCloseServerInstructionAsync({ operator: reg.operator }), { feePayer: reg.operator });
    // When the operator registers again
    await registerServer(t, {}, reg.operator);
    // Then a fresh server exists at epoch 0
    expect(readServer(t, reg.server)).toMatchObject({ keyEpoch: 0, activeLocks: 0 });
  });

  it("rejects a server with active locks with ServerHasActiveLocks", async () => {
    // Given a request locked by the server (active_locks = 1)
    await initConfig(t);
    const { request } = await openRequest(t, reg.server);
    await lockRequest(t, reg, request);
    expect(readServer(t, reg.server).activeLocks).toBe(1);
    // When the operator closes the server / Then ServerHasActiveLocks
    await expectProgramError(
      send(t, await getCloseServerInstructionAsync({ operator: reg.operator }), { feePayer: reg.operator }),
      CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS,
    );
  });

  it("rejects a signer who is not the operator with OperatorMismatch", async () => {
    // Given another signer passing this server
    const stranger = await fundedSigner(t.svm);
    const ix = await getCloseServerInstructionAsync({ operator: stranger, server: reg.server });
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: stranger }), CHAINFERENCE_ERROR__OPERATOR_MISMATCH);
  });

  it("rejects an operator that did not sign with MissingSigner", async () => {
    // Given the operator's signer flag removed
    const ix = withoutSigner(await getCloseServerInstructionAsync({ operator: reg.operator }), 0);
    // When / Then
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__MISSING_SIGNER);
  });

  it("rejects a read-only server with AccountNotWritable", async () => {
    // Given the server passed read-only
    const ix = readOnly(await getCloseServerInstructionAsync({ operator: reg.operator }), 1);
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE);
  });

  it("rejects a server look-alike owned by another program with InvalidAccountOwner", async () => {
    // Given the server's bytes re-owned by another program
    cloneWithOwner(t, reg.server, OTHER_PROGRAM);
    // When / Then
    await expectProgramError(
      send(t, await getCloseServerInstructionAsync({ operator: reg.operator }), { feePayer: reg.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("rejects a data byte after the discriminator with InvalidInstructionData", async () => {
    // Given close_server with one extra data byte
    const ix = appendData(await getCloseServerInstructionAsync({ operator: reg.operator }));
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });
});

describe("withdraw_fees", () => {
  let cfg: InitializedConfig;
  const withdraw = async (
    admin: KeyPairSigner = cfg.admin,
    treasury: Address = cfg.treasury,
    feeVaults = cfg.feeVaults,
  ) => getWithdrawFeesInstructionAsync({ admin, treasury, feeVaults });
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
    await expectProgramError(
      send(t, await withdraw(stranger), { feePayer: stranger }),
      CHAINFERENCE_ERROR__UNAUTHORIZED,
    );
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
    await expectProgramError(
      send(t, await withdraw(), { feePayer: cfg.admin }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
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
    await expectProgramError(
      send(t, await withdraw(), { feePayer: cfg.admin }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("rejects a data byte after the discriminator with InvalidInstructionData", async () => {
    // Given withdraw_fees with one extra data byte
    const ix = appendData(await withdraw());
    // When / Then
    await expectProgramError(send(t, ix, { feePayer: cfg.admin }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated per-instruction negatives (signer, writability, read-only accounts, owner, discriminator,
// system program, data shape, too few and too many accounts; flags from program/interface.json).
// Every `build` returns a valid instruction on the test's fresh chain.
// ---------------------------------------------------------------------------------------------

const updateConfigValues = (cfg: InitializedConfig): UpdateConfigAsyncInput => ({
  admin: cfg.admin,
  newAdmin: cfg.admin.address,
  treasury: cfg.treasury,
  feeBps: DEFAULT_LIMITS.feeBps,
  paused: false,
  maxPromptBytes: DEFAULT_LIMITS.maxPromptBytes,
  maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
  defaultResponseTimeout: DEFAULT_LIMITS.defaultResponseTimeout,
  maxResponseTimeout: DEFAULT_LIMITS.maxResponseTimeout,
  openRequestSlots: DEFAULT_LIMITS.openRequestSlots,
  closeGraceSlots: DEFAULT_LIMITS.closeGraceSlots,
  minStake: DEFAULT_LIMITS.minStake,
});

const REGISTRY_CASES: NegativeCase[] = [
  {
    name: "initialize_config",
    instruction: "initialize_config",
    programOwned: [],
    build: async (t) => initializeConfigInstruction(await fundedSigner(t.svm), { treasury: await freshAddress() }),
  },
  {
    name: "update_config",
    instruction: "update_config",
    programOwned: [1],
    build: async (t) => getUpdateConfigInstructionAsync(updateConfigValues(await initConfig(t))),
  },
  {
    name: "register_server",
    instruction: "register_server",
    programOwned: [],
    build: async (t) => getRegisterServerInstructionAsync({ operator: await fundedSigner(t.svm), ...DEFAULT_SERVER }),
  },
  {
    name: "update_server",
    instruction: "update_server",
    programOwned: [1],
    build: async (t) => {
      const reg = await registerServer(t);
      return getUpdateServerInstructionAsync({ operator: reg.operator, ...DEFAULT_SERVER, active: true });
    },
  },
  {
    name: "close_server",
    instruction: "close_server",
    programOwned: [1],
    build: async (t) => getCloseServerInstructionAsync({ operator: (await registerServer(t)).operator }),
  },
  {
    name: "withdraw_fees (all 16 vaults)",
    instruction: "withdraw_fees",
    programOwned: [1, 3],
    build: async (t) => {
      const cfg = await initConfig(t);
      setSystemAccount(t.svm, cfg.treasury, LAMPORTS_PER_SOL);
      return getWithdrawFeesInstructionAsync({ admin: cfg.admin, treasury: cfg.treasury, feeVaults: cfg.feeVaults });
    },
  },
];

for (const c of REGISTRY_CASES) generateNegativeTests(c, () => t);

