/**
 * `open_session`: rejections and the replay-at-the-same-seeds attack, each with its named error.
 * Shared setup (fresh chain, market with servers A and B): tests/program/fixtures/attacks.ts.
 */
import { AccountRole, generateKeyPairSigner } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__GRACE_TOO_SHORT,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_SESSION_EXPIRY,
  CHAINFERENCE_ERROR__MODEL_NOT_OFFERED,
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED,
  CHAINFERENCE_ERROR__OPEN_SLOT_OUT_OF_WINDOW,
  CHAINFERENCE_ERROR__PRICE_ABOVE_MAX,
  CHAINFERENCE_ERROR__PROTOCOL_PAUSED,
  CHAINFERENCE_ERROR__RATING_TOO_LOW,
  CHAINFERENCE_ERROR__SERVER_INACTIVE,
  CHAINFERENCE_ERROR__STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW,
  CHAINFERENCE_ERROR__VOUCHER_SESSION_MISMATCH,
  getUpdateServerInstructionAsync,
} from "../../../clients/js/src/generated";
import { expectRuntimeError } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { PRICED_MODEL } from "../../helpers/lifecycle";
import {
  MAX_SESSION_SLOTS,
  MIN_GRACE_SLOTS,
  OPEN_SLOT_WINDOW,
  closeSessionInstruction,
  defaultSessionParams,
  feeShardOfSession,
  openSession,
  openSessionInstruction,
  reclaimInstruction,
  sessionKey,
  settleInstructions,
  voucherOf,
  type SessionParams,
} from "../../helpers/sessions";
import { currentSlot, freshAddress, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, history, pause, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

/** open_session by a fresh client at `openSlot` (default: now) with `params` over the defaults. */
async function attempt(params: Partial<SessionParams> = {}, openSlot?: bigint, server = A) {
  const client = await fundedSigner(t.svm);
  const now = currentSlot(t.svm);
  const ix = await openSessionInstruction(
    client,
    server.server,
    { ...defaultSessionParams(sessionKey().address, now), ...params },
    { openSlot: openSlot ?? now },
  );
  return send(t, ix, { feePayer: client });
}

describe("open_session attacks", () => {
  it("an open slot in the future or older than OPEN_SLOT_WINDOW → OpenSlotOutOfWindow", async () => {
    warpSlots(t.svm, 1_000n);
    const now = currentSlot(t.svm);
    await expectProgramError(attempt({}, now + 1n), CHAINFERENCE_ERROR__OPEN_SLOT_OUT_OF_WINDOW);
    await expectProgramError(attempt({}, now - OPEN_SLOT_WINDOW - 1n), CHAINFERENCE_ERROR__OPEN_SLOT_OUT_OF_WINDOW);
    await attempt({}, now - OPEN_SLOT_WINDOW);
  });

  it("an expiry not in the future or beyond MAX_SESSION_SLOTS → InvalidSessionExpiry", async () => {
    const now = currentSlot(t.svm);
    await expectProgramError(attempt({ expirySlot: now }), CHAINFERENCE_ERROR__INVALID_SESSION_EXPIRY);
    await expectProgramError(attempt({ expirySlot: now + MAX_SESSION_SLOTS + 1n }), CHAINFERENCE_ERROR__INVALID_SESSION_EXPIRY);
    await attempt({ expirySlot: now + MAX_SESSION_SLOTS });
    await attempt({ expirySlot: now + 1n });
  });

  it("a grace shorter than MIN_GRACE_SLOTS → GraceTooShort", async () => {
    await expectProgramError(attempt({ graceSlots: MIN_GRACE_SLOTS - 1n }), CHAINFERENCE_ERROR__GRACE_TOO_SHORT);
    await attempt({ graceSlots: MIN_GRACE_SLOTS });
  });

  it("a deposit below the config's min_stake → StakeTooLow", async () => {
    await expectProgramError(attempt({ deposit: DEFAULT_LIMITS.minStake - 1n }), CHAINFERENCE_ERROR__STAKE_TOO_LOW);
    await attempt({ deposit: DEFAULT_LIMITS.minStake });
  });

  it("while the protocol is paused → ProtocolPaused", async () => {
    await pause();
    await expectProgramError(attempt(), CHAINFERENCE_ERROR__PROTOCOL_PAUSED);
  });

  it("with a deactivated server → ServerInactive", async () => {
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
    await expectProgramError(attempt(), CHAINFERENCE_ERROR__SERVER_INACTIVE);
  });

  it("the client's filters, checked as at lock: model, revision, prices, completed, success rate, rating", async () => {
    await expectProgramError(attempt({ model: "org/other-model" }), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
    await expectProgramError(attempt({ revision: "v9" }), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
    await expectProgramError(attempt({ maxPriceOut: PRICED_MODEL.priceOut - 1n }), CHAINFERENCE_ERROR__PRICE_ABOVE_MAX);
    await expectProgramError(attempt({ maxPriceIn: PRICED_MODEL.priceIn - 1n }), CHAINFERENCE_ERROR__PRICE_ABOVE_MAX);
    await history(B, 1, 1, 3);
    await expectProgramError(attempt({ minCompleted: 2n }, undefined, B), CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED);
    await expectProgramError(attempt({ minSuccessBps: 5_001 }, undefined, B), CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW);
    await expectProgramError(attempt({ minAvgRating: 301 }, undefined, B), CHAINFERENCE_ERROR__RATING_TOO_LOW);
    await attempt({ minCompleted: 1n, minSuccessBps: 5_000, minAvgRating: 300 }, undefined, B);
  });

  it("a session account that is not the PDA of (client, server, open_slot) fails the CPI; a signing one → InvalidPda", async () => {
    const client = await fundedSigner(t.svm);
    const now = currentSlot(t.svm);
    const params = defaultSessionParams(sessionKey().address, now);
    // Another address with the canonical bump: invoke_signed cannot sign for it
    const ix = await openSessionInstruction(client, A.server, params, { openSlot: now, session: await freshAddress() });
    await expectRuntimeError(send(t, ix, { feePayer: client }), /PrivilegeEscalation|InstructionError/);
    // A keypair posing as the session
    const poser = await generateKeyPairSigner();
    const signing = await openSessionInstruction(client, A.server, params, { openSlot: now, session: poser.address });
    const accounts = signing.accounts!.map((m, i) => (i === 1 ? { ...m, role: AccountRole.WRITABLE_SIGNER, signer: poser } : m));
    await expectProgramError(send(t, { ...signing, accounts } as typeof signing, { feePayer: client }), CHAINFERENCE_ERROR__INVALID_PDA);
  });

  it("replay against a re-opened session at the same seeds is impossible", async () => {
    // Given a session settled for 5,000 lamports and closed by the operator inside the window (a tombstone)
    const s = await openSession(t, A);
    const oldVoucher = settleInstructions(s, market, voucherOf(s, 5_000n));
    await send(t, oldVoucher, { feePayer: A.operator });
    await send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator });
    const params = defaultSessionParams(s.key.address, s.openSlot);

    // When the client tries to re-open the same address (same open slot) while the tombstone exists
    const reopen = await openSessionInstruction(s.client, A.server, params, { openSlot: s.openSlot });
    // Then AlreadyInitialized
    await expectProgramError(send(t, reopen, { feePayer: s.client }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);

    // When the tombstone is reclaimed (only possible after the window) and the same address is tried again
    t.svm.warpToSlot(s.openSlot + OPEN_SLOT_WINDOW + 1n);
    await send(t, reclaimInstruction(s.address, s.client.address));
    const again = await openSessionInstruction(
      s.client,
      A.server,
      { ...params, expirySlot: s.openSlot + 10_000n },
      { openSlot: s.openSlot },
    );
    // Then its open slot is out of the window: the address can never host a second session
    await expectProgramError(send(t, again, { feePayer: s.client }), CHAINFERENCE_ERROR__OPEN_SLOT_OUT_OF_WINDOW);

    // And the old voucher names the old address, so a new session of the same client and key refuses it
    const fresh = await openSession(t, A, {}, { client: s.client, key: s.key });
    expect(fresh.address).not.toBe(s.address);
    const [verify] = oldVoucher;
    const { settleOnly } = await import("../../helpers/sessions");
    await expectProgramError(
      send(t, [verify!, settleOnly(fresh, market, feeShardOfSession(fresh))], { feePayer: A.operator }),
      CHAINFERENCE_ERROR__VOUCHER_SESSION_MISMATCH,
    );
  });
});
