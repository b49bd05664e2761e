/**
 * `update_server`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_SYSTEM_PROGRAM,
  CHAINFERENCE_ERROR__INVALID_X25519_KEY,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  getUpdateServerInstructionAsync,
  type ModelInputArgs,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_SERVER, model, readServer, registerServer, serverSize, x25519Key, type RegisteredServer } from "../../helpers/fixtures";
import { readOnly, replaceAccount, setDataByte, withoutSigner } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, dataOf, freshAddress, fundedSigner, rentExempt, send } from "../../helpers/svm";
import { cloneWithOwner, OTHER_PROGRAM, t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

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
    await expectProgramError(send(t, await update({}, stranger), { feePayer: stranger }), CHAINFERENCE_ERROR__OPERATOR_MISMATCH);
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
    await expectProgramError(send(t, await update(), { feePayer: reg.operator }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
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
