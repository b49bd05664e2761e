/**
 * History: the connected wallet's requests, decrypted in this browser from chain data, and beside them its
 * sessions, which are not on chain: their answers are read from this browser's encrypted store. Every key comes
 * from the wallet's key root, one message signature kept in memory for this app session, so requests asked or
 * read in this session prompt nothing more.
 */
import { useState } from "react";
import { fetchHistory, type HistoryEntry } from "@chainference/client";
import { Amount } from "../components/amount";
import { AddressLink } from "../components/links";
import { ErrorNotice, Notice } from "../components/notice";
import { useApp } from "../lib/app-context";
import { describeError, type UserError } from "../lib/errors";
import { formatInteger } from "../lib/format";
import { sessionHistoryStore } from "../lib/session-history-store";
import { useWallet } from "../wallet/wallet-context";
import { decryptSessionHistory, type DecryptedSession } from "./session-history";

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
  const [sessions, setSessions] = useState<DecryptedSession[] | null>(null);
  const [sessionError, setSessionError] = useState<UserError | null>(null);

  const loadRequests = async () => {
    if (!signer) return;
    try {
      const found = await fetchHistory(chain, signer);
      // Newest first: fetchHistory lists requests in the order they were created.
      setEntries(found.reverse());
    } catch (e) {
      setError(describeError(e, { rpcUrl: cluster.url }));
    }
  };

  const loadSessions = async () => {
    if (!signer) return;
    try {
      setSessions(await decryptSessionHistory(sessionHistoryStore(cluster.url, signer.address), signer));
    } catch (e) {
      setSessionError(describeError(e, { rpcUrl: cluster.url }));
    }
  };

  // Both at once: the key root is one signature, shared (the SDK keeps the pending one for this signer).
  const load = async () => {
    setLoading(true);
    setError(null);
    setSessionError(null);
    await Promise.all([loadRequests(), loadSessions()]);
    setLoading(false);
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>History</h1>
          <p className="muted">
            Your questions and answers, decrypted here with one wallet signature: requests from chain data, sessions from this
            browser&apos;s encrypted storage. No server keeps them for you.
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
      {entries || sessions ? <h2>Requests (on chain)</h2> : null}
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
      {sessions || sessionError ? <SessionHistory sessions={sessions} error={sessionError} /> : null}
    </div>
  );
}

/** The wallet's sessions, from this browser's store: per session its server, model, answers and what they cost. */
function SessionHistory({ sessions, error }: { sessions: DecryptedSession[] | null; error: UserError | null }) {
  return (
    <section aria-labelledby="session-history-title" data-testid="session-history">
      <h2 id="session-history-title">Sessions (this browser only)</h2>
      <p className="muted small">
        Session answers are paid by vouchers and streamed off chain: they are not on chain, and this browser keeps the only copy, encrypted
        under a key from your wallet&apos;s signature. Another browser, or clearing this site&apos;s data, loses them.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {sessions && sessions.length === 0 ? <Notice>No sessions from this wallet on this cluster in this browser.</Notice> : null}
      <ol className="history">
        {sessions?.map((s) => (
          <li key={s.session} className="card history-entry" data-testid="session-history-entry">
            <div className="history-meta">
              <span className="model-tag">{s.model}</span>
              <span className="muted small">
                session <AddressLink address={s.session} /> · server <AddressLink address={s.server} />
              </span>
              <span className="muted small">
                {formatInteger(s.entries.length)} answer{s.entries.length === 1 ? "" : "s"} · cost{" "}
                <Amount lamports={s.cost} testId="session-history-cost" />
              </span>
            </div>
            {s.failure ? (
              <Notice tone="error">
                <span data-testid="session-history-failure">{s.failure}</span>
              </Notice>
            ) : null}
            {s.entries.length === 0 && !s.failure ? <p className="muted small">No answer was saved in this session.</p> : null}
            {s.entries.map((e) => (
              <div key={e.answer} className="session-history-answer" data-testid="session-history-answer">
                <div className="bubble bubble-user" data-testid="session-history-question">
                  {e.prompt.messages.findLast((m) => m.role === "user")?.content ?? ""}
                </div>
                <div className="bubble bubble-answer" data-testid="session-history-text">
                  {e.text}
                </div>
                <p className="muted small">
                  {formatInteger(e.tokensOut)} tokens out · cost <Amount lamports={e.lamports} testId="session-history-answer-cost" /> ·{" "}
                  {new Date(e.at).toLocaleString()}
                </p>
              </div>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}
