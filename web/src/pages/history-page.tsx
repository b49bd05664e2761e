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

const STATUS_TEXT: Record<HistoryEntry["status"], string> = {
  open: "open",
  locked: "being answered",
  completed: "settled",
  cancelled: "cancelled",
  expired: "expired",
};

/** The end state in words: an expiry says whether a server had taken it, a settled one its rating. */
function statusText(entry: HistoryEntry): string {
  if (entry.status === "expired") return entry.expiredAfterLock ? "expired · abandoned by its server" : "expired · never taken";
  return entry.status === "completed" && entry.rating !== null ? `settled · rated ${entry.rating}/5` : STATUS_TEXT[entry.status];
}

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
      // Newest first: fetchHistory lists requests in the order they were created.
      setEntries(found.reverse());
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
            <li key={e.createSignature} className="card history-entry" data-testid="history-entry" data-status={e.status}>
              <div className="history-meta">
                <span className="model-tag">{e.model}</span>
                <span className={`phase phase-${e.status}`} data-testid="history-status">
                  {statusText(e)}
                </span>
                <AddressLink address={e.request} />
                {e.settlement ? (
                  <span className="muted small">
                    {e.settlement.cost !== null ? (
                      <>
                        cost <Amount lamports={e.settlement.cost} /> ·{" "}
                      </>
                    ) : null}
                    {formatInteger(e.settlement.tokensOut)} tokens out
                  </span>
                ) : null}
              </div>
              <div className="bubble bubble-user" data-testid="history-question">
                {question ?? (
                  <span className="muted">{e.promptMissing ?? "The prompt is not in this endpoint's transaction history."}</span>
                )}
              </div>
              {answer !== null ? (
                <div className="bubble bubble-answer" data-testid="history-answer">
                  {answer}
                </div>
              ) : null}
              {e.answerMissing ? (
                <p className="muted small" data-testid="history-answer-missing">
                  {answer !== null ? `Partial answer: ${e.answerMissing}.` : `No answer: ${e.answerMissing}.`}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
