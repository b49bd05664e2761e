// The provider node's session side (docs/sessions.md §3): the HTTP + SSE server, the durable voucher book, the
// settle schedule and the chain ledger. The per-answer streaming and the store stay internal.
export { createChainSessionLedger, toSessionView } from "./chain-session-ledger";
export { judgeAsk, judgeVoucher, openSessionBook, promptReserve, type Refusal, type SessionBook, type SessionEntry } from "./session-book";
export type { LedgerReceipt, SessionLedger, SessionView } from "./session-ledger";
export { startSessionServer, type SessionServer, type SessionServerEvent, type SessionServerOptions } from "./session-server";
export { defaultSessionStateDir, startSessionService, type SessionService, type SessionServiceOptions } from "./session-service";
export {
  createSessionSettler,
  settleReason,
  type CloseReceipt,
  type SessionSettler,
  type SettleReason,
  type SettlerEvent,
} from "./session-settler";
export { createSessionStore, type SessionStore, type StoredSession } from "./session-store";
