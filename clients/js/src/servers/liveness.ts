/**
 * Whether a registered server looks able to answer now, before a client names it: its endpoint's session
 * info (docs/sessions.md §3), else its last on-chain activity. The per-request path needs no endpoint, so a
 * server without one is judged by activity alone.
 */
import { isChainferenceClientError, CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE } from "../errors";
import { fetchSessionInfo, type FetchLike } from "../sessions/session-client";
import type { ServerWithAddress } from "./fetch-servers";

/**
 * - `live`: its endpoint answered with this server's session info;
 * - `paused`: its endpoint answered, but the node takes no new work now (idle-time serving), with the reason;
 * - `recent`: no endpoint answering for it, but on-chain activity (registration, a lock) within {@link STALE_AFTER_SLOTS};
 * - `unreachable`: it publishes an endpoint that did not answer in time, or answers for another server;
 * - `quiet`: no endpoint, and no on-chain activity for longer than {@link STALE_AFTER_SLOTS}.
 */
export type ServerLivenessState = "live" | "paused" | "recent" | "unreachable" | "quiet";

export type ServerLiveness = Readonly<{
  state: ServerLivenessState;
  /** True for `paused`, `unreachable` and `quiet`: clients should not pick it by default. */
  stale: boolean;
  /** In words, e.g. "endpoint answered in 12 ms" or "no on-chain activity for ~3 days". */
  detail: string;
  /** Round trip of the endpoint probe, when it answered. */
  latencyMs: number | null;
}>;

/** About one day of 400 ms slots: a server with no endpoint and no activity for longer looks offline. */
export const STALE_AFTER_SLOTS = 216_000n;
/** How long the endpoint probe waits by default. */
export const LIVENESS_TIMEOUT_MS = 1_500;

function ageInWords(slots: bigint): string {
  const hours = (Number(slots) * 0.4) / 3600;
  return hours < 48 ? `~${Math.max(1, Math.round(hours))} h` : `~${Math.round(hours / 24)} days`;
}

function byActivity(s: ServerWithAddress, currentSlot: bigint, endpointNote: string): ServerLiveness {
  const last = s.server.lastActiveSlot > s.server.registeredSlot ? s.server.lastActiveSlot : s.server.registeredSlot;
  const age = currentSlot > last ? currentSlot - last : 0n;
  if (age > STALE_AFTER_SLOTS)
    return { state: "quiet", stale: true, detail: `${endpointNote}no on-chain activity for ${ageInWords(age)}`, latencyMs: null };
  return { state: "recent", stale: false, detail: `${endpointNote}active on-chain ${age} slots ago`, latencyMs: null };
}

/**
 * Probes one server: `GET <endpoint>/v1/sessions/info` within `timeoutMs` when it publishes an endpoint, then
 * falls back to its on-chain activity (`last_active_slot`, `registered_slot`) against `currentSlot`.
 *
 * @example
 * ```ts
 * const liveness = await probeServerLiveness(server, { currentSlot: await chain.getSlot() });
 * if (liveness.stale) console.log(`${server.address}: ${liveness.detail}`);
 * ```
 */
export async function probeServerLiveness(
  s: ServerWithAddress,
  options: Readonly<{ currentSlot: bigint; timeoutMs?: number; fetch?: FetchLike }>,
): Promise<ServerLiveness> {
  const endpoint = s.server.endpoint.trim();
  if (endpoint === "") return byActivity(s, options.currentSlot, "");
  const timeoutMs = options.timeoutMs ?? LIVENESS_TIMEOUT_MS;
  const started = Date.now();
  try {
    const info = await fetchSessionInfo(endpoint, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    if (info.server !== s.address)
      return {
        state: "unreachable",
        stale: true,
        detail: `endpoint ${endpoint} answers for another server (${info.server})`,
        latencyMs: null,
      };
    const latencyMs = Date.now() - started;
    if (info.paused) return { state: "paused", stale: true, detail: `paused: ${info.paused}`, latencyMs };
    return { state: "live", stale: false, detail: `endpoint answered in ${latencyMs} ms`, latencyMs };
  } catch (error) {
    if (isChainferenceClientError(error, CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE))
      return { state: "unreachable", stale: true, detail: `endpoint ${endpoint} did not answer within ${timeoutMs} ms`, latencyMs: null };
    // It answered, but not with session info (sessions off, another service): activity decides.
    return byActivity(s, options.currentSlot, `endpoint ${endpoint} serves no sessions; `);
  }
}
