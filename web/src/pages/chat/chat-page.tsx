/**
 * Chat: pick a model from the on-chain market, set the terms, ask in a session or per request, watch the answer
 * stream in, see what it cost.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { Address, Signature } from "@solana/kit";
import {
  checkEligibility,
  encodePromptPayload,
  getServerReputation,
  MAX_ALLOWED_SERVERS,
  PROMPT_CIPHERTEXT_OVERHEAD,
  type ServerWithAddress,
} from "@chainference/client";
import { SESSION_ACCOUNT_SIZE } from "@chainference/client/sessions";
import { address as toAddress } from "@solana/kit";
import { Amount } from "../../components/amount";
import { AmountInput, type AmountValue } from "../../components/amount-input";
import { CurrencySettings } from "../../components/currency-settings";
import { AddressLink, TxLink } from "../../components/links";
import { ErrorNotice, Notice } from "../../components/notice";
import { useApp } from "../../lib/app-context";
import { describeError, type UserError } from "../../lib/errors";
import { formatInteger, formatSol } from "../../lib/format";
import { loadMarket, marketModels } from "../../lib/market";
import { sessionHistoryStore } from "../../lib/session-history-store";
import { useLoad } from "../../lib/use-load";
import { useWallet } from "../../wallet/wallet-context";
import { EligibilityPanel, type Verdict } from "./eligibility-panel";
import { ASK_MODES, type AnswerSettlement, type AskContext, type AskModeId, type AskTerms } from "./modes";
import { askPerRequest } from "./per-request";
import type { AppSession, CloseStep, SessionAnswerCost, SessionOffer } from "./session-mode";
import { SessionCard, type CloseState } from "./session-card";

/** The session mode's code, fetched when first needed (it is not on the first paint's path). */
const loadSessionMode = () => import("./session-mode");

/** The default stake of a request, and deposit of a session: 0.01 SOL. */
const DEFAULT_STAKE = 10_000_000n;
const DEFAULT_MAX_TOKENS = 128;
/** Transaction fees a request pays besides the stake: create + a few prompt appends, and a cancel if it comes to that. */
const FEE_ALLOWANCE = 20_000n;

type HandOffNote = { readonly from: Address; readonly to: Address; readonly transaction: Signature };

type Turn = {
  readonly id: number;
  readonly question: string;
  readonly model: string;
  readonly mode: AskModeId;
  phase: "posting" | "opening" | "open" | "streaming" | "settled" | "answered" | "cancelled" | "expired" | "failed";
  answer: string;
  chunks: number;
  request?: Address;
  server?: Address;
  settlement?: AnswerSettlement;
  /** Per request: servers that did not take it in time, and who it was handed to. */
  handOffs?: readonly HandOffNote[];
  /** Session answers: what the vouchers signed so far for this answer add up to, then its final cost. */
  answerLamports?: bigint;
  sessionCost?: SessionAnswerCost;
  error?: UserError;
};

export function ChatPage() {
  const { chain, cluster } = useApp();
  const { signer } = useWallet();
  const market = useLoad(() => loadMarket(chain), [chain]);
  const models = useMemo(() => marketModels(market.data?.servers ?? []), [market.data]);
  const [model, setModel] = useState("");
  /** The user's pick; null: a session where the best eligible server offers one, else per request. */
  const [modeChoice, setModeChoice] = useState<AskModeId | null>(null);
  const [stakeValue, setStakeValue] = useState<AmountValue>(DEFAULT_STAKE);
  const [maxPriceValue, setMaxPriceValue] = useState<AmountValue>(undefined);
  const [offer, setOffer] = useState<SessionOffer | null | "probing">(null);
  const [appSession, setAppSession] = useState<AppSession | null>(null);
  const [closing, setClosing] = useState<CloseState | null>(null);
  const [maxTokens, setMaxTokens] = useState(DEFAULT_MAX_TOKENS);
  const [question, setQuestion] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [formError, setFormError] = useState<UserError | null>(null);
  const running = useRef<AbortController | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const busy = turns.some((t) => t.phase === "posting" || t.phase === "opening" || t.phase === "open" || t.phase === "streaming");

  useEffect(() => {
    if (!model && models[0]) setModel(models[0].model);
  }, [models, model]);

  const offers = useMemo(
    () => (market.data?.servers ?? []).flatMap((s) => (s.server.active ? s.server.models.filter((m) => m.hfId === model) : [])),
    [market.data, model],
  );
  // The default max price lets every server offering the model answer; the stake caps what is spent anyway.
  const highestPrice = offers.reduce((max, m) => [max, m.priceIn, m.priceOut].reduce((a, b) => (b > a ? b : a)), 0n);
  const maxPrice = maxPriceValue === undefined ? highestPrice : maxPriceValue;
  const stake = stakeValue ?? null;
  const promptBytes =
    encodePromptPayload({ v: 1, messages: [{ role: "user", content: question || " " }], maxTokens }).length + PROMPT_CIPHERTEXT_OVERHEAD;

  const verdicts: Verdict[] = useMemo(() => {
    if (!market.data || stake === null || maxPrice === null) return [];
    const draft = { model, maxPriceIn: maxPrice, maxPriceOut: maxPrice, promptBytes, stake };
    return market.data.servers.map((entry) => ({ entry, verdict: checkEligibility(draft, entry.address, entry.server) }));
  }, [market.data, model, maxPrice, stake, promptBytes]);
  const eligible: ServerWithAddress[] = verdicts
    .filter((v) => v.verdict.eligible)
    .map((v) => v.entry)
    .sort((a, b) => getServerReputation(b.server).successBps - getServerReputation(a.server).successBps)
    .slice(0, MAX_ALLOWED_SERVERS);

  const eligibleKey = eligible.map((e) => e.address).join(",");
  // Which eligible server (best first) answers sessions for the model: that decides the default mode.
  useEffect(() => {
    if (!model || eligible.length === 0) return setOffer(null);
    const probing = new AbortController();
    setOffer("probing");
    loadSessionMode()
      .then((m) => m.findSessionOffer(eligible, model, probing.signal))
      .then(
        (found) => probing.signal.aborted || setOffer(found),
        () => probing.signal.aborted || setOffer(null),
      );
    return () => probing.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, eligibleKey]);
  const sessionAvailable = appSession !== null || (offer !== null && offer !== "probing");
  const mode: AskModeId = sessionAvailable ? (modeChoice ?? "session") : "per-request";

  const update = (id: number, change: Partial<Turn> | ((t: Turn) => Partial<Turn>)) =>
    setTurns((all) => all.map((t) => (t.id === id ? { ...t, ...(typeof change === "function" ? change(t) : change) } : t)));

  // A block body: scrollIntoView returns a promise in current browsers, and an effect may return only a cleanup.
  useEffect(() => {
    void bottom.current?.scrollIntoView({ block: "end" });
  }, [turns.length]);

  const ask = async () => {
    setFormError(null);
    if (!signer)
      return setFormError({ kind: "other", title: "Connect a wallet to ask.", hint: "Use the Connect wallet button at the top." });
    if (!market.data) return;
    const amountName = mode === "session" ? "deposit" : "stake";
    if (stake === null || stake < market.data.config.minStake)
      return setFormError({ kind: "other", title: `The ${amountName} must be at least ${formatSol(market.data.config.minStake)} SOL.` });
    if (maxPrice === null) return setFormError({ kind: "other", title: "The max price is not an amount." });
    if (mode === "session" && appSession && closing && !closing.error)
      return setFormError({
        kind: "other",
        title: "Your session is closing.",
        hint: "Ask again once it is closed (a new session opens), or switch the mode to per request.",
      });
    if (mode === "session" && appSession && appSession.model !== model)
      return setFormError({
        kind: "other",
        title: `Your open session is for ${appSession.model}.`,
        hint: "Close the session to ask another model, or switch the mode to per request.",
      });
    if (eligible.length === 0 && !(mode === "session" && appSession))
      return setFormError({
        kind: "other",
        title: "No eligible server for these terms.",
        hint: "See why each server is excluded in the panel; raise the max price or the stake, or pick another model.",
      });
    if (!(mode === "session" && appSession)) {
      // Opening a session also pays the account's rent (returned when it is freed).
      const rent = mode === "session" ? await chain.getMinimumBalanceForRentExemption(SESSION_ACCOUNT_SIZE).catch(() => 0n) : 0n;
      const balance = await chain.getBalance(signer.address).catch(() => null);
      if (balance !== null && balance < stake + rent + FEE_ALLOWANCE)
        return setFormError({
          kind: "funds",
          title: `Your wallet holds ${formatSol(balance)} SOL: not enough for a ${formatSol(stake)} SOL ${amountName} and fees.`,
          hint: `Fund it (on a local chain: chainference airdrop 1 --url localnet), or lower the ${amountName}.`,
        });
    }
    const id = Date.now();
    const text = question.trim();
    setTurns((all) => [
      ...all,
      { id, question: text, model, mode, phase: mode === "session" ? "opening" : "posting", answer: "", chunks: 0 },
    ]);
    setQuestion("");
    const controller = new AbortController();
    running.current = controller;
    const ctx: AskContext = { chain, signer, signal: controller.signal };
    const terms: AskTerms = {
      model,
      question: text,
      maxTokens,
      servers: eligible,
      stake,
      maxPriceIn: maxPrice,
      maxPriceOut: maxPrice,
      feeBps: market.data.config.feeBps,
    };
    try {
      if (mode === "session") await askSessionTurn(id, ctx, terms);
      else
        await askPerRequest(ctx, terms, {
          onPosted: (request) => update(id, { phase: "open", request }),
          onHandOff: (from, to, transaction) => update(id, (t) => ({ handOffs: [...(t.handOffs ?? []), { from, to, transaction }] })),
          onLocked: (server) => update(id, { phase: "streaming", server }),
          onChunk: (piece) => update(id, (t) => ({ phase: "streaming", answer: t.answer + piece, chunks: t.chunks + 1 })),
          onSettled: (settlement) => update(id, { phase: "settled", settlement }),
          onEnded: (reason) => update(id, { phase: reason }),
        });
    } catch (e) {
      update(id, { phase: controller.signal.aborted ? "cancelled" : "failed", error: describeError(e, { rpcUrl: cluster.url }) });
    } finally {
      running.current = null;
      market.reload();
    }
  };

  /** One answer in the open session, opening it first (session keys, then the deposit) when there is none. */
  const askSessionTurn = async (id: number, ctx: AskContext, terms: AskTerms) => {
    const sessions = await loadSessionMode();
    let session = appSession;
    if (!session) {
      const found = offer !== null && offer !== "probing" ? offer : await sessions.findSessionOffer(terms.servers, terms.model, ctx.signal);
      if (!found) throw new Error("No eligible server answers sessions any more: switch the mode to per request.");
      session = await sessions.openAppSession(ctx, {
        offer: found,
        model: terms.model,
        deposit: terms.stake,
        maxPriceIn: terms.maxPriceIn,
        maxPriceOut: terms.maxPriceOut,
        history: sessionHistoryStore(cluster.url, ctx.signer.address),
      });
      setAppSession(session);
      setClosing(null);
    } else {
      const left = session.deposit - session.progress.committed.lamports;
      if (left < sessions.worstAnswerCost(session, promptBytes, terms.maxTokens))
        throw new Error(
          "This session's deposit may not cover another answer of this length: close it and open a new one, or ask for fewer tokens.",
        );
    }
    update(id, { phase: "streaming", server: session.server, answerLamports: 0n });
    await sessions.askInAppSession(ctx, session, terms, {
      onChunk: (piece, _index, answerLamports) => update(id, (t) => ({ answer: t.answer + piece, chunks: t.chunks + 1, answerLamports })),
      onAnswered: (cost) => update(id, { phase: "answered", sessionCost: cost, answerLamports: cost.lamports }),
    });
  };

  const closeSession = async () => {
    if (!signer || !appSession) return;
    const session = appSession;
    setClosing({ session, steps: [], done: false });
    const onStep = (step: CloseStep) =>
      setClosing((c) =>
        c
          ? {
              ...c,
              // The countdown and the "requesting" line are replaced by the next step.
              steps: [...c.steps.filter((s) => s.type !== "waiting" && s.type !== "forcing"), step],
              done: step.type === "closed",
            }
          : c,
      );
    try {
      const sessions = await loadSessionMode();
      await sessions.closeAppSession({ chain, signer, signal: new AbortController().signal }, session, onStep);
      setAppSession(null);
    } catch (e) {
      setClosing((c) => (c ? { ...c, error: describeError(e, { rpcUrl: cluster.url }) } : c));
    }
  };

  const modeInfo = ASK_MODES.find((m) => m.id === mode)!;
  return (
    <div className="chat-layout">
      <section className="conversation" aria-label="Conversation">
        {turns.length === 0 ? (
          <div className="empty-chat">
            <h1>Ask privately, pay per answer</h1>
            <p className="muted">
              Your question is encrypted in this browser for the servers you allow. The answer streams back encrypted through the chain;
              only your wallet can read it. You pay at most your stake, and the unused part comes back.
            </p>
          </div>
        ) : (
          <ol className="turns">
            {turns.map((t) => (
              <TurnView key={t.id} turn={t} onCancel={() => running.current?.abort()} />
            ))}
          </ol>
        )}
        <div ref={bottom} />
        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            void ask();
          }}
        >
          {formError ? <ErrorNotice error={formError} /> : null}
          <label htmlFor="question" className="visually-hidden">
            Your question
          </label>
          <textarea
            id="question"
            rows={2}
            placeholder={model ? `Ask ${model.split("/").pop()}…` : "Ask…"}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                if (question.trim() && !busy) void ask();
              }
            }}
          />
          <button className="button button-primary" type="submit" disabled={!question.trim() || busy || !model}>
            {busy ? "Answering…" : "Ask"}
          </button>
        </form>
      </section>

      <aside className="terms card" aria-label="Request terms">
        <h2>Request terms</h2>
        {market.error && !market.data ? <ErrorNotice error={describeError(market.error, { rpcUrl: cluster.url })} /> : null}
        {market.data && models.length === 0 ? (
          <Notice>
            No server offers a model on this cluster yet. Start one with chainference serve, or register yours on the Provider page.
          </Notice>
        ) : null}
        <fieldset className="mode-switch">
          <legend>Mode</legend>
          {ASK_MODES.map((m) => {
            const available = m.id !== "session" || sessionAvailable;
            return (
              <label key={m.id} className={available ? "" : "disabled"}>
                <input
                  type="radio"
                  name="mode"
                  value={m.id}
                  checked={mode === m.id}
                  disabled={!available || busy}
                  onChange={() => setModeChoice(m.id)}
                />
                {m.label}
              </label>
            );
          })}
          <p className="muted small" data-testid="mode-description">
            {modeInfo.description}
            {sessionAvailable
              ? null
              : offer === "probing"
                ? " Looking for a server that offers sessions…"
                : " No eligible server offers sessions for this model."}
          </p>
        </fieldset>
        <div className="field">
          <label htmlFor="model">Model</label>
          <select id="model" value={model} onChange={(e) => setModel(e.target.value)} disabled={models.length === 0}>
            {models.map((m) => (
              <option key={m.model} value={m.model}>
                {m.model} ({m.servers} server{m.servers === 1 ? "" : "s"})
              </option>
            ))}
          </select>
        </div>
        {appSession || closing ? (
          <SessionCard
            session={appSession ?? closing!.session}
            closing={closing}
            open={appSession !== null}
            onClose={() => void closeSession()}
            busy={busy}
          />
        ) : null}
        <CurrencySettings />
        <div className="field">
          <label htmlFor="stake">
            {mode === "session"
              ? "Deposit: what the session may spend (the rest comes back at close)"
              : "Stake: the most this answer may cost"}
          </label>
          <AmountInput id="stake" value={stakeValue} onChange={setStakeValue} />
        </div>
        <div className="field">
          <label htmlFor="max-price">Max price per 1M tokens (in and out)</label>
          <AmountInput id="max-price" value={maxPriceValue} onChange={setMaxPriceValue} placeholder={highestPrice} />
        </div>
        <div className="field">
          <label htmlFor="max-tokens">Answer length (max tokens)</label>
          <input
            id="max-tokens"
            type="number"
            min={1}
            max={4096}
            value={maxTokens}
            onChange={(e) => setMaxTokens(Math.max(1, Math.min(4096, Number(e.target.value) || 1)))}
          />
        </div>
        {market.data && model ? <EligibilityPanel verdicts={verdicts} model={model} /> : null}
      </aside>
    </div>
  );
}

const PHASE_TEXT: Record<Turn["phase"], string> = {
  posting: "Encrypting and posting your request…",
  opening: "Opening a session: sign the session key, then the deposit…",
  answered: "Answered",
  open: "Waiting for a server to take the request…",
  streaming: "Answering…",
  settled: "Settled",
  cancelled: "Cancelled: your stake is back",
  expired: "No server answered in time: your stake is back",
  failed: "Failed",
};

function TurnView({ turn, onCancel }: { turn: Turn; onCancel(): void }) {
  return (
    <li className="turn" data-testid="turn" data-phase={turn.phase}>
      <div className="bubble bubble-user">{turn.question}</div>
      <div className="bubble bubble-answer">
        <div className="answer-meta">
          <span className="model-tag">{turn.model}</span>
          <span className={`phase phase-${turn.phase}`} role="status" aria-live="polite" data-testid="phase">
            {PHASE_TEXT[turn.phase]}
          </span>
          {turn.mode === "session" && turn.answerLamports !== undefined && turn.phase === "streaming" ? (
            <span className="running-cost" data-testid="running-cost">
              <Amount lamports={turn.answerLamports} testId="running-cost-amount" /> so far
            </span>
          ) : null}
          {turn.phase === "open" || turn.phase === "posting" ? (
            <button
              className="button button-small button-ghost"
              onClick={onCancel}
              disabled={turn.phase === "posting"}
              data-testid="cancel"
            >
              Cancel
            </button>
          ) : null}
        </div>
        {turn.handOffs?.length ? (
          <ul className="hand-offs" data-testid="hand-offs">
            {turn.handOffs.map((h) => (
              <li key={h.transaction} data-testid="hand-off">
                Server <AddressLink address={h.from} /> did not take it; handed to <AddressLink address={h.to} /> (
                <TxLink signature={h.transaction} />
                ).
              </li>
            ))}
          </ul>
        ) : null}
        {turn.answer || turn.phase === "streaming" ? (
          <div className="answer-text" data-testid="answer" data-chunks={turn.chunks} aria-live="polite">
            {turn.answer}
            {turn.phase === "streaming" ? <span className="caret" aria-hidden /> : null}
          </div>
        ) : turn.phase === "open" || turn.phase === "posting" || turn.phase === "opening" ? (
          <div className="typing" aria-hidden>
            <span />
            <span />
            <span />
          </div>
        ) : null}
        {turn.error ? <ErrorNotice error={turn.error} /> : null}
        {turn.settlement ? <SettlementView settlement={turn.settlement} request={turn.request!} /> : null}
        {turn.sessionCost ? <SessionCostView cost={turn.sessionCost} /> : null}
      </div>
    </li>
  );
}

function SettlementView({ settlement, request }: { settlement: AnswerSettlement; request: Address }) {
  const rows: [string, bigint, string][] = [
    ["Stake", settlement.stake, "stake"],
    ["Cost", settlement.cost, "cost"],
    ["Protocol fee", settlement.fee, "fee"],
    ["Server payout", settlement.serverPayout, "payout"],
    ["Refund", settlement.refund, "refund"],
  ];
  return (
    <details className="settlement" data-testid="settlement" open>
      <summary>
        Paid <Amount lamports={settlement.cost} /> for {formatInteger(settlement.tokensIn)} tokens in, {formatInteger(settlement.tokensOut)}{" "}
        out
      </summary>
      <dl className="settlement-grid">
        {rows.map(([label, value, id]) => (
          <div key={id}>
            <dt>{label}</dt>
            <dd>
              <Amount lamports={value} testId={`settlement-${id}`} />
            </dd>
          </div>
        ))}
        <div>
          <dt>Server</dt>
          <dd>
            <AddressLink address={settlement.server} />
          </dd>
        </div>
        <div>
          <dt>Request</dt>
          <dd>
            <AddressLink address={toAddress(request)} />
          </dd>
        </div>
      </dl>
      <details className="tx-details">
        <summary>
          {settlement.transactions.length} transactions (request, prompt, lock,{" "}
          {settlement.transactions.length > 4 ? "answer chunks, " : ""}
          settlement) in the explorer
        </summary>
        <div className="tx-list">
          {settlement.transactions.map((s) => (
            <TxLink key={s} signature={s} />
          ))}
        </div>
      </details>
    </details>
  );
}

function SessionCostView({ cost }: { cost: SessionAnswerCost }) {
  return (
    <div className="session-cost" data-testid="session-cost">
      Paid <Amount lamports={cost.lamports} testId="session-answer-cost" /> by voucher for {formatInteger(cost.tokensIn)} tokens in,{" "}
      {formatInteger(cost.tokensOut)} out · session total <Amount lamports={cost.sessionLamports} testId="session-total" /> of{" "}
      <Amount lamports={cost.deposit} /> deposited
      {cost.notSaved ? (
        <div className="muted small" data-testid="session-not-saved">
          Not kept in this browser&apos;s history: {cost.notSaved}
        </div>
      ) : null}
    </div>
  );
}
