/**
 * `npm run bench:sessions [-- --json]`: sessions measured on the real program (in-process LiteSVM chain, slots at
 * 400 ms) and the real embedded model (SmolLM2-135M Q4_1 through llama.cpp), in one process like bench-node.
 *
 * 1. Cost rows: one session per row with the node's default settle policy (threshold 0.003 SOL, interval 24 h).
 *    The 1- and 10-answer rows run real answers (max 500 tokens each, temperature 0), then the node's cooperative
 *    close; transactions and fees are every landed transaction that names the session (the chain's records). The
 *    100- and 1,000-answer rows are computed: the measured open and final settle+close transactions, plus the settles
 *    the node's policy sends for that many 500-token answers billed as measured (prompt tokens and prices from the
 *    real answers) at the measured generation time, each at the measured fee of a settle transaction.
 * 2. First visible token: p50 over RUNS alternating runs of (first decrypted text through a session) − (first token
 *    of the raw backend), both timed from the call.
 * 3. tokens/s: answer tokens ÷ (call → last text) through a session vs the raw backend, medians.
 * 4. Load: 1,000 answers of 8 tokens through sessions, 4 nodes (one shared model), 50 clients each with one session
 *    asking one question after another; lamports exact = the sum over every account involved before equals the sum
 *    after plus every fee of the run.
 *
 * `--json` prints exactly one JSON object on stdout; progress goes to stderr. Env: RUNS (default 10); PARTS
 * (default "cost,latency,load": a subset runs only those parts, the others absent from the report); TPS_TOKENS
 * (default 500: answer length of the tokens/s comparison).
 */
import { parseArgs } from "node:util";

import type { Address, KeyPairSigner } from "@solana/kit";
import { findFeeVaultPda, SessionStatus, type PromptPayload } from "@chainference/client";
import { askInSession, fetchSessionAccount, type SessionAnswerResult } from "@chainference/client/sessions";
import type { LandedTransaction } from "@chainference/client/litesvm";
import {
  DEFAULT_MODEL,
  createDefaultLlamaBackend,
  defaultEmbeddedThreads,
  defaultSessionServeConfig,
  startProviderNode,
  type LlamaBackend,
  type ProviderNode,
} from "@chainference/node";

import { createTestMarket, fundedWallet, LAMPORTS_PER_SOL, scratchDir, type TestMarket } from "../tests/helpers/provider-harness";
import { openTestSession, sessionNodeConfig, type TestSession } from "../tests/helpers/session-node";

const SOL_USD = 150;
const RUNS = Number(process.env["RUNS"] ?? 10);
const PARTS = new Set((process.env["PARTS"] ?? "cost,latency,load").split(","));
const TPS_TOKENS = Number(process.env["TPS_TOKENS"] ?? 500);
const ANSWER_TOKENS = 500;
const LOAD = { requests: 1000, nodes: 4, clients: 50, maxTokens: 8 } as const;
const LONG_PROMPT = "Write a long, detailed story about a lighthouse keeper and the sea, with many chapters.";
const SHORT_PROMPT = "Explain in a few sentences why the sky is blue.";

const { values: flags } = parseArgs({ options: { json: { type: "boolean", default: false } } });
const log = (text: string) => process.stderr.write(`bench-sessions: ${text}\n`);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const payloadOf = (content: string, maxTokens: number): PromptPayload => ({
  v: 1,
  messages: [{ role: "user", content }],
  maxTokens,
  temperature: 0,
});
const usdPerMillion = (feeLamports: bigint, tokens: number) => (Number(feeLamports) / 1e9) * SOL_USD * (1e6 / tokens);

/** Every landed transaction, recorded as it lands. */
function recordLanded(market: TestMarket) {
  const landed: LandedTransaction[] = [];
  const stop = market.chain.onLanded((t) => landed.push(t));
  return {
    stop,
    naming: (address: Address) => landed.filter((t) => t.accountKeys.includes(address)),
    all: () => landed,
  };
}

/** One answer through a session, timed from the call. */
async function timedAsk(session: TestSession, payload: PromptPayload) {
  const started = performance.now();
  let first = 0;
  let last = 0;
  const answer = askInSession({ connection: session.connection, progress: session.progress, payload });
  for await (const _ of answer) {
    last = performance.now() - started;
    first ||= last;
  }
  const result = await answer.result;
  return { result, firstMs: first, lastMs: last };
}

/** One raw answer from the backend, timed from the call. */
async function timedRaw(llama: LlamaBackend, payload: PromptPayload) {
  const started = performance.now();
  let first = 0;
  let last = 0;
  const stream = llama.streamChat({ messages: payload.messages, maxTokens: payload.maxTokens, temperature: 0 });
  for await (const _ of stream) {
    last = performance.now() - started;
    first ||= last;
  }
  const { usage } = await stream.result;
  return { tokens: usage.completionTokens, firstMs: first, lastMs: last };
}

async function startNode(market: TestMarket, llama: LlamaBackend, concurrency = 2): Promise<ProviderNode> {
  const operator = await fundedWallet(market.chain, 100n * LAMPORTS_PER_SOL);
  const scratch = await scratchDir("chainference-bench-sessions-");
  return startProviderNode({
    chain: market.chain,
    operator,
    config: await sessionNodeConfig({}, { concurrency }),
    keyringPath: `${scratch}/keyring.json`,
    backends: { [DEFAULT_MODEL.hfId]: llama },
    log: null,
  });
}

type MeasuredRow = {
  answers: number;
  answerTokens: number;
  transactions: number;
  feeLamports: bigint;
  results: SessionAnswerResult[];
  answerMs: number[];
  openFee: bigint;
  closeFee: bigint;
  settles: LandedTransaction[];
};

/** A real session of `answers` answers of up to 500 tokens, closed cooperatively by the node. */
async function measuredRow(market: TestMarket, node: ProviderNode, answers: number): Promise<MeasuredRow> {
  const recorder = recordLanded(market);
  const session = await openTestSession(market, node, { deposit: 50_000_000n });
  const results: SessionAnswerResult[] = [];
  const answerMs: number[] = [];
  for (let i = 0; i < answers; i++) {
    const { result, lastMs } = await timedAsk(session, payloadOf(LONG_PROMPT, ANSWER_TOKENS));
    results.push(result);
    answerMs.push(lastMs);
    log(`  answer ${i + 1}/${answers}: ${result.tokensOut} tokens, ${result.lamports} lamports, ${(lastMs / 1000).toFixed(1)} s`);
  }
  await node.sessions!.settler.closeAll();
  recorder.stop();
  const txs = recorder.naming(session.account.address);
  if ((await fetchSessionAccount(market.chain, session.account.address))?.status === SessionStatus.Open)
    throw new Error(`session ${session.account.address} is still open after the node's close`);
  const [open, ...rest] = txs;
  const close = rest.at(-1)!;
  return {
    answers,
    answerTokens: results.reduce((n, r) => n + r.tokensOut, 0),
    transactions: txs.length,
    feeLamports: txs.reduce((n, t) => n + t.fee, 0n),
    results,
    answerMs,
    openFee: open!.fee,
    closeFee: close.fee,
    settles: rest.slice(0, -1),
  };
}

/**
 * The settles the node's policy sends over `answers` answers, each adding `lamports` and lasting `ms`: a settle when
 * the unsettled amount reaches the threshold or the first unsettled voucher is `intervalMs` old (settleReason).
 */
function policySettles(answers: number, lamports: bigint, ms: number, policy: { thresholdLamports: bigint; intervalMs: number }): number {
  let settles = 0;
  let unsettled = 0n;
  let since: number | null = null;
  let now = 0;
  for (let i = 0; i < answers; i++) {
    now += ms;
    unsettled += lamports;
    since ??= now;
    if (i === answers - 1) break; // the last voucher is settled by the close
    if (unsettled >= policy.thresholdLamports || now - since >= policy.intervalMs) {
      settles += 1;
      unsettled = 0n;
      since = null;
    }
  }
  return settles;
}

async function loadRun(market: TestMarket, llama: LlamaBackend) {
  log(`load: ${LOAD.requests} answers of ${LOAD.maxTokens} tokens, ${LOAD.nodes} nodes, ${LOAD.clients} clients`);
  const nodes: ProviderNode[] = [];
  for (let i = 0; i < LOAD.nodes; i++) nodes.push(await startNode(market, llama, 4));
  const clients: KeyPairSigner[] = [];
  for (let i = 0; i < LOAD.clients; i++) clients.push(await fundedWallet(market.chain, LAMPORTS_PER_SOL));
  const feeVaults = await Promise.all(Array.from({ length: 16 }, async (_, shard) => (await findFeeVaultPda({ shard }))[0]));
  const fixed: Address[] = [...clients.map((c) => c.address), ...nodes.flatMap((n) => [n.server, n.operator]), ...feeVaults];
  const sum = async (addresses: readonly Address[]) =>
    (await Promise.all(addresses.map((a) => market.chain.getBalance(a)))).reduce((n, b) => n + b, 0n);
  const before = await sum(fixed);
  const recorder = recordLanded(market);
  const started = performance.now();
  const perClient = LOAD.requests / LOAD.clients;
  const sessions: Address[] = [];
  let done = 0;
  await Promise.all(
    clients.map(async (client, c) => {
      const session = await openTestSession(market, nodes[c % LOAD.nodes]!, { client, deposit: 1_000_000n });
      sessions.push(session.account.address);
      for (let i = 0; i < perClient; i++) {
        const answer = askInSession({
          connection: session.connection,
          progress: session.progress,
          payload: payloadOf(`${SHORT_PROMPT} (${c}.${i})`, LOAD.maxTokens),
        });
        for await (const _ of answer);
        await answer.result;
        done += 1;
        if (done % 100 === 0) log(`  load: ${done}/${LOAD.requests} answers`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const node of nodes) await node.stop({ drain: true });
  recorder.stop();
  const fees = recorder.all().reduce((n, t) => n + t.fee, 0n);
  const after = await sum([...fixed, ...sessions]);
  return { before, after, fees, seconds, lamportsExact: before === after + fees, transactions: recorder.all().length };
}

async function main(): Promise<void> {
  const threads = defaultEmbeddedThreads();
  log(`loading ${DEFAULT_MODEL.hfId} ${DEFAULT_MODEL.quantization} (${threads} thread(s))`);
  const llama = await createDefaultLlamaBackend({ threads });
  const market = await createTestMarket();
  const node = await startNode(market, llama);
  const defaults = defaultSessionServeConfig();
  const policy = { thresholdLamports: defaults.settleThresholdLamports, intervalMs: defaults.settleIntervalMs };
  await llama.streamChat({ messages: payloadOf(SHORT_PROMPT, 8).messages, maxTokens: 8, temperature: 0 }).result;
  const warm = await openTestSession(market, node, { deposit: 50_000_000n });
  const prices = warm.connection.prices;

  // 2. First visible token, alternating raw and session runs on one warm session; 3. tokens/s.
  const added: number[] = [];
  let rawTps = NaN;
  let sessionTps = NaN;
  if (PARTS.has("latency")) {
    log(`first token: ${RUNS} raw and ${RUNS} session runs`);
    for (let i = 0; i < RUNS; i++) {
      const raw = await timedRaw(llama, payloadOf(SHORT_PROMPT, 16));
      const through = await timedAsk(warm, payloadOf(SHORT_PROMPT, 16));
      added.push(through.firstMs - raw.firstMs);
    }
    log(`tokens/s: 3 raw and 3 session answers of up to ${TPS_TOKENS} tokens`);
    const raws = [];
    const throughs = [];
    for (let i = 0; i < 3; i++) {
      raws.push(await timedRaw(llama, payloadOf(LONG_PROMPT, TPS_TOKENS)));
      throughs.push(await timedAsk(warm, payloadOf(LONG_PROMPT, TPS_TOKENS)));
    }
    rawTps = median(raws.map((r) => r.tokens / (r.lastMs / 1000)));
    sessionTps = median(throughs.map((r) => r.result.tokensOut / (r.lastMs / 1000)));
  }
  await node.sessions!.settler.closeAll();

  // 1. Cost rows.
  type Row = { answers: number; answerTokens: number; transactions: number; feeLamports: bigint; computed: boolean; settles: number };
  const rows: Row[] = [];
  let perAnswer = 0n;
  let msPerAnswer = NaN;
  let tokensIn = 0;
  if (PARTS.has("cost")) {
    log("cost row: 1 answer");
    const one = await measuredRow(market, node, 1);
    log("cost row: 10 answers");
    const ten = await measuredRow(market, node, 10);
    const measured = [...one.results, ...ten.results];
    const answerMs = [...one.answerMs, ...ten.answerMs];
    const rowTps = median(measured.map((r, i) => r.tokensOut / (answerMs[i]! / 1000)));
    tokensIn = Math.round(median(measured.map((r) => r.tokensIn)));
    perAnswer =
      (BigInt(tokensIn) * prices.priceIn + 999_999n) / 1_000_000n + (BigInt(ANSWER_TOKENS) * prices.priceOut + 999_999n) / 1_000_000n;
    msPerAnswer = (ANSWER_TOKENS / rowTps) * 1000;
    const settleFee = [...one.settles, ...ten.settles][0]?.fee ?? ten.closeFee;
    for (const r of [one, ten])
      rows.push({
        answers: r.answers,
        answerTokens: r.answerTokens,
        transactions: r.transactions,
        feeLamports: r.feeLamports,
        computed: false,
        settles: r.settles.length,
      });
    for (const answers of [100, 1000]) {
      const settles = policySettles(answers, perAnswer, msPerAnswer, policy);
      rows.push({
        answers,
        answerTokens: answers * ANSWER_TOKENS,
        transactions: 2 + settles,
        feeLamports: ten.openFee + BigInt(settles) * settleFee + ten.closeFee,
        computed: true,
        settles,
      });
    }
  }
  await node.stop({ drain: true });

  // 4. Load.
  const load = PARTS.has("load") ? await loadRun(market, llama) : null;
  await llama.close();

  const report = {
    ...(PARTS.has("cost")
      ? {
          sessions: rows.map((r) => ({
            answers: r.answers,
            answerTokens: r.answerTokens,
            transactions: r.transactions,
            feeLamports: Number(r.feeLamports),
            usdPerMillionTokens: Number(usdPerMillion(r.feeLamports, r.answerTokens).toPrecision(3)),
          })),
        }
      : {}),
    solUsd: SOL_USD,
    ...(PARTS.has("latency")
      ? { firstTokenAddedMs: Number(median(added).toFixed(1)), tokensPerSecondRatio: Number((sessionTps / rawTps).toFixed(3)) }
      : {}),
    ...(load ? { load: { requests: LOAD.requests, nodes: LOAD.nodes, clients: LOAD.clients, lamportsExact: load.lamportsExact } } : {}),
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const lines = [
    `Sessions benchmark: ${DEFAULT_MODEL.hfId} ${DEFAULT_MODEL.quantization}, llama.cpp ${threads} thread(s), in-process chain at 400 ms/slot, $${SOL_USD}/SOL`,
    `(a 2-core machine shared with other work: timings are noisy)`,
  ];
  if (PARTS.has("cost"))
    lines.push(
      "",
      "| answers | answer tokens | transactions | settles | fees (lamports) | $ per 1M tokens | how |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
      ...rows.map(
        (r) =>
          `| ${r.answers} | ${r.answerTokens} | ${r.transactions} | ${r.settles} | ${r.feeLamports} | ${usdPerMillion(r.feeLamports, r.answerTokens).toPrecision(3)} | ${r.computed ? "computed from measured billing and the settle policy" : "measured"} |`,
      ),
      "",
      `per 500-token answer: ${perAnswer} lamports billed (${tokensIn} prompt tokens), ${(msPerAnswer / 1000).toFixed(1)} s; settle policy: threshold ${policy.thresholdLamports} lamports or ${policy.intervalMs / 60_000} min`,
    );
  if (PARTS.has("latency"))
    lines.push(
      `first visible token added by the session: p50 ${median(added).toFixed(1)} ms (min ${Math.min(...added).toFixed(1)}, max ${Math.max(...added).toFixed(1)}, ${RUNS} runs)`,
      `tokens/s over ${TPS_TOKENS}-token answers: raw ${rawTps.toFixed(1)}, through a session ${sessionTps.toFixed(1)}, ratio ${(sessionTps / rawTps).toFixed(3)}`,
    );
  if (load)
    lines.push(
      `load: ${LOAD.requests} answers of ${LOAD.maxTokens} tokens, ${LOAD.nodes} nodes, ${LOAD.clients} clients in ${load.seconds.toFixed(1)} s; ${load.transactions} transactions; lamports before ${load.before}, after ${load.after} + fees ${load.fees}: ${load.lamportsExact ? "exact" : "NOT exact"}`,
    );
  console.log(lines.join("\n"));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-sessions: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
