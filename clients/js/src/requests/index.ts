// What a client does: post, watch, settle, act on and read back its requests. Account layout offsets stay internal.
export {
  DEFAULT_HAND_OFF_WAIT_MS,
  handOffRequest,
  handOffUntilLocked,
  type HandOff,
  type HandOffEnd,
  type HandOffOptions,
} from "./hand-off";
export { fetchHistory, type HistoryEntry, type HistoryStatus, type LockerKeySource } from "./history";
export {
  decodeRequestEvent,
  parseLockRequestKey,
  requestEvents,
  type LocatedRequestEvent,
  type RequestEvent,
} from "./history-instructions";
export { groupRequestLifecycles, type LifecycleEnd, type RequestLifecycle } from "./request-lifecycles";
export { MAX_MODEL_ID_LENGTH, validateModelId } from "./model-id";
export { MAX_ALLOWED_SERVERS, TRANSACTION_SIZE_LIMIT, postRequest, type PostRequestInput, type PostedRequest } from "./post-request";
export {
  decodeRequestAccount,
  fetchRequestAccount,
  fetchResponseAccount,
  RESPONSE_SERVER_OFFSET,
  type RequestAccount,
  type ResponseAccount,
} from "./request-account";
export { cancelRequest, closeResponse, expireRequest, rateServer } from "./request-actions";
export { checkResponseAddress, responseAddressWithBump, type ResponseAddressCheck } from "./response-address";
export { BPS, TOKENS_PER_PRICE_UNIT, computeSettlement, maxAffordableOutputTokens, tokenCost, type Settlement } from "./settlement";
export { watchResponse, type ResponseEvent, type WatchOptions } from "./watch-response";
