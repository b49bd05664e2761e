/** `chainference history`: the wallet's requests and answers, decrypted from chain data and the wallet alone. */
import type { Command } from "commander";
import { fetchHistory, type HistoryEntry } from "@chainference/client";
import { createCommandContext } from "../../shared/context/command-context";
import type { Output } from "../../shared/output/output";
import { formatSol } from "../../shared/output/units";
import { finishReason, type FinishReason } from "../../shared/finish-reason";
import { sessionHistoryDir } from "../../shared/sessions/history-dir";
import { readLocalSessionAnswers, type LocalSessionAnswer } from "../../shared/sessions/local-history";

const decoder = new TextDecoder();

function promptText(entry: HistoryEntry): string | null {
  const messages = entry.decrypted.prompt?.messages;
  return messages
    ? messages
        .filter((m) => m.role === "user")
        .map((m) => m.content)
        .join("\n")
    : null;
}

function answerText(entry: HistoryEntry): string | null {
  const response = entry.decrypted.response;
  return response ? decoder.decode(response.plaintext) : null;
}

/** `length` when the answer used the prompt's whole `maxTokens`, `stop` otherwise; null until it completed. */
function entryFinishReason(entry: HistoryEntry): FinishReason | null {
  const maxTokens = entry.decrypted.prompt?.maxTokens;
  if (!entry.settlement || maxTokens === undefined) return null;
  return finishReason(entry.settlement.tokensOut, maxTokens);
}

/** The end state in words: an expiry says whether a server had taken the request. */
function statusText(entry: HistoryEntry): string {
  if (entry.status === "expired") return entry.expiredAfterLock ? "expired (abandoned by its server)" : "expired (never taken)";
  return entry.status === "completed" && entry.rating !== null ? `completed, rated ${entry.rating}/5` : entry.status;
}

const indent = (text: string) => text.replace(/\n/g, "\n     ");

function sessionPrompt(answer: LocalSessionAnswer): string {
  return answer.prompt.messages
    .filter((m) => m.role === "user")
    .map((m) => m.content)
    .join("\n");
}

/** Session answers: off-chain, from the local encrypted store. */
function printSessionAnswers(out: Output, answers: readonly LocalSessionAnswer[]): void {
  if (answers.length === 0) return;
  out.line(
    `Session answers (${answers.length}, off-chain: not on chain, kept encrypted on this machine in ${sessionHistoryDir()}, decrypted with the wallet):`,
  );
  for (const a of answers) {
    out.line();
    out.line(
      `${a.session} #${a.answer}  session answer  cost ${formatSol(a.lamports)} SOL, ${a.tokensIn} tokens in, ${a.tokensOut} out  ${new Date(a.at).toISOString()}`,
    );
    out.line(`  Q: ${indent(out.untrusted(sessionPrompt(a)))}`);
    out.line(
      `  A: ${indent(out.untrusted(a.text.trim()))}${a.finishReason === "stop" ? "" : ` …(${a.finishReason === "length" ? "cut at max tokens" : "cut"})`}`,
    );
  }
  out.line();
}

/** Runs `chainference history`. */
export async function historyAction(flags: { limit: string }, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const wallet = await ctx.wallet();
  const limit = Math.max(1, Number(flags.limit) || 20);
  // Newest first: fetchHistory lists the wallet's requests in the order they were created.
  const entries = (await fetchHistory(ctx.session().chain, wallet)).reverse().slice(0, limit);
  const sessionAnswers = (await readLocalSessionAnswers(wallet)).slice(0, limit);
  if (ctx.out.json) {
    ctx.out.result([
      ...entries.map((e) => ({
        kind: "request",
        request: e.request,
        status: e.status,
        expiredAfterLock: e.expiredAfterLock,
        nonce: e.nonce,
        createdSlot: e.createdSlot,
        model: e.model,
        stake: e.stake,
        prompt: promptText(e),
        answer: answerText(e),
        // Complete: the final chunk landed and the answer was not cut at max_tokens.
        answerComplete: (e.decrypted.response?.isFinal ?? false) && entryFinishReason(e) !== "length",
        finish_reason: entryFinishReason(e),
        server: e.server,
        cost: e.settlement?.cost ?? null,
        tokensIn: e.settlement?.tokensIn ?? null,
        tokensOut: e.settlement?.tokensOut ?? null,
        rating: e.rating,
        promptSource: e.promptSource,
        answerSource: e.answerSource,
        lockerKeySource: e.lockerKeySource,
        promptMissing: e.promptMissing,
        answerMissing: e.answerMissing,
      })),
      ...sessionAnswers.map((a) => ({
        kind: "session-answer",
        offChain: true,
        session: a.session,
        answer: a.text,
        answerIndex: a.answer,
        prompt: sessionPrompt(a),
        finish_reason: a.finishReason,
        cost: a.lamports,
        tokensIn: a.tokensIn,
        tokensOut: a.tokensOut,
        at: new Date(a.at).toISOString(),
      })),
    ]);
    return;
  }
  if (entries.length === 0) {
    ctx.out.line(`No requests of ${wallet.address} on ${ctx.endpoint.url}.`);
    printSessionAnswers(ctx.out, sessionAnswers);
    return;
  }
  ctx.out.line(`History of ${wallet.address} (${entries.length} request${entries.length === 1 ? "" : "s"}, decrypted with the wallet):`);
  for (const e of entries) {
    const terms = [
      e.model,
      `stake ${formatSol(e.stake)} SOL`,
      e.settlement?.cost != null ? `cost ${formatSol(e.settlement.cost)} SOL` : null,
    ]
      .filter(Boolean)
      .join(", ");
    ctx.out.line();
    ctx.out.line(`${e.request}  ${statusText(e)}  ${terms}`);
    if (e.server)
      ctx.out.line(`  server ${e.server}${e.settlement ? `, ${e.settlement.tokensIn} tokens in, ${e.settlement.tokensOut} out` : ""}`);
    const prompt = promptText(e);
    ctx.out.line(`  Q: ${prompt === null ? `(${e.promptMissing ?? "no prompt"})` : indent(ctx.out.untrusted(prompt))}`);
    const answer = answerText(e);
    const note = e.answerMissing ? ` …(${e.answerMissing})` : entryFinishReason(e) === "length" ? " …(cut at max tokens)" : "";
    if (answer !== null) ctx.out.line(`  A: ${indent(ctx.out.untrusted(answer.trim()))}${note}`);
    else ctx.out.line(`  A: (${e.answerMissing ?? "no answer"})`);
  }
  if (sessionAnswers.length > 0) ctx.out.line();
  printSessionAnswers(ctx.out, sessionAnswers);
}
