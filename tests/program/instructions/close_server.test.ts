/**
 * `close_server`: happy paths and rejections.
 * Shared setup (fresh chain, helpers): tests/program/fixtures/registry.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ACCOUNT_NOT_WRITABLE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__MISSING_SIGNER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS,
  getCloseServerInstructionAsync,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { initConfig, lockRequest, openRequest, readServer, registerServer, type RegisteredServer } from "../../helpers/fixtures";
import { appendData, readOnly, withoutSigner } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, fundedSigner, send } from "../../helpers/svm";
import { cloneWithOwner, OTHER_PROGRAM, t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

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
