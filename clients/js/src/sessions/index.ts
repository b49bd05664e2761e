// Sessions (docs/sessions.md): pay-as-you-stream payment channels. Voucher bytes, session keys, frame encryption,
// the signed ask, the client's charge check, the wire documents and the session client over `fetch`. Browser-safe;
// the file-backed history storage lives in `@chainference/client/node`.
export {
  SESSION_ASK_MESSAGE_LENGTH,
  SESSION_FRAME_AAD_LENGTH,
  SESSION_PROTOCOL_VERSION,
  SESSION_ROUTE_PREFIX,
  SESSION_SIGNATURE_LENGTH,
  VOUCHER_LENGTH,
  VOUCHER_MAGIC,
} from "./constants";
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
  postSessionVoucher,
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
export { deriveSessionKeys, deriveSessionKeysWithSigner, getSessionKeyMessage, type SessionKeys, type SessionLocation } from "./session-keys";
export { decodeVoucher, encodeVoucher, type Voucher } from "./voucher";
export { signVoucher, verifyVoucherSignature, type SignedVoucher } from "./voucher-signature";
export {
  encodeSessionAskBody,
  encodeSessionError,
  encodeSessionEventData,
  encodeSessionInfo,
  encodeSessionVoucherBody,
  encodeSessionVoucherReceipt,
  formatSessionEvent,
  fromBase64,
  parseSessionAskBody,
  parseSessionError,
  parseSessionEvent,
  parseSessionInfo,
  parseSessionVoucherBody,
  parseSessionVoucherReceipt,
  SESSION_ERROR_STATUS,
  toBase64,
  type SessionAskBody,
  type SessionErrorBody,
  type SessionErrorCode,
  type SessionEvent,
  type SessionFinishReason,
  type SessionInfo,
  type SessionModelOffer,
  type SessionVoucherBody,
  type SessionVoucherReceipt,
} from "./wire";
