/** Market: every server, its models (HF id, revision, quantization), prices, reputation and liveness; sortable, filterable. */
import { useMemo, useState } from "react";
import { getServerReputation } from "@chainference/client";
import { ErrorNotice } from "../../components/notice";
import { useApp } from "../../lib/app-context";
import { describeError } from "../../lib/errors";
import { formatInteger, formatSol, shortAddress, slotsAgo } from "../../lib/format";
import { idleSlots, liveness, loadMarket, ratingText, successText } from "../../lib/market";
import { useLoad } from "../../lib/use-load";

type Row = {
  readonly server: string;
  readonly active: boolean;
  readonly live: "live" | "idle" | "quiet";
  readonly idle: bigint;
  readonly model: string;
  readonly revision: string;
  readonly quant: string;
  readonly priceIn: bigint;
  readonly priceOut: bigint;
  readonly completed: bigint;
  readonly successBps: number;
  readonly success: string;
  readonly rating: string;
  readonly ratingX100: number;
};

type SortKey = "priceIn" | "priceOut" | "completed" | "successBps" | "ratingX100" | "idle" | "model";
const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: null, label: "Server" },
  { key: "model", label: "Model" },
  { key: null, label: "Quant" },
  { key: "priceIn", label: "In / 1M" },
  { key: "priceOut", label: "Out / 1M" },
  { key: "completed", label: "Completed" },
  { key: "successBps", label: "Success" },
  { key: "ratingX100", label: "Rating" },
  { key: "idle", label: "Last seen" },
];

export function MarketPage() {
  const { chain, cluster } = useApp();
  const market = useLoad(() => loadMarket(chain), [chain]);
  const [filter, setFilter] = useState("");
  const [activeOnly, setActiveOnly] = useState(true);
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: "priceOut", ascending: true });

  const rows: Row[] = useMemo(() => {
    if (!market.data) return [];
    const { slot } = market.data;
    return market.data.servers.flatMap(({ address, server }) => {
      const rep = getServerReputation(server);
      const base = {
        server: address,
        active: server.active,
        live: liveness(server, slot),
        idle: idleSlots(server, slot),
        completed: rep.completed,
        successBps: rep.successBps,
        success: successText(server),
        rating: ratingText(server),
        ratingX100: rep.avgRatingX100,
      };
      const models = server.models.length
        ? server.models
        : [{ hfId: "—", revision: "", quant: "", priceIn: 0n, priceOut: 0n, maxContext: 0 }];
      return models.map((m) => ({
        ...base,
        model: m.hfId,
        revision: m.revision,
        quant: m.quant,
        priceIn: m.priceIn,
        priceOut: m.priceOut,
      }));
    });
  }, [market.data]);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const filtered = rows.filter(
      (r) => (!activeOnly || r.active) && (!needle || r.model.toLowerCase().includes(needle) || r.server.toLowerCase().includes(needle)),
    );
    const dir = sort.ascending ? 1 : -1;
    return filtered.sort((a, b) => {
      const x: string | number | bigint = a[sort.key];
      const y: string | number | bigint = b[sort.key];
      const order = typeof x === "string" || typeof y === "string" ? String(x).localeCompare(String(y)) : x < y ? -1 : x > y ? 1 : 0;
      return order * dir;
    });
  }, [rows, filter, activeOnly, sort]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Market</h1>
          <p className="muted">Servers registered on-chain, what they serve and at what price, with the record the program keeps.</p>
        </div>
        <button className="button button-ghost" onClick={market.reload} disabled={market.loading}>
          {market.loading ? "Refreshing…" : "Refresh"}
        </button>
      </header>
      {market.error ? <ErrorNotice error={describeError(market.error, { rpcUrl: cluster.url })} /> : null}
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Filter by model or server</span>
          <input type="search" placeholder="Filter by model or server…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={activeOnly} onChange={(e) => setActiveOnly(e.target.checked)} /> Active only
        </label>
        <span className="muted small" data-testid="market-count">
          {shown.length} offer{shown.length === 1 ? "" : "s"} from {new Set(shown.map((r) => r.server)).size} server
          {new Set(shown.map((r) => r.server)).size === 1 ? "" : "s"}
        </span>
      </div>
      <div className="table-wrap card">
        <table className="market-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.label}
                  scope="col"
                  aria-sort={c.key && sort.key === c.key ? (sort.ascending ? "ascending" : "descending") : undefined}
                >
                  {c.key ? (
                    <button
                      className="sort"
                      onClick={() => setSort((s) => ({ key: c.key!, ascending: s.key === c.key ? !s.ascending : true }))}
                    >
                      {c.label}
                      <span aria-hidden>{sort.key === c.key ? (sort.ascending ? " ↑" : " ↓") : ""}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.server}-${r.model}-${r.revision}`} data-testid="market-row" data-server={r.server}>
                <td data-label="Server">
                  <a href={`#/market/${r.server}`} className="mono">
                    <span className={`dot dot-${r.live}`} title={r.live} aria-label={r.live} /> {shortAddress(r.server)}
                  </a>
                </td>
                <td data-label="Model">
                  <div className="model-name">{r.model}</div>
                  <div className="muted small mono">{r.revision ? `@${r.revision.slice(0, 12)}` : "any revision"}</div>
                </td>
                <td data-label="Quant">{r.quant || "—"}</td>
                <td data-label="In / 1M" className="num">
                  {formatSol(r.priceIn)}
                </td>
                <td data-label="Out / 1M" className="num">
                  {formatSol(r.priceOut)}
                </td>
                <td data-label="Completed" className="num">
                  {formatInteger(r.completed)}
                </td>
                <td data-label="Success" className="num">
                  {r.success}
                </td>
                <td data-label="Rating">{r.rating}</td>
                <td data-label="Last seen">{r.active ? `${slotsAgo(r.idle)} ago` : "inactive"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {market.data && shown.length === 0 ? <p className="empty">No server matches.</p> : null}
      </div>
      <p className="muted small">Prices in SOL per 1M tokens. Last seen: the server's last on-chain action (400 ms a slot).</p>
    </div>
  );
}
