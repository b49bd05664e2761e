/**
 * `expire_request`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_REQUEST_STATUS,
  CHAINFERENCE_ERROR__MISSING_ACCOUNT,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
  CHAINFERENCE_ERROR__SERVER_MISMATCH,
} from "../../../clients/js/src/generated";
import { patchAccount } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { lamportDelta } from "../../helpers/lamports";
import { expireInstruction, lock, responsePda, stream } from "../../helpers/lifecycle";
import { balanceOf, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, sender, open, locked, answered, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("expire_request attacks", () => {
  it("expire a request whose stored status byte is neither Open nor Locked → InvalidRequestStatus", async () => {
    // Given a request past open_until whose status byte (offset 3) reads 2: only Open (0) and
    // Locked (1) are ever stored, the outcomes close the account
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    patchAccount(t, req.address, 3, Uint8Array.of(2));
    // When anyone expires it / Then InvalidRequestStatus
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address })),
      CHAINFERENCE_ERROR__INVALID_REQUEST_STATUS,
    );
  });

  it("expire a Locked request before its deadline → DeadlineNotReached", async () => {
    const { req } = await locked({ responseTimeout: 10n });
    warpSlots(t.svm, 10n); // exactly the deadline: still the server's slot
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: A.server })),
      CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
    );
  });

  it("expire an Open request before open_until → DeadlineNotReached", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address })),
      CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
    );
  });

  it("expire a Locked request without passing the server (dodging the expiry count) → MissingAccount", async () => {
    const { req } = await locked({ responseTimeout: 1n });
    warpSlots(t.svm, 2n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address })),
      CHAINFERENCE_ERROR__MISSING_ACCOUNT,
    );
  });

  it("expire a Locked request with a partial response, omitting the response → MissingAccount", async () => {
    const { req } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: A.server })),
      CHAINFERENCE_ERROR__MISSING_ACCOUNT,
    );
  });

  it("expire counting the miss against another server → ServerMismatch", async () => {
    const { req } = await locked({ responseTimeout: 1n });
    warpSlots(t.svm, 2n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: B.server })),
      CHAINFERENCE_ERROR__SERVER_MISMATCH,
    );
  });

  it("expire sending the refund to another wallet → ClientMismatch", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const thief = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: thief.address }), { feePayer: thief }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("expire passing the request as its own client → ClientMismatch", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.address })),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("expire diverting the partial response's rent to another wallet → OperatorMismatch", async () => {
    const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    const thief = await fundedSigner(t.svm);
    await expectProgramError(
      send(
        t,
        expireInstruction({
          request: req.address,
          client: req.client.address,
          server: A.server,
          response,
          operator: thief.address,
        }),
        { feePayer: thief },
      ),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("expire closing another request's response → ResponseMismatch", async () => {
    const mine = await answered([100], { responseTimeout: 5n }, A, false);
    const theirs = await answered([100], {}, A, false);
    warpSlots(t.svm, 6n);
    await expectProgramError(
      send(
        t,
        expireInstruction({
          request: mine.req.address,
          client: mine.req.client.address,
          server: A.server,
          response: theirs.response,
          operator: A.operator.address,
        }),
      ),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  it("expire twice (the request is closed after the first) → InvalidAccountOwner", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const ix = expireInstruction({ request: req.address, client: req.client.address });
    await send(t, ix);
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("a client who is also the operator gets both the refund and the response rent back exactly", async () => {
    // Given A's operator requested, A locked, streamed partially, and missed the deadline
    const req = await open({ responseTimeout: 5n }, A.operator);
    await lock(sender(), market, req.address, A);
    await stream(sender(), A, req.address, [100], { final: false });
    const [response] = await responsePda(req.address);
    const held = balanceOf(t.svm, req.address) + balanceOf(t.svm, response);
    warpSlots(t.svm, 6n);
    // When anyone expires it passing the same wallet as client and operator
    const report = await send(
      t,
      expireInstruction({
        request: req.address,
        client: A.operator.address,
        server: A.server,
        response,
        operator: A.operator.address,
      }),
    );
    // Then the wallet received both accounts' lamports
    expect(lamportDelta(report, A.operator.address)).toBe(held);
  });
});
