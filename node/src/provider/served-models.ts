import type { ModelInputArgs, Server, ServerListing } from "@chainference/client";

import type { NodeConfig, ServedModelConfig } from "../config/node-config";

/**
 * The config's model that `lock_request` would match for a request's model and pinned revision (the first
 * entry with that id, and that revision when pinned), as the program and the SDK's `findModelOffer` do.
 *
 * @example
 * const model = findServedModel(config, request.model, request.revision);
 */
export function findServedModel(config: NodeConfig, hfId: string, revision = ""): ServedModelConfig | undefined {
  return config.models.find((m) => m.hfId === hfId && (revision === "" || m.revision === revision));
}

/**
 * What the node publishes with `register_server` / `update_server`: its key, endpoint and models with prices.
 *
 * @example
 * await publishServer(chain, operator, serverListing(config, keyPublicKey));
 */
export function serverListing(config: NodeConfig, x25519Key: Uint8Array, active = true): ServerListing {
  const models: ModelInputArgs[] = config.models.map((m) => ({
    hfId: m.hfId,
    revision: m.revision,
    quantization: m.quantization,
    priceIn: m.priceIn,
    priceOut: m.priceOut,
    maxContext: m.maxContext,
  }));
  return { x25519Key, endpoint: config.endpoint, models, active };
}

/** The distinct model ids the node polls open requests for. */
export function servedModelIds(config: NodeConfig): string[] {
  return [...new Set(config.models.map((m) => m.hfId))];
}

/**
 * True when the server account already publishes `listing` (key, endpoint, active flag, models and prices in
 * order): the node then skips `update_server` at start.
 *
 * @example
 * if (!listingMatches(own.server, listing)) await publishServer(chain, operator, listing);
 */
export function listingMatches(server: Server, listing: ServerListing): boolean {
  const sameKey = server.x25519Key.length === listing.x25519Key.length && server.x25519Key.every((b, i) => b === listing.x25519Key[i]);
  const sameModels =
    server.models.length === listing.models.length &&
    server.models.every((m, i) => {
      const w = listing.models[i]!;
      return (
        m.hfId === w.hfId &&
        m.revision === w.revision &&
        m.quant === w.quantization &&
        m.priceIn === BigInt(w.priceIn) &&
        m.priceOut === BigInt(w.priceOut) &&
        m.maxContext === w.maxContext
      );
    });
  return sameKey && sameModels && server.endpoint === listing.endpoint && server.active === (listing.active ?? true);
}
