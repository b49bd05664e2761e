// Sessions (docs/sessions.md): pay-as-you-stream payment channels. Voucher bytes, session keys, frame encryption,
// the signed ask, the client's charge check, the wire documents and the session client over `fetch`. Browser-safe;
// the file-backed history storage lives in `@chainference/client/node`.
export {
  SESSION_ASK_MESSAGE_LENGTH,
  SESSION_CLOSE_MESSAGE_LENGTH,
  SESSION_FRAME_AAD_LENGTH,
  SESSION_PROTOCOL_VERSION,
  SESSION_ROUTE_PREFIX,
  SESSION_SIGNATURE_LENGTH,
} from "./constants";
export { getSessionCloseMessage, signSessionClose, verifySessionClose } from "./close-message";
export { getSessionAskMessage, signSessionAsk, verifySessionAsk, type SessionAsk } from "./ask-message";
export {
  checkSessionCharge,
  sessionAnswerCost,
  ZERO_SESSION_TOTALS,
  type SessionBill,
  type SessionChargeInput,
  type SessionPrices,
  type SessionTotals,
} from "./charge";
export {
  askInSession,
  createSessionProgress,
  fetchSessionInfo,
  fetchSessionStatus,
  postSessionVoucher,
  requestSessionClose,
  resumeSessionProgress,
  type FetchLike,
  type SessionAnswer,
  type SessionAnswerResult,
  type SessionConnection,
  type SessionDelta,
  type SessionProgress,
} from "./session-client";
export {
  decryptSessionFrame,
  deriveSessionFrameKey,
  encryptSessionFrame,
  getSessionFrameAad,
  SESSION_FRAME_OVERHEAD,
  type SessionFrameDirection,
  type SessionFramePosition,
} from "./session-frame";
export {
  createMemorySessionHistoryStorage,
  readSessionHistory,
  saveSessionHistoryEntry,
  type SessionHistoryEntry,
  type SessionHistoryStorage,
} from "./session-history";
export { deriveSessionKeys, type SessionKeys } from "./session-keys";
export { VOUCHER_LENGTH, VOUCHER_MAGIC, decodeVoucher, encodeVoucher, type Voucher } from "./voucher";
export {
  ED25519_MESSAGE_OFFSET,
  ED25519_PROGRAM_ADDRESS,
  ED25519_PUBLIC_KEY_OFFSET,
  ED25519_SIGNATURE_OFFSET,
  getSettleSessionInstructions,
  getVoucherVerifyInstruction,
} from "./voucher-instruction";
export { signVoucher, verifyVoucherSignature, type SignedVoucher } from "./voucher-signature";
export {
  encodeSessionAskBody,
  encodeSessionCloseBody,
  encodeSessionCloseReceipt,
  encodeSessionError,
  encodeSessionEventData,
  encodeSessionInfo,
  encodeSessionNodeStatus,
  encodeSessionVoucherBody,
  encodeSessionVoucherReceipt,
  formatSessionEvent,
  fromBase64,
  parseSessionAskBody,
  parseSessionCloseBody,
  parseSessionCloseReceipt,
  parseSessionError,
  parseSessionEvent,
  parseSessionInfo,
  parseSessionNodeStatus,
  parseSessionVoucherBody,
  parseSessionVoucherReceipt,
  SESSION_ERROR_STATUS,
  toBase64,
  type SessionAskBody,
  type SessionCloseBody,
  type SessionCloseReceipt,
  type SessionErrorBody,
  type SessionErrorCode,
  type SessionEvent,
  type SessionFinishReason,
  type SessionInfo,
  type SessionModelOffer,
  type SessionNodeStatus,
  type SessionVoucherBody,
  type SessionVoucherReceipt,
} from "./wire";
export {
  closeSessionAsClient,
  fetchSessionAccount,
  getSettleDeadlineSlot,
  listSessions,
  openSession,
  reclaimSession,
  requestCloseSession,
  requireSessionAccount,
  SESSION_ACCOUNT_SIZE,
  settleAndCloseSession,
  settleSession,
  topUpSession,
  type OpenedSession,
  type OpenSessionParams,
  type SessionAccount,
} from "./session-actions";
export { closeSession, type CloseSessionParams, type SessionCloseOutcome } from "./session-close";
