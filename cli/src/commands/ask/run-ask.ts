/**
 * The whole client side of one question, shared by `ask` and `demo`: check the terms, preview
 * eligibility, post, stream the answer, report the settlement.
 */
import type { KeyPairSigner } from "@solana/kit";
import { fetchProtocolConfig, type PromptPayload } from "@chainference/client";
import type { Session } from "../../shared/context/session";
import { CliError } from "../../shared/errors/cli-error";
import { formatSlots, formatSol } from "../../shared/output/units";
import { followRequest, postAsk, type AskOutcome } from "./post-and-follow";
import {
  assertSomeEligible,
  chooseServers,
  eligibilityJson,
  previewEligibility,
  printEligibility,
  promptCiphertextBytes,
  type AskTerms,
} from "./eligibility";
import { buildSettlementReport, printSettlement, settlementJson, type SettlementReport } from "./settlement-report";

/** How often the wait for a lock prints how long the request stays open. */
const COUNTDOWN_EVERY_MS = 10_000;

/** Lamports set aside for the client's own transaction fees (a few signatures). */
const FEE_HEADROOM = 50_000n;
/** Request account bytes before the allow-list and the prompt (docs/protocol.md). */
const REQUEST_HEADER_BYTES = 393;
const ALLOWED_ENTRY_BYTES = 84;

export type AskRunResult = { readonly outcome: AskOutcome | null; readonly report: SettlementReport | null };

/**
 * Runs one question end to end and prints it (text) or returns it for `--json`.
 *
 * @example
 * await runAsk(session, wallet, terms, payload, { wait: true });
 */
export async function runAsk(
  session: Session,
  wallet: KeyPairSigner,
  terms: AskTerms,
  payload: PromptPayload,
  options: { readonly wait: boolean; readonly signal?: AbortSignal; readonly onFirstText?: () => void },
): Promise<AskRunResult> {
  const { chain, out } = session;
  const config = await fetchProtocolConfig(chain);
  if (config.paused) throw new CliError("the protocol is paused by its admin: no new requests are accepted; try again later");
  if (terms.stake < config.minStake)
    throw new CliError(
      `--stake ${formatSol(terms.stake)} SOL is below the protocol minimum of ${formatSol(config.minStake)} SOL: raise --stake`,
      2,
    );
  const promptBytes = promptCiphertextBytes(payload);
  if (promptBytes > config.maxPromptBytes)
    throw new CliError(
      `the prompt is ${promptBytes} bytes encrypted, above the protocol limit of ${config.maxPromptBytes} bytes: shorten it`,
      2,
    );
  if (terms.responseTimeoutSlots !== undefined && terms.responseTimeoutSlots > config.maxResponseTimeout)
    throw new CliError(
      `--timeout is ${terms.responseTimeoutSlots} slots, above the protocol maximum of ${config.maxResponseTimeout} slots: shorten it`,
      2,
    );
  if (terms.responseTimeoutSlots !== undefined && terms.responseTimeoutSlots < config.minResponseTimeout)
    throw new CliError(
      `--timeout is ${terms.responseTimeoutSlots} slots, below the protocol minimum of ${config.minResponseTimeout} slots: lengthen it`,
      2,
    );

  const preview = await previewEligibility(chain, terms, payload);
  printEligibility(out, terms, preview);
  assertSomeEligible(preview, terms);
  // The stake, the request account's rent (returned at the end) and the fees must all be there.
  const rent = await chain.getMinimumBalanceForRentExemption(
    REQUEST_HEADER_BYTES + ALLOWED_ENTRY_BYTES * Math.min(terms.fanOut ?? 1, chooseServers(preview).length) + promptBytes,
  );
  const needed = terms.stake + rent + FEE_HEADROOM;
  const balance = await chain.getBalance(wallet.address);
  if (balance < needed)
    throw new CliError(
      `wallet ${wallet.address} holds ${formatSol(balance)} SOL; this request needs ${formatSol(needed)} SOL (stake ${formatSol(terms.stake)} + refundable rent ${formatSol(rent)} + fees): fund it or lower --stake`,
    );

  const posted = await postAsk(session, wallet, terms, payload, preview);
  out.progress(`Posted request ${posted.address}: ${formatSol(terms.stake)} SOL escrowed in ${posted.transactions.length} transaction(s).`);
  if (!options.wait) {
    out.result({ request: posted.address, nonce: posted.nonce, stake: terms.stake, eligibility: eligibilityJson(preview) });
    out.line(`Not waiting (--no-wait): follow it with 'chainference history', cancel it with 'chainference cancel ${posted.address}'.`);
    return { outcome: null, report: null };
  }
  out.progress("Waiting for a server to lock it…");
  let streaming = false;
  let lastCountdown = 0;
  const outcome = await followRequest(
    session,
    wallet,
    posted,
    {
      // With --json the answer is in the document, not streamed: no "Answer" heading on stderr.
      onLocked: (server, slot) =>
        out.progress(`Locked by server ${server} at slot ${slot}.${out.json ? "" : " Answer (decrypted as chunks land):\n"}`),
      onChunk: (text) => {
        if (!streaming && text) options.onFirstText?.();
        streaming = true;
        out.write(out.untrusted(text));
      },
      onWatchdog: (note) => out.progress(`${streaming ? "\n" : ""}${note}`),
      onHandOff: (handOff) => out.progress(`  server ${handOff.from} did not lock it in time: handed to ${handOff.to}`),
      // A countdown at most every 10 s, so a request no server takes is not a silent wait.
      onWaiting: (slotsLeft, openUntilSlot) => {
        if (Date.now() - lastCountdown < COUNTDOWN_EVERY_MS) return;
        lastCountdown = Date.now();
        out.progress(
          `  no server has locked it yet: it stays open about ${formatSlots(slotsLeft)} more (until slot ${openUntilSlot}), then the stake comes back`,
        );
      },
    },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(terms.handOffWaitMs === undefined ? {} : { handOffWaitMs: terms.handOffWaitMs }),
    },
  );
  if (streaming) out.line("\n");
  if (outcome.status !== "settled" || !outcome.response) {
    out.result({ request: posted.address, status: outcome.status, answer: outcome.text, note: outcome.note });
    // Interrupted by the user: the conventional 130; otherwise a plain failure.
    const exitCode = options.signal?.aborted ? 130 : 1;
    throw new CliError(
      `request ${posted.address} got no answer (${outcome.status}): ${outcome.note ?? "see 'chainference history'"}`,
      exitCode,
    );
  }
  const report = await buildSettlementReport(session, {
    request: posted.address,
    stake: terms.stake,
    feeBps: config.feeBps,
    response: outcome.response,
    maxTokens: payload.maxTokens,
    extraSignatures: posted.transactions.map((t) => t.signature),
  });
  printSettlement(out, report, session.transactionText);
  out.result({
    request: posted.address,
    status: outcome.status,
    answer: outcome.text,
    finish_reason: report.finishReason,
    eligibility: eligibilityJson(preview),
    settlement: settlementJson(report),
  });
  return { outcome, report };
}
