/**
 * Generated account-shape negatives of the session instructions (signer, writability, read-only accounts,
 * owner, discriminator, the System program and the Instructions sysvar, data shape, account counts; flags from
 * program/interface.json). settle_session's cases send the Ed25519 voucher instruction right before it.
 */
import type { Instruction } from "@solana/kit";
import { generateNegativeTests, type NegativeCase } from "../../helpers/attacks";
import {
  OPEN_SLOT_WINDOW,
  closeSessionInstruction,
  defaultSessionParams,
  feeShardOfSession,
  openSession,
  openSessionInstruction,
  reclaimInstruction,
  requestCloseInstruction,
  sessionKey,
  settleOnly,
  topUpInstruction,
  verifyInstruction,
  voucherOf,
} from "../../helpers/sessions";
import { currentSlot, fundedSigner, send } from "../../helpers/svm";
import { t, market, A, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

/** The voucher instruction of the last settle case built. */
let voucher: Instruction[] = [];

const CASES: NegativeCase[] = [
  {
    name: "open_session",
    instruction: "open_session",
    programOwned: [2, 3],
    build: async (t) => {
      const client = await fundedSigner(t.svm);
      const now = currentSlot(t.svm);
      return openSessionInstruction(client, A.server, defaultSessionParams(sessionKey().address, now), { openSlot: now });
    },
  },
  {
    name: "top_up_session",
    instruction: "top_up_session",
    programOwned: [1],
    build: async () => {
      const s = await openSession(t, A);
      return topUpInstruction(s.client, s.address, 1_000n);
    },
  },
  {
    name: "settle_session",
    instruction: "settle_session",
    programOwned: [1, 2, 3],
    build: async () => {
      const s = await openSession(t, A);
      voucher = [verifyInstruction(s.key, voucherOf(s, 1_000n))];
      return settleOnly(s, market, feeShardOfSession(s));
    },
    before: () => voucher,
  },
  {
    name: "request_close_session",
    instruction: "request_close_session",
    programOwned: [1],
    build: async () => {
      const s = await openSession(t, A);
      return requestCloseInstruction(s.client, s.address);
    },
  },
  {
    name: "close_session (operator)",
    instruction: "close_session",
    programOwned: [1],
    build: async () => {
      const s = await openSession(t, A);
      return closeSessionInstruction(A.operator, s.address, s.client.address);
    },
  },
  {
    name: "reclaim_session",
    instruction: "reclaim_session",
    programOwned: [0],
    build: async () => {
      const s = await openSession(t, A);
      await send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator });
      t.svm.warpToSlot(s.openSlot + OPEN_SLOT_WINDOW + 1n);
      return reclaimInstruction(s.address, s.client.address);
    },
  },
];

for (const c of CASES) generateNegativeTests(c, () => t);
