/**
 * `lock_request`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH,
  CHAINFERENCE_ERROR__MODEL_NOT_OFFERED,
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__PRICE_ABOVE_MAX,
  CHAINFERENCE_ERROR__PROMPT_NOT_SEALED,
  CHAINFERENCE_ERROR__PROTOCOL_PAUSED,
  CHAINFERENCE_ERROR__RATING_TOO_LOW,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  CHAINFERENCE_ERROR__SERVER_INACTIVE,
  CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED,
  CHAINFERENCE_ERROR__STAKE_BELOW_PROMPT_COST,
  CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW,
  getUpdateServerInstructionAsync,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS, readServer, registerServer } from "../../helpers/fixtures";
import { PRICED_MODEL, allowed, lock, lockInstruction } from "../../helpers/lifecycle";
import { fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, sender, open, locked, completed, pause, history, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("lock_request attacks", () => {
  it("lock by a server not on the allow-list → ServerNotAllowed", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await expectProgramError(lock(sender(), market, req.address, B), CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED);
  });

  it("lock after the server rotated its key past the client's wrap (epoch 0 < 1) → KeyEpochMismatch", async () => {
    // Given a request wrapped for A's epoch-0 key
    const req = await open({ allowed: [allowed(A.server, 0)] });
    // And A publishes a new key (epoch 1)
    await send(
      t,
      await getUpdateServerInstructionAsync({
        operator: A.operator,
        x25519Key: new Uint8Array(32).fill(9),
        endpoint: "",
        active: true,
        models: [PRICED_MODEL],
      }),
      { feePayer: A.operator },
    );
    expect(readServer(t, A.server).keyEpoch).toBe(1);
    // When A locks with its new key / Then KeyEpochMismatch: A's current key cannot open that wrap
    await expectProgramError(lock(sender(), market, req.address, A, new Uint8Array(32).fill(9)), CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH);
  });

  it("lock of a request wrapped for an epoch the server never had (1 > 0) → KeyEpochMismatch", async () => {
    const req = await open({ allowed: [allowed(A.server, 1)] });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH);
    // The entry for B (at its epoch) is unaffected
    const both = await open({ allowed: [allowed(A.server, 1), allowed(B.server, 0)] });
    await lock(sender(), market, both.address, B);
  });

  it("double lock by a second server → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(lock(sender(), market, req.address, B), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
  });

  it("double lock by the same server (inflating active_locks) → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
    expect(readServer(t, A.server).activeLocks).toBe(1);
  });

  it("lock after open_until → RequestExpired", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
  });

  it("lock of an unsealed request → PromptNotSealed", async () => {
    const req = await open({ promptLen: 500, prompt: new Uint8Array(100) });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PROMPT_NOT_SEALED);
  });

  it("lock with the server's price above the client's max → PriceAboveMax", async () => {
    const req = await open({ maxPriceOut: PRICED_MODEL.priceOut - 1n });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PRICE_ABOVE_MAX);
  });

  it("lock by a server that does not offer the model (or the pinned revision) → ModelNotOffered", async () => {
    const other = await open({ model: "org/other-model" });
    await expectProgramError(lock(sender(), market, other.address, A), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
    const pinned = await open({ revision: "v9" });
    await expectProgramError(lock(sender(), market, pinned.address, A), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
  });

  it("lock without the required completed count → NotEnoughCompleted", async () => {
    await history(A, 1, 0);
    const req = await open({ minCompleted: 2n });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED);
  });

  it("lock without the required success rate (1 completed, 1 expired = 50 %) → SuccessRateTooLow", async () => {
    await history(A, 1, 1);
    const req = await open({ minSuccessBps: 5_001 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW);
    // And exactly 50 % passes
    const ok = await open({ minSuccessBps: 5_000 });
    await lock(sender(), market, ok.address, A);
  });

  it("lock without the required average rating (3.00 < 3.01) → RatingTooLow", async () => {
    await history(A, 1, 0, 3);
    const req = await open({ minAvgRating: 301 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__RATING_TOO_LOW);
  });

  it("lock by an unrated server when any rating is required → RatingTooLow", async () => {
    const req = await open({ minAvgRating: 1 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__RATING_TOO_LOW);
  });

  it("lock with a stake below the prompt's cost at the server's price → StakeBelowPromptCost", async () => {
    // Given a server charging 10^12 per million input tokens: 200 prompt bytes cost 200,000,000
    const pricey = await registerServer(t, { models: [{ ...PRICED_MODEL, priceIn: 1_000_000_000_000n }] });
    const req = await open({ maxPriceIn: 1_000_000_000_000n, stake: 199_999_999n });
    await expectProgramError(lock(sender(), market, req.address, pricey), CHAINFERENCE_ERROR__STAKE_BELOW_PROMPT_COST);
    // And a stake of exactly the prompt cost passes
    const ok = await open({ maxPriceIn: 1_000_000_000_000n, stake: 200_000_000n });
    await lock(sender(), market, ok.address, pricey);
  });

  it("lock signed by someone other than the server's operator → OperatorMismatch", async () => {
    const req = await open();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, lockInstruction(stranger, A.server, req.address, market.cfg.config), { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("lock while the protocol is paused → ProtocolPaused", async () => {
    const req = await open();
    await pause();
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PROTOCOL_PAUSED);
  });

  it("lock by a deactivated server → ServerInactive", async () => {
    const req = await open();
    await send(
      t,
      await getUpdateServerInstructionAsync({
        operator: A.operator,
        x25519Key: new Uint8Array(32).fill(7),
        endpoint: "",
        active: false,
        models: [PRICED_MODEL],
      }),
      { feePayer: A.operator },
    );
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__SERVER_INACTIVE);
  });

  it("lock passing the request as the server (one account, two roles) → InvalidAccountData", async () => {
    const req = await open();
    await expectProgramError(
      send(t, lockInstruction(A.operator, req.address, req.address, market.cfg.config), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
    );
  });
});
