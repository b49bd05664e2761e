/** `chainference servers`: who serves what, at what price, with what on-chain record. */
import type { Command } from "commander";
import { fetchServers, getServerReputation, validateModelId } from "@chainference/client";
import type { ServersFlags } from "./definition";
import { createCommandContext } from "../../shared/context/command-context";
import { formatPricePerMillion } from "../../shared/output/format-server";
import { usageError } from "../../shared/errors/cli-error";
import { renderTable } from "../../shared/output/table";
import { formatSlots, parseSol } from "../../shared/output/units";

/** Runs `chainference servers`. */
export async function serversAction(flags: ServersFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  if (flags.model) {
    const problem = validateModelId(flags.model);
    if (problem) throw usageError(`--model '${flags.model}' is not a Hugging Face id: ${problem}`);
  }
  const maxPrice = flags.maxPrice === undefined ? undefined : parseSol(flags.maxPrice, "--max-price");
  const servers = await fetchServers(ctx.session().chain, { ...(flags.model ? { model: flags.model } : {}), activeOnly: !flags.all });
  const rows = servers.flatMap(({ address, server }) => {
    const r = getServerReputation(server);
    return server.models
      .filter(
        (m) => (!flags.model || m.hfId === flags.model) && (maxPrice === undefined || (m.priceIn <= maxPrice && m.priceOut <= maxPrice)),
      )
      .map((m) => ({ address, server, model: m, reputation: r }));
  });
  if (ctx.out.json) {
    ctx.out.result(
      rows.map(({ address, server, model, reputation }) => ({
        server: address,
        operator: server.operator,
        active: server.active,
        model: model.hfId,
        revision: model.revision,
        quantization: model.quant,
        priceIn: model.priceIn,
        priceOut: model.priceOut,
        maxContext: model.maxContext,
        completed: reputation.completed,
        expired: reputation.expired,
        successBps: reputation.successBps,
        avgRatingX100: reputation.avgRatingX100,
        ratingCount: reputation.ratingCount,
        avgFirstChunkSlots: reputation.avgFirstChunkSlots,
      })),
    );
    return;
  }
  if (rows.length === 0) {
    ctx.out.line(
      `No ${flags.all ? "" : "active "}servers${flags.model ? ` offer ${flags.model}` : ""}${maxPrice === undefined ? "" : " at that price"} on ${ctx.endpoint.url}.`,
    );
    return;
  }
  const table = renderTable(
    ["server", "operator", "model", "quant", "in", "out", "done/expired", "success", "rating", "first chunk"],
    rows.map(({ address, server, model, reputation: r }) => [
      `${address}${server.active ? "" : " (inactive)"}`,
      server.operator,
      model.hfId,
      model.quant || "-",
      formatPricePerMillion(model.priceIn),
      formatPricePerMillion(model.priceOut),
      `${r.completed}/${r.expired}`,
      r.completed + r.expired === 0n ? "-" : `${(r.successBps / 100).toFixed(1)} %`,
      r.ratingCount === 0n ? "-" : `${(r.avgRatingX100 / 100).toFixed(2)} (${r.ratingCount})`,
      r.avgFirstChunkSlots === null ? "-" : formatSlots(r.avgFirstChunkSlots),
    ]),
    ["left", "left", "left", "left", "right", "right", "right", "right", "right", "right"],
  );
  ctx.out.line(table);
  ctx.out.line("Prices in SOL per 1M tokens (in = prompt, out = answer).");
}
