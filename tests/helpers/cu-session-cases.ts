/**
 * Compute-unit cases of the session instructions, in the shape of cu-cases.ts (`CuBench`): `npm run bench:cu`
 * measures them (best/avg/worst into docs/cu.md) and tests/program/cu-ceilings.test.ts holds each under its
 * limit. Issue 12: every session instruction ≤ 3,000 CU.
 *
 * settle_session is measured in its real transaction `[Ed25519 verify, settle_session]`: the precompile
 * consumes no compute units of the transaction (LiteSVM reports 0 for a lone verify instruction; its cost is
 * the 5,000-lamport signature fee), so the transaction's CU are settle_session's own.
 */
import type { CuBench } from "./cu-cases";
import { setupMarket } from "./lifecycle";
import {
  OPEN_SLOT_WINDOW,
  closeSessionInstruction,
  openSession,
  reclaimInstruction,
  requestCloseInstruction,
  sessionPda,
  settleInstructions,
  topUpInstruction,
  voucherOf,
} from "./sessions";
import { systemTransfer } from "./instructions";
import { currentSlot, fundedSigner, rentExempt, send, warpSlots, type TestSvm } from "./svm";

/** Issue 12: every session instruction ≤ 3,000 CU. */
export const SESSION_CU_LIMIT = 3_000;

async function opened(t: TestSvm) {
  const market = await setupMarket(t, { servers: 1 });
  const server = market.servers[0]!;
  const s = await openSession(t, server);
  return { market, server, s };
}

export const SESSION_CU_BENCHES: CuBench[] = [
  {
    instruction: "open_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 2_068,
    cases: [
      {
        label: "fresh address (one CreateAccount)",
        run: async (t) => {
          const market = await setupMarket(t, { servers: 1 });
          return (await openSession(t, market.servers[0]!)).report;
        },
      },
    ],
  },
  {
    // The griefing path: someone sent lamports to the session address before the open, so CreateAccount
    // cannot be used and the program pays the shortfall, then Allocate + Assign (three System CPIs instead of
    // one). Outside the 3,000 CU target, and only ever paid by a client whose address was pre-funded.
    instruction: "open_session (pre-funded address)",
    ceiling: 5_000,
    lastKnown: 4_374,
    cases: [
      {
        label: "Transfer + Allocate + Assign",
        run: async (t) => {
          const market = await setupMarket(t, { servers: 1 });
          const client = await fundedSigner(t.svm);
          const [address] = await sessionPda(client.address, market.servers[0]!.server, currentSlot(t.svm));
          await send(t, systemTransfer(client, address, rentExempt(t.svm, 0)), { feePayer: client });
          return (await openSession(t, market.servers[0]!, {}, { client })).report;
        },
      },
    ],
  },
  {
    instruction: "top_up_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 1_321,
    cases: [
      {
        label: "Open session",
        run: async (t) => {
          const { s } = await opened(t);
          return send(t, topUpInstruction(s.client, s.address, 1_000_000n), { feePayer: s.client });
        },
      },
    ],
  },
  {
    instruction: "settle_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 609,
    cases: [
      {
        label: "first voucher ([verify, settle])",
        run: async (t) => {
          const { market, server, s } = await opened(t);
          return send(t, settleInstructions(s, market, voucherOf(s, 1_234_567n, 700n, 1)), { feePayer: server.operator });
        },
      },
      {
        label: "later voucher while Closing",
        run: async (t) => {
          const { market, server, s } = await opened(t);
          await send(t, settleInstructions(s, market, voucherOf(s, 1_000n, 10n, 1)), { feePayer: server.operator });
          await send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
          return send(t, settleInstructions(s, market, voucherOf(s, 2_000_000n, 900n, 2)), { feePayer: server.operator });
        },
      },
    ],
  },
  {
    instruction: "request_close_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 234,
    cases: [
      {
        label: "Open session",
        run: async (t) => {
          const { s } = await opened(t);
          return send(t, requestCloseInstruction(s.client, s.address), { feePayer: s.client });
        },
      },
    ],
  },
  {
    instruction: "close_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 310,
    cases: [
      {
        label: "operator, inside the window (tombstone)",
        run: async (t) => {
          const { server, s } = await opened(t);
          return send(t, closeSessionInstruction(server.operator, s.address, s.client.address), { feePayer: server.operator });
        },
      },
      {
        label: "client after the deadline (freed)",
        run: async (t) => {
          const { s } = await opened(t);
          warpSlots(t.svm, 20_000n);
          return send(t, closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client });
        },
      },
    ],
  },
  {
    instruction: "reclaim_session",
    ceiling: SESSION_CU_LIMIT,
    lastKnown: 267,
    cases: [
      {
        label: "Closed tombstone past the window",
        run: async (t) => {
          const { server, s } = await opened(t);
          await send(t, closeSessionInstruction(server.operator, s.address, s.client.address), { feePayer: server.operator });
          t.svm.warpToSlot(s.openSlot + OPEN_SLOT_WINDOW + 1n);
          return send(t, reclaimInstruction(s.address, s.client.address));
        },
      },
    ],
  },
];
