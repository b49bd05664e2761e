// Finding servers and checking a request against them, as `lock_request` will.
export {
  checkEligibility,
  describeIneligibility,
  findModelOffer,
  type Eligibility,
  type Ineligibility,
  type RequestDraft,
} from "./eligibility";
export { fetchServers, type ServerWithAddress } from "./fetch-servers";
export { getServerReputation, type ServerReputation } from "./reputation";
export { LIVENESS_TIMEOUT_MS, probeServerLiveness, STALE_AFTER_SLOTS, type ServerLiveness, type ServerLivenessState } from "./liveness";
