/** The market as pages show it: servers, their offers and liveness, read from the chain. */
import { fetchProtocolConfig, fetchServers, getServerReputation, type Chain, type ServerWithAddress } from "@chainference/client";
import type { Config } from "@chainference/client";

export type Market = {
  readonly servers: readonly ServerWithAddress[];
  readonly config: Config;
  readonly slot: bigint;
};

export async function loadMarket(chain: Chain): Promise<Market> {
  const [servers, config, slot] = await Promise.all([fetchServers(chain), fetchProtocolConfig(chain), chain.getSlot()]);
  return { servers, config, slot };
}

/** Every model an active server offers: most servers first, then most answers completed by them. */
export function marketModels(servers: readonly ServerWithAddress[]): { readonly model: string; readonly servers: number }[] {
  const counts = new Map<string, { servers: number; completed: bigint }>();
  for (const { server } of servers) {
    if (!server.active) continue;
    for (const hfId of new Set(server.models.map((m) => m.hfId))) {
      const seen = counts.get(hfId) ?? { servers: 0, completed: 0n };
      counts.set(hfId, { servers: seen.servers + 1, completed: seen.completed + server.completed });
    }
  }
  return [...counts]
    .sort(
      ([ma, a], [mb, b]) =>
        b.servers - a.servers || (b.completed > a.completed ? 1 : b.completed < a.completed ? -1 : ma.localeCompare(mb)),
    )
    .map(([model, { servers: n }]) => ({ model, servers: n }));
}

/** Slots since a server last did anything on-chain (registration, lock, chunk, completion). */
export function idleSlots(server: ServerWithAddress["server"], slot: bigint): bigint {
  const last = server.lastActiveSlot > server.registeredSlot ? server.lastActiveSlot : server.registeredSlot;
  return slot > last ? slot - last : 0n;
}

/** "live" when the server acted within ~10 minutes, "idle" within a day, else "quiet". */
export function liveness(server: ServerWithAddress["server"], slot: bigint): "live" | "idle" | "quiet" {
  if (!server.active) return "quiet";
  const idle = idleSlots(server, slot);
  return idle < 1_500n ? "live" : idle < 216_000n ? "idle" : "quiet";
}

/** Success rate as text: "100 %", or "new" with no record. */
export function successText(server: ServerWithAddress["server"]): string {
  const r = getServerReputation(server);
  return r.completed + r.expired === 0n ? "new" : `${(r.successBps / 100).toFixed(r.successBps % 100 === 0 ? 0 : 1)} %`;
}

/** Average rating as "4.5 ★ (12)", or "no ratings". */
export function ratingText(server: ServerWithAddress["server"]): string {
  const r = getServerReputation(server);
  return r.ratingCount === 0n ? "no ratings" : `${(r.avgRatingX100 / 100).toFixed(1)} ★ (${r.ratingCount})`;
}
