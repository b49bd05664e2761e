/**
 * History: the connected wallet's requests, decrypted in this browser from chain data. Every key comes from the
 * wallet's key root, one message signature kept in memory for this app session, so requests asked or read in
 * this session prompt nothing more.
 */
import { useState } from "react";
import { fetchHistory, type HistoryEntry } from "@chainference/client";
import { Amount } from "../components/amount";
import { AddressLink } from "../components/links";
import { ErrorNotice, Notice } from "../components/notice";
import { useApp } from "../lib/app-context";
import { describeError, type UserError } from "../lib/errors";
import { formatInteger } from "../lib/format";
import { useWallet } from "../wallet/wallet-context";

const STATUS_TEXT: Record<HistoryEntry["status"], string> = { open: "open", locked: "being answered", completed: "settled" };

export function HistoryPage() {
  const { chain, cluster } = useApp();
  const { signer } = useWallet();
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<UserError | null>(null);

  const load = async () => {
    if (!signer) return;
    setLoading(true);
    setError(null);
    try {
      const found = await fetchHistory(chain, signer);
      setEntries(found.sort((a, b) => Number((b.response?.completedSlot ?? 0n) - (a.response?.completedSlot ?? 0n))));
    } catch (e) {
      setError(describeError(e, { rpcUrl: cluster.url }));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>History</h1>
          <p className="muted">
            Your questions and answers, decrypted here from chain data and one wallet signature. Nothing is stored by this app or any
            server.
          </p>
        </div>
        {signer ? (
          <button className="button button-primary" onClick={() => void load()} disabled={loading} data-testid="decrypt-history">
            {loading ? "Decrypting…" : entries ? "Refresh" : "Decrypt my history"}
          </button>
        ) : null}
      </header>
      {!signer ? <Notice>Connect a wallet to read its history.</Notice> : null}
      {signer && !entries && !loading ? (
        <Notice>Your wallet will ask you to sign once: the signature re-creates the keys of every request, in this browser only.</Notice>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {entries && entries.length === 0 ? <Notice>No requests from this wallet on this cluster.</Notice> : null}
      {entries ? (
        <p className="muted small" data-testid="history-summary">
          {entries.length} request{entries.length === 1 ? "" : "s"} · wallet prompts this session: {signer?.prompts() ?? 0}
        </p>
      ) : null}
      <ol className="history">
        {entries?.map((e) => {
          const question = e.decrypted.prompt?.messages.findLast((m) => m.role === "user")?.content;
          const answer = e.decrypted.response ? new TextDecoder().decode(e.decrypted.response.plaintext) : null;
          return (
            <li key={e.request} className="card history-entry" data-testid="history-entry">
              <div className="history-meta">
                <span className="model-tag">{e.model ?? "model unknown"}</span>
                <span className={`phase phase-${e.status}`}>{STATUS_TEXT[e.status]}</span>
                <AddressLink address={e.request} />
                {e.response?.completed ? (
                  <span className="muted small">
                    cost <Amount lamports={e.response.cost} /> · {formatInteger(e.response.tokensOut)} tokens out
                  </span>
                ) : null}
              </div>
              <div className="bubble bubble-user" data-testid="history-question">
                {question ?? <span className="muted">The prompt is no longer on-chain (this endpoint keeps no transaction history).</span>}
              </div>
              {answer !== null ? (
                <div className="bubble bubble-answer" data-testid="history-answer">
                  {answer}
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
