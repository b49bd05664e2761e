import type { NodeEvent } from "./node-events";

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * One log line per event worth an operator's attention (chunk appends are too frequent and return null).
 * Answer text is never logged.
 *
 * @example
 * formatNodeEvent({ type: "abandoned", request, reason: "backend failed: …" }); // "request 7xK… abandoned: backend failed: …"
 */
export function formatNodeEvent(event: NodeEvent): string | null {
  switch (event.type) {
    case "started":
      return `server ${event.server} (operator ${event.operator}) ${event.listing === "unchanged" ? "already published as configured" : event.listing}: key epoch ${event.keyEpoch}, serving ${event.models.map((m, i) => (event.backends?.[i] ? `${m} (${event.backends[i]})` : m)).join(", ")}; chunks up to ${event.maxChunkBytes} bytes`;
    case "keyring":
      return `keyring ${event.path}: ${event.note}`;
    case "bonded":
      return event.deposited === 0n
        ? null
        : `bond topped up: ${event.deposited} lamports from the operator's wallet, ${event.bond} held (each request this server locks and abandons moves the abandon penalty from it to that client)`;
    case "skipped":
      return `request ${event.request} skipped (${event.reason}): ${event.detail}`;
    case "locked":
      return `request ${event.request} locked at slot ${event.slot}: up to ${event.outputTokenCap} answer tokens`;
    case "recovering":
      return `request ${event.request} found locked at start (${event.chunksLanded} chunk(s) on-chain): ${event.action}: ${event.detail}`;
    case "chunk-appended":
      return null;
    case "completed": {
      const first =
        event.timeToFirstChunkMs === null
          ? "first chunk before restart"
          : `first chunk ${seconds(event.timeToFirstChunkMs)} (${event.firstChunkSlots ?? "?"} slots)`;
      const speed = event.tokensPerSecond === null ? "" : `, ${event.tokensPerSecond.toFixed(1)} tok/s`;
      return `request ${event.request} completed (${event.finishReason}): tokens in ${event.tokensIn} / out ${event.tokensOut}, ${first}${speed}, ${seconds(event.durationMs)} total, earned ${event.earnedLamports} lamports`;
    }
    case "abandoned":
      return `request ${event.request} abandoned: ${event.reason}`;
    case "left-to-expire":
      return `request ${event.request} left to expire: ${event.reason}`;
    case "retry":
      return `${event.action}${event.request ? ` for ${event.request}` : ""} failed (attempt ${event.attempt}), retrying: ${event.error}`;
    case "key-rotated":
      return `server key rotated: epoch ${event.epoch} published`;
    case "keys-erased":
      return `retired key epoch(s) ${event.epochs.join(", ")} erased from ${event.keyringPath}: no work in flight uses them`;
    case "serving-paused":
      return `paused: ${event.reason}; taking no new requests or session answers, finishing those in progress`;
    case "serving-resumed":
      return "serving again: taking new requests and session answers";
    case "server-active":
      return event.active
        ? "server marked active on-chain"
        : "server marked inactive on-chain: it leaves allow-lists and eligibility previews until the next start";
    case "responses-closed":
      return event.alongWith
        ? `${event.responses.length} response(s) past the grace period closed beside the settlement of ${event.alongWith} (no fee of their own): ${event.rentLamports} lamports of rent back to the operator`
        : `${event.responses.length} response(s) past the grace period closed in one transaction: ${event.rentLamports} lamports of rent back to the operator (fee ${event.fee})`;
    case "error":
      return `error in ${event.where}: ${event.error}`;
    case "sessions-listening":
      return `sessions served at ${event.url}/v1/sessions (credit window ${event.creditWindowLamports} lamports)`;
    case "session-answered":
      return `session ${event.session} answer ${event.answer} (${event.finishReason}): tokens in ${event.tokensIn} / out ${event.tokensOut}, ${event.lamports} lamports billed${event.firstChunkMs === null ? "" : `, first chunk ${seconds(event.firstChunkMs)}`}, ${seconds(event.durationMs)} total`;
    case "session-voucher":
      return null;
    case "session-refused":
      return `session request refused (${event.code}): ${event.message}`;
    case "session-settled":
      return `session ${event.session} settled (${event.reason}): ${event.delta} lamports, ${event.lamports} in total`;
    case "session-closed":
      return `session ${event.session} closed cooperatively: ${event.settledLamports} lamports settled`;
    case "stopped":
      return `node stopped${event.abandonedInFlight > 0 ? ` (${event.abandonedInFlight} request(s) in flight left locked: the next start recovers them)` : ""}`;
  }
}
