/**
 * `register_server`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { generateKeyPairSigner, type Instruction, type KeyPairSigner } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__DUPLICATE_MODEL,
  CHAINFERENCE_ERROR__ENDPOINT_TOO_LONG,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_QUANTIZATION,
  CHAINFERENCE_ERROR__INVALID_REVISION,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__INVALID_X25519_KEY,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__NO_MODELS,
  CHAINFERENCE_ERROR__PRICE_TOO_HIGH,
  CHAINFERENCE_ERROR__TOO_MANY_MODELS,
  findServerPda,
  getRegisterServerInstructionAsync,
  type ModelInputArgs,
} from "../../../clients/js/src/generated";
import { expectRuntimeError } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { accountExists, nonCanonicalPda, onCurveBump, serverSeeds } from "../../helpers/lifecycle";
import {
  DEFAULT_SERVER,
  MAX_ENDPOINT_LEN,
  MAX_MODELS,
  MAX_PRICE_PER_M,
  model,
  readServer,
  registerServer,
  serverAddress,
  serverSize,
  x25519Key,
} from "../../helpers/fixtures";
import { appendData, readOnly, replaceAccount, systemTransfer, withoutSigner } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, currentSlot, dataOf, freshAddress, fundedSigner, rentExempt, send } from "../../helpers/svm";
import { cloneWithOwner, OTHER_PROGRAM, t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

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
    const models = Array.from({ length: MAX_MODELS }, (_, i) => model(i, { hfId: `o/m${i}`, revision: "", quantization: "" }));
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
    const models = Array.from({ length: MAX_MODELS + 1 }, (_, i) => model(i, { hfId: `o/m${i}`, revision: "", quantization: "" }));
    // When / Then
    await expectProgramError(send(t, await register(operator, { models }), { feePayer: operator }), CHAINFERENCE_ERROR__TOO_MANY_MODELS);
  });

  it("rejects an empty model list with NoModels", async () => {
    // Given no models
    const operator = await fundedSigner(t.svm);
    // When / Then
    await expectProgramError(send(t, await register(operator, { models: [] }), { feePayer: operator }), CHAINFERENCE_ERROR__NO_MODELS);
  });

  it("rejects the same (hf_id, revision, quant) twice with DuplicateModel", async () => {
    // Given two entries with the same key but different prices
    const operator = await fundedSigner(t.svm);
    const models = [model(1), model(1, { priceIn: 5n })];
    // When / Then
    await expectProgramError(send(t, await register(operator, { models }), { feePayer: operator }), CHAINFERENCE_ERROR__DUPLICATE_MODEL);
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
    await expectProgramError(send(t, { ...ix, accounts } as Instruction, { feePayer: operator }), CHAINFERENCE_ERROR__INVALID_PDA);
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
    await expectProgramError(send(t, await register(operator), { feePayer: operator }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
  });

  it("rejects a second registration with AlreadyInitialized", async () => {
    // Given a registered operator
    const { operator } = await registerServer(t);
    // When it registers again / Then AlreadyInitialized
    await expectProgramError(send(t, await register(operator), { feePayer: operator }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
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
