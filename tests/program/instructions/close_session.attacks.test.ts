/**
 * `request_close_session`, `close_session`, `reclaim_session` and `top_up_session`: rejections, and the
 * forced close racing the server's final settle at the deadline, each with its named error.
 * Shared setup (fresh chain, market with servers A and B): tests/program/fixtures/attacks.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__CLOSE_NOT_ALLOWED_YET,
  CHAINFERENCE_ERROR__NOT_SESSION_PARTY,
  CHAINFERENCE_ERROR__SESSION_CLOSED,
  CHAINFERENCE_ERROR__SESSION_NOT_CLOSED,
  CHAINFERENCE_ERROR__SESSION_NOT_OPEN,
  CHAINFERENCE_ERROR__SESSION_TOO_RECENT,
  CHAINFERENCE_ERROR__SETTLE_WINDOW_CLOSED,
  CHAINFERENCE_ERROR__ZERO_TOP_UP,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { accountExists } from "../../helpers/lifecycle";
import {
  DEFAULT_GRACE,
  OPEN_SLOT_WINDOW,
  closeSessionInstruction,
  openSession,
  readSession,
  reclaimInstruction,
  requestCloseInstruction,
  settleInstructions,
  topUpInstruction,
  voucherOf,
} from "../../helpers/sessions";
import { currentSlot, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("forced close racing the final settle", () => {
  it("settle at deadline − 1 lands, at the deadline → SettleWindowClosed; client close before → CloseNotAllowedYet, at → lands", async () => {
    // Given a session whose client requested the close: deadline = requested + grace
    const s = await openSession(t, A);
    await send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    const deadline = readSession(t, s.address).closeRequestedSlot + DEFAULT_GRACE;

    // When the clock is at deadline − 1: the client cannot close, the server can settle
    t.svm.warpToSlot(deadline - 1n);
    await expectProgramError(
      send(t, closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client }),
      CHAINFERENCE_ERROR__CLOSE_NOT_ALLOWED_YET,
    );
    await send(t, settleInstructions(s, market, voucherOf(s, 10_000n)), { feePayer: A.operator });

    // When the clock reaches the deadline: the server can no longer settle, the client can close
    t.svm.warpToSlot(deadline);
    await expectProgramError(
      send(t, settleInstructions(s, market, voucherOf(s, 20_000n)), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__SETTLE_WINDOW_CLOSED,
    );
    await send(t, closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client });
    expect(accountExists(t, s.address)).toBe(false);
  });

  it("without a close request the deadline is the expiry: settle at expiry − 1 lands, at expiry → SettleWindowClosed", async () => {
    const expiry = currentSlot(t.svm) + 1_000n;
    const s = await openSession(t, A, { expirySlot: expiry });
    t.svm.warpToSlot(expiry - 1n);
    await expectProgramError(
      send(t, closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client }),
      CHAINFERENCE_ERROR__CLOSE_NOT_ALLOWED_YET,
    );
    await send(t, settleInstructions(s, market, voucherOf(s, 10_000n)), { feePayer: A.operator });
    t.svm.warpToSlot(expiry);
    await expectProgramError(
      send(t, settleInstructions(s, market, voucherOf(s, 20_000n)), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__SETTLE_WINDOW_CLOSED,
    );
  });

  it("a close request near the expiry cannot extend the server's window past the expiry", async () => {
    const expiry = currentSlot(t.svm) + 1_000n;
    const s = await openSession(t, A, { expirySlot: expiry });
    t.svm.warpToSlot(expiry - 10n);
    await send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    t.svm.warpToSlot(expiry);
    await send(t, closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client });
  });
});

describe("close_session attacks", () => {
  it("a stranger → NotSessionParty; another client account → ClientMismatch", async () => {
    const s = await openSession(t, A);
    warpSlots(t.svm, 20_000n);
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, closeSessionInstruction(stranger, s.address, s.client.address), { feePayer: stranger }),
      CHAINFERENCE_ERROR__NOT_SESSION_PARTY,
    );
    await expectProgramError(
      send(t, closeSessionInstruction(A.operator, s.address, stranger.address), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("closing a Closed tombstone again → SessionClosed", async () => {
    const s = await openSession(t, A);
    await send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator });
    await expectProgramError(
      send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__SESSION_CLOSED,
    );
  });
});

describe("request_close_session attacks", () => {
  it("twice, or after close → SessionNotOpen; by someone else → ClientMismatch", async () => {
    const s = await openSession(t, A);
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, requestCloseInstruction(stranger, s.address), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
    await send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    await expectProgramError(
      send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client }),
      CHAINFERENCE_ERROR__SESSION_NOT_OPEN,
    );
  });
});

describe("top_up_session attacks", () => {
  it("top-up after close or while Closing → SessionNotOpen", async () => {
    const closing = await openSession(t, A);
    await send(t, requestCloseInstruction(closing.client, closing.address), { feePayer: closing.client });
    await expectProgramError(
      send(t, topUpInstruction(closing.client, closing.address, 1_000n), { feePayer: closing.client }),
      CHAINFERENCE_ERROR__SESSION_NOT_OPEN,
    );
    const closed = await openSession(t, A);
    await send(t, closeSessionInstruction(A.operator, closed.address, closed.client.address), { feePayer: A.operator });
    await expectProgramError(
      send(t, topUpInstruction(closed.client, closed.address, 1_000n), { feePayer: closed.client }),
      CHAINFERENCE_ERROR__SESSION_NOT_OPEN,
    );
  });

  it("zero → ZeroTopUp; by someone else → ClientMismatch", async () => {
    const s = await openSession(t, A);
    await expectProgramError(send(t, topUpInstruction(s.client, s.address, 0n), { feePayer: s.client }), CHAINFERENCE_ERROR__ZERO_TOP_UP);
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, topUpInstruction(stranger, s.address, 5n), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });
});

describe("reclaim_session attacks", () => {
  it("before the open-slot window has passed → SessionTooRecent (at open_slot + window exactly too)", async () => {
    const s = await openSession(t, A);
    await send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator });
    t.svm.warpToSlot(s.openSlot + OPEN_SLOT_WINDOW);
    await expectProgramError(send(t, reclaimInstruction(s.address, s.client.address)), CHAINFERENCE_ERROR__SESSION_TOO_RECENT);
  });

  it("an Open or Closing session → SessionNotClosed; another client → ClientMismatch", async () => {
    const s = await openSession(t, A);
    warpSlots(t.svm, OPEN_SLOT_WINDOW + 1n);
    await expectProgramError(send(t, reclaimInstruction(s.address, s.client.address)), CHAINFERENCE_ERROR__SESSION_NOT_CLOSED);
    await send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    await expectProgramError(send(t, reclaimInstruction(s.address, s.client.address)), CHAINFERENCE_ERROR__SESSION_NOT_CLOSED);
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(send(t, reclaimInstruction(s.address, stranger.address)), CHAINFERENCE_ERROR__CLIENT_MISMATCH);
  });
});
