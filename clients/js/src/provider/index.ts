// What a provider node does on-chain: find requests, publish its listing, lock, stream and settle.
export { fetchLockedRequests, fetchOpenRequests, openRequestsQuery } from "./open-requests";
export {
  appendResponseChunk,
  closeResponseInstructions,
  completeRequest,
  fetchOwnServer,
  lockRequest,
  publishServer,
  responseChunkInstructions,
  type ResponseChunkInput,
  type ServerListing,
  type SettledRequest,
  type SettlementCounts,
} from "./server-operations";
export { depositBond, ensureBond, withdrawBond } from "./server-bond";
