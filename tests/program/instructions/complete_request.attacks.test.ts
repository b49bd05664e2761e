/**
 * `complete_request`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL,
  CHAINFERENCE_ERROR__TOKENS_IN_ABOVE_BOUND,
  CHAINFERENCE_ERROR__TOKENS_OUT_ABOVE_BOUND,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { lamportDelta } from "../../helpers/lamports";
import { CHUNK_OVERHEAD_LEN, DEFAULT_REQUEST, chunk, complete, feeShardOf, lock, readRequest, stream } from "../../helpers/lifecycle";
import { balanceOf, currentSlot, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, sender, open, locked, answered, target, completeIx, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("complete_request attacks", () => {
  it("complete twice (the request is closed after the first) → InvalidAccountOwner", async () => {
    const r = await answered();
    await send(t, completeIx(r), { feePayer: A.operator });
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("complete before the final chunk → ResponseNotFinal", async () => {
    const r = await answered([100], {}, A, false);
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL);
  });

  it("complete without any response (the PDA was never created) → InvalidAccountOwner", async () => {
    const r = await locked();
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("complete charging tokens_in above prompt_len → TokensInAboveBound", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { tokensIn: DEFAULT_REQUEST.promptLen + 1 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__TOKENS_IN_ABOVE_BOUND,
    );
  });

  it("complete charging tokens_out above the plaintext bytes → TokensOutAboveBound", async () => {
    const r = await answered([200]);
    await expectProgramError(
      send(t, completeIx(r, { tokensOut: 200 - CHUNK_OVERHEAD_LEN + 1 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__TOKENS_OUT_ABOVE_BOUND,
    );
  });

  it("complete paying the fee into another shard → FeeVaultMismatch", async () => {
    const r = await answered();
    const wrong = market.cfg.feeVaults[(feeShardOf(r.req.nonce) + 1) % 16]!;
    await expectProgramError(send(t, completeIx(r, { feeVault: wrong }), { feePayer: A.operator }), CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH);
  });

  it("complete sending the client's refund to another wallet → ClientMismatch", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { client: A.operator.address }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("complete passing the fee vault as the client (one account, two roles) → ClientMismatch", async () => {
    const r = await answered();
    const vault = market.cfg.feeVaults[feeShardOf(r.req.nonce)]!;
    await expectProgramError(send(t, completeIx(r, { client: vault }), { feePayer: A.operator }), CHAINFERENCE_ERROR__CLIENT_MISMATCH);
  });

  it("complete passing the request as the response (one account, two roles) → InvalidAccountData", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { response: r.req.address }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
    );
  });

  it("complete with another request's final response → ResponseMismatch", async () => {
    const mine = await answered([100], {}, A, false);
    const theirs = await answered([300]);
    await expectProgramError(
      send(t, completeIx(mine, { response: theirs.response, tokensOut: 200 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  it("complete after the deadline → RequestExpired", async () => {
    const r = await answered([100], { responseTimeout: 10n });
    warpSlots(t.svm, 11n);
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
  });

  it("complete exactly at the deadline slot succeeds (boundary)", async () => {
    const r = await answered([100], { responseTimeout: 10n });
    const deadline = readRequest(t, r.req.address).deadlineSlot;
    warpSlots(t.svm, deadline - currentSlot(t.svm));
    await send(t, completeIx(r), { feePayer: A.operator });
  });

  it("complete by another server's operator (its own server account) → NotLockedByServer", async () => {
    const r = await answered();
    await expectProgramError(send(t, completeIx(r, {}, B), { feePayer: B.operator }), CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER);
  });

  it("complete signed by a stranger for the locking server → OperatorMismatch", async () => {
    const r = await answered();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(send(t, completeIx(r, { operator: stranger }), { feePayer: stranger }), CHAINFERENCE_ERROR__OPERATOR_MISMATCH);
  });

  it("a server answering its own operator's request (operator == client) settles exactly", async () => {
    // Given A's operator is also the client
    const req = await open({}, A.operator);
    await lock(sender(), market, req.address, A);
    await stream(sender(), A, req.address, [200]);
    const held = balanceOf(t.svm, req.address);
    // When it completes
    const report = await complete(sender(), market, A, target(req), 100, 100);
    // Then the wallet gets everything but the fee (and pays the tx fee)
    const fee = ((100n * 1_000n + 100n * 3_000n) * 1_000n) / 10_000n;
    expect(lamportDelta(report, A.operator.address)).toBe(held - fee - report.fee);
  });
});
