/** One server: its listing, its reputation counters, and the on-chain events that moved them. */
import { address as toAddress } from "@solana/kit";
import { getServerDecoder, getServerReputation } from "@chainference/client";
import { Amount } from "../../components/amount";
import { AddressLink, TxLink } from "../../components/links";
import { ErrorNotice, Notice } from "../../components/notice";
import { useApp } from "../../lib/app-context";
import { describeError } from "../../lib/errors";
import { formatInteger, formatSol, shortAddress, slotsAgo } from "../../lib/format";
import { idleSlots, liveness, ratingText, successText } from "../../lib/market";
import { serverEvents } from "../../lib/server-events";
import { useLoad } from "../../lib/use-load";

export function ServerDetail({ server }: { server: string }) {
  const { chain, cluster } = useApp();
  const data = useLoad(async () => {
    const address = toAddress(server);
    const [account, slot, events] = await Promise.all([chain.getAccount(address), chain.getSlot(), serverEvents(chain, address)]);
    return { address, server: account ? getServerDecoder().decode(account.data) : null, slot, events };
  }, [chain, server]);
  if (data.error) return <ErrorNotice error={describeError(data.error, { rpcUrl: cluster.url })} />;
  if (!data.data) return <p className="muted">Loading…</p>;
  const { server: s, slot, events } = data.data;
  if (!s) return <Notice>No server account at {server} on this cluster.</Notice>;
  const rep = getServerReputation(s);
  return (
    <div className="page">
      <p>
        <a href="#/market">← Market</a>
      </p>
      <header className="page-header">
        <div>
          <h1>
            Server <span className="mono">{shortAddress(server, 6)}</span>
          </h1>
          <p className="muted mono small break">{server}</p>
          <p className="muted">
            <span className={`dot dot-${liveness(s, slot)}`} />{" "}
            {s.active ? `active, last seen ${slotsAgo(idleSlots(s, slot))} ago` : "inactive"} · operator{" "}
            <AddressLink address={s.operator} /> · key epoch {s.keyEpoch}
            {s.endpoint ? ` · ${s.endpoint}` : ""}
          </p>
        </div>
      </header>
      <div className="stats">
        <Stat label="Completed" value={formatInteger(rep.completed)} />
        <Stat label="Expired" value={formatInteger(rep.expired)} />
        <Stat label="Success" value={successText(s)} />
        <Stat label="Rating" value={ratingText(s)} />
        <Stat label="Tokens out" value={formatInteger(rep.tokensOut)} />
        <Stat label="Earned" value={<Amount lamports={rep.lamportsEarned} />} />
        <Stat label="First chunk" value={rep.avgFirstChunkSlots === null ? "—" : `~${(rep.avgFirstChunkSlots * 0.4).toFixed(1)} s`} />
        <Stat label="Active locks" value={String(s.activeLocks)} />
      </div>
      <section className="card">
        <h2>Models</h2>
        <div className="scroll-x">
          <table className="plain-table">
            <thead>
              <tr>
                <th scope="col">Hugging Face id</th>
                <th scope="col">Revision</th>
                <th scope="col">Quant</th>
                <th scope="col">In / 1M</th>
                <th scope="col">Out / 1M</th>
                <th scope="col">Context</th>
              </tr>
            </thead>
            <tbody>
              {s.models.map((m) => (
                <tr key={`${m.hfId}@${m.revision}`}>
                  <td>
                    <a href={`https://huggingface.co/${m.hfId}`} target="_blank" rel="noreferrer">
                      {m.hfId}
                    </a>
                  </td>
                  <td className="mono">{m.revision || "any"}</td>
                  <td>{m.quant}</td>
                  <td className="num">{formatSol(m.priceIn)} SOL</td>
                  <td className="num">{formatSol(m.priceOut)} SOL</td>
                  <td className="num">{formatInteger(m.maxContext)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card">
        <h2>Reputation history</h2>
        {events.length === 0 ? (
          <p className="muted">No events in this endpoint's transaction history.</p>
        ) : (
          <ol className="events">
            {events.map((e) => (
              <li key={`${e.signature}-${e.what}`}>
                <span className="muted">slot {formatInteger(e.slot)}</span> {e.what} <TxLink signature={e.signature} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="stat card">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}
