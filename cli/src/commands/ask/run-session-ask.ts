/**
 * One question through a session, shared by `ask --session` and `demo`: preview eligibility, reuse an open session
 * of this wallet with an eligible server (or open one with the best), stream the decrypted answer, print its cost,
 * the session's running total and the transactions sent (1 for the open, 0 after).
 */
import type { KeyPairSigner } from "@solana/kit";
import { encodePromptPayload, fetchProtocolConfig, type PromptPayload } from "@chainference/client";
import { askInSession, SESSION_ACCOUNT_SIZE, type SessionAnswerResult } from "@chainference/client/sessions";
import type { Session } from "../../shared/context/session";
import { CliError } from "../../shared/errors/cli-error";
import { formatInteger, formatSol } from "../../shared/output/units";
import { sessionHistoryStorage } from "../../shared/sessions/history-dir";
import { openClientSession, reuseSession, worstAnswerCost, type ClientSession } from "../../shared/sessions/client-session";
import { assertSomeEligible, previewEligibility, printEligibility, type AskTerms } from "./eligibility";

/** Lamports set aside for the open transaction's fee. */
const FEE_HEADROOM = 20_000n;

export type SessionAskResult = {
  readonly live: ClientSession;
  readonly result: SessionAnswerResult;
  /** Milliseconds from the ask to the first decrypted text. */
  readonly firstTextMs: number | null;
};

/**
 * Finds or opens the session for `terms` (deposit = `terms.stake` when a session is opened).
 *
 * @example
 * const live = await acquireSession(session, wallet, terms, payload);
 */
export async function acquireSession(
  session: Session,
  wallet: KeyPairSigner,
  terms: AskTerms,
  payload: PromptPayload,
  options: {
    readonly graceSlots?: bigint;
    readonly quiet?: boolean;
    /** Servers not to use (the gateway's failover: they failed an answer). */
    readonly exclude?: ReadonlySet<string>;
  } = {},
): Promise<ClientSession> {
  const { chain, out } = session;
  const config = await fetchProtocolConfig(chain);
  if (config.paused) throw new CliError("the protocol is paused by its admin: no new sessions are opened; try again later");
  const preview = await previewEligibility(chain, terms, payload);
  if (!options.quiet) printEligibility(out, terms, preview);
  assertSomeEligible(preview, terms);
  const withEndpoint = preview.eligible.filter((s) => s.server.endpoint !== "" && !options.exclude?.has(s.address));
  if (withEndpoint.length === 0)
    throw new CliError(
      `no eligible server for ${terms.model} publishes a session endpoint: ask without --session (the per-request path), or see 'chainference servers'`,
    );
  const promptBytes = encodePromptPayload(payload).length;
  const worst = (prices: { priceIn: bigint; priceOut: bigint }) => worstAnswerCost(prices, promptBytes, payload.maxTokens);
  const reused = await reuseSession(chain, wallet, terms, withEndpoint, worst, (address, why) =>
    out.debug(`not reusing session ${address}: ${why}`),
  );
  if (reused) return reused;
  const best = withEndpoint[0]!;
  if (terms.stake < config.minStake)
    throw new CliError(
      `--deposit ${formatSol(terms.stake)} SOL is below the protocol minimum of ${formatSol(config.minStake)} SOL: raise --deposit`,
      2,
    );
  const needed = worst(best.offer);
  if (terms.stake < needed)
    throw new CliError(
      `--deposit ${formatSol(terms.stake)} SOL does not cover one answer of ${payload.maxTokens} tokens at this server's prices (up to ${formatSol(needed)} SOL): raise --deposit or lower --max-tokens`,
      2,
    );
  const rent = await chain.getMinimumBalanceForRentExemption(SESSION_ACCOUNT_SIZE);
  const balance = await chain.getBalance(wallet.address);
  if (balance < terms.stake + rent + FEE_HEADROOM)
    throw new CliError(
      `wallet ${wallet.address} holds ${formatSol(balance)} SOL; this session needs ${formatSol(terms.stake + rent + FEE_HEADROOM)} SOL (deposit ${formatSol(terms.stake)} + refundable rent ${formatSol(rent)} + fees): fund it or lower --deposit`,
    );
  if (!options.quiet) out.progress(`Opening a session with server ${best.address} (deposit ${formatSol(terms.stake)} SOL)…`);
  return openClientSession(
    chain,
    wallet,
    terms,
    best,
    terms.stake,
    options.graceSlots === undefined ? {} : { graceSlots: options.graceSlots },
  );
}

/**
 * Asks one question in `live`, streaming the decrypted text to `onText`, saving the answer to the local history
 * (unless `keepHistory: false`: the demo's throw-away wallet).
 *
 * @example
 * const { result } = await askOnce(live, payload, (text) => out.write(text));
 */
export async function askOnce(
  live: ClientSession,
  payload: PromptPayload,
  onText: (text: string) => void,
  signal?: AbortSignal,
  options: { readonly keepHistory?: boolean } = {},
): Promise<{ result: SessionAnswerResult; firstTextMs: number | null }> {
  const started = performance.now();
  let firstTextMs: number | null = null;
  const answer = askInSession({
    connection: live.connection,
    progress: live.progress,
    payload,
    ...(options.keepHistory === false ? {} : { history: sessionHistoryStorage() }),
    ...(signal ? { signal } : {}),
  });
  for await (const delta of answer) {
    firstTextMs ??= performance.now() - started;
    onText(delta.text);
  }
  return { result: await answer.result, firstTextMs };
}

/**
 * Runs `ask --session` end to end and prints it (text) or returns it for `--json`.
 *
 * @example
 * await runSessionAsk(session, wallet, terms, payload);
 */
export async function runSessionAsk(
  session: Session,
  wallet: KeyPairSigner,
  terms: AskTerms,
  payload: PromptPayload,
  options: { readonly signal?: AbortSignal; readonly graceSlots?: bigint } = {},
): Promise<SessionAskResult> {
  const { out } = session;
  const live = await acquireSession(
    session,
    wallet,
    terms,
    payload,
    options.graceSlots === undefined ? {} : { graceSlots: options.graceSlots },
  );
  const { account } = live;
  if (live.opened)
    out.progress(
      `Opened session ${account.address} in 1 transaction (${session.transactionText(live.opened.signature)}, fee ${formatInteger(live.opened.fee)} lamports).`,
    );
  else
    out.progress(
      `Reusing session ${account.address} with server ${account.server}: ${live.progress.committed.answers} answer(s) so far, ${formatSol(live.progress.committed.lamports)} SOL of ${formatSol(account.deposit)} SOL signed; no transaction.`,
    );
  if (!out.json) out.progress("Answer (decrypted as it streams, off-chain):\n");
  let streamed = false;
  let asked: { result: SessionAnswerResult; firstTextMs: number | null };
  try {
    asked = await askOnce(
      live,
      payload,
      (text) => {
        streamed = true;
        out.write(out.untrusted(text));
      },
      options.signal,
    );
  } catch (error) {
    if (streamed) out.line();
    throw error;
  }
  const { result, firstTextMs } = asked;
  if (streamed) out.line("\n");
  const transactions = live.opened ? [live.opened] : [];
  const left = account.deposit - result.totals.lamports;
  out.line(
    `Cost: ${formatSol(result.lamports)} SOL for ${result.tokensIn} tokens in, ${result.tokensOut} out (${result.finishReason}), answer #${result.answer} of the session.`,
  );
  out.line(
    `Session ${account.address}: ${result.totals.answers} answer(s), ${formatSol(result.totals.lamports)} SOL signed, ${formatSol(left)} SOL of the deposit left.`,
  );
  out.line(
    `Transactions sent for this answer: ${transactions.length}${transactions.length ? ` (open: ${session.transactionText(transactions[0]!.signature)})` : " (streamed and paid off-chain; the server settles your vouchers on chain)"}.`,
  );
  out.line(
    `This answer is not on chain: it is kept encrypted in the local history ('chainference history'). Close with 'chainference sessions close ${account.address}'.`,
  );
  out.result({
    session: account.address,
    server: account.server,
    model: account.model,
    opened: live.opened !== null,
    transactions: transactions.map((t) => ({ signature: t.signature, fee: t.fee })),
    answer: result.text,
    finish_reason: result.finishReason,
    answerIndex: result.answer,
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    lamports: result.lamports,
    session_totals: result.totals,
    deposit: account.deposit,
    depositLeft: left,
    firstTextMs,
  });
  return { live, result, firstTextMs };
}
