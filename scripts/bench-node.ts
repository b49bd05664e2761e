/**
 * `npm run bench:node`: the provider node against the real program on the in-process chain (slots at
 * 400 ms, like a cluster) with the embedded default model (SmolLM2-135M Q4_1, llama.cpp threads and
 * parallel sequences as the node picks them: every core but one, and `defaultEmbeddedSlots`).
 *
 * Measures and prints:
 * 1. generation speed through the node vs the same model called directly through the backend (ratio);
 * 2. time from the request landing on-chain (create_request) to its first chunk on-chain, in slots and ms;
 * 3. throughput with 1, 8 and 32 requests posted at once (node concurrency = the batch size).
 *
 * Sizes: every run answers the same request, 64 tokens (temperature 0, a prompt of ~40 tokens with the chat
 * template), so a batch's gain compares serving the same requests at once against one at a time (shorter
 * answers at higher concurrency would measure their larger prompt share, not concurrency). Clients of a batch poll their answers once per slot; the node, its
 * clients and the chain share one process (and the machine's cores with llama.cpp), as in `chainference demo`.
 * Env: RUNS (default 3) for the direct and single-request runs; THREADS, SLOTS and BATCH_SIZE override the
 * backend's defaults (to compare settings).
 *
 * `--json`: the report goes to stderr and stdout gets one JSON object, `{"ratioNodeVsRaw", "throughput":
 * [{"concurrent", "tokensPerSecond", "firstTokenMsP50"}], "batchGain8", "batchGain32"}`, where first-token
 * times are the node's lock → first chunk on-chain and a gain is tokens/s at N ÷ tokens/s at 1.
 */
import {
  DEFAULT_MODEL,
  createDefaultLlamaBackend,
  defaultEmbeddedSlots,
  defaultEmbeddedThreads,
  startProviderNode,
  type NodeEvent,
  type ProviderNode,
} from "@chainference/node";

import {
  ask,
  createTestMarket,
  fundedWallet,
  readAnswer,
  scratchDir,
  serverListingFor,
  testNodeConfig,
  type TestMarket,
} from "../tests/helpers/provider-harness";

const PROMPT = [{ role: "user", content: "Explain in a few sentences why the sky is blue." }] as const;
const RUNS = Number(process.env["RUNS"] ?? 3);
const JSON_OUTPUT = process.argv.includes("--json");
const envNumber = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
/** The human-readable report: stdout, or stderr when stdout carries the JSON. */
const report = (line = ""): void => void (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);
const ANSWER_TOKENS = 64;
const BATCHES = [
  { requests: 1, maxTokens: ANSWER_TOKENS },
  { requests: 8, maxTokens: ANSWER_TOKENS },
  { requests: 32, maxTokens: ANSWER_TOKENS },
] as const;

type Completed = Extract<NodeEvent, { type: "completed" }>;
type Appended = Extract<NodeEvent, { type: "chunk-appended" }>;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

/** One request through the node: generation speed, landing → first chunk (slots, ms), client-visible speed. */
async function oneRequest(market: TestMarket, node: ProviderNode, maxTokens: number) {
  const client = await fundedWallet(market.chain);
  const server = await serverListingFor(market, node.server);
  const posted = await ask(market, { client, servers: [server], model: DEFAULT_MODEL.hfId, messages: PROMPT, maxTokens, temperature: 0 });
  const landedAt = Date.now();
  const landedSlot = posted.transactions[0]!.slot;
  const first = await node.events.waitFor(
    (e): e is Appended => e.type === "chunk-appended" && e.request === posted.address && e.index === 0,
    { timeoutMs: 120_000 },
  );
  const firstAt = Date.now();
  await readAnswer(market, posted, 120_000, 400); // polls once a slot, like `chainference ask` and the batches
  const completed = await node.events.waitFor((e): e is Completed => e.type === "completed" && e.request === posted.address);
  return { completed, firstChunkMs: firstAt - landedAt, firstChunkSlots: Number(first.slot - landedSlot) };
}

/** `requests` requests posted back to back, answered concurrently: tokens/s over the whole batch. */
async function batch(market: TestMarket, node: ProviderNode, requests: number, maxTokens: number) {
  const clients = await Promise.all(Array.from({ length: requests }, () => fundedWallet(market.chain)));
  const server = await serverListingFor(market, node.server);
  const started = Date.now();
  const posted = [];
  for (const client of clients)
    posted.push(await ask(market, { client, servers: [server], model: DEFAULT_MODEL.hfId, messages: PROMPT, maxTokens, temperature: 0 }));
  const done = await Promise.all(
    posted.map(async (p) => {
      const answer = await readAnswer(market, p, 600_000, 400); // clients poll once a slot, like `chainference ask`
      if (answer.outcome !== "settled") throw new Error(`request ${p.address} ended without settling`);
      const completed = await node.events.waitFor((e): e is Completed => e.type === "completed" && e.request === p.address);
      return { completed, settledMs: Date.now() - started };
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const tokens = done.reduce((n, d) => n + d.completed.tokensOut, 0);
  return {
    tokens,
    seconds,
    tokensPerSecond: tokens / seconds,
    medianFirstChunkMs: median(done.map((d) => d.completed.timeToFirstChunkMs ?? 0)),
    medianSettledMs: median(done.map((d) => d.settledMs)),
    maxSettledMs: Math.max(...done.map((d) => d.settledMs)),
  };
}

async function main(): Promise<void> {
  const threads = envNumber("THREADS") ?? defaultEmbeddedThreads();
  const largest = Math.max(...BATCHES.map((b) => b.requests));
  const slots = envNumber("SLOTS") ?? defaultEmbeddedSlots({ concurrency: largest });
  const batchSize = envNumber("BATCH_SIZE");
  const promptTokensPerStep = envNumber("PROMPT_TOKENS_PER_STEP");
  process.stderr.write(
    `bench-node: loading ${DEFAULT_MODEL.hfId} ${DEFAULT_MODEL.quantization} (${threads} thread(s), ${slots} slot(s))\n`,
  );
  const llama = await createDefaultLlamaBackend({
    threads,
    slots,
    ...(batchSize ? { batchSize } : {}),
    ...(promptTokensPerStep ? { promptTokensPerStep } : {}),
  });
  const { device, batchSize: stepTokens, promptTokensPerStep: promptStep } = llama.placement;
  const market = await createTestMarket();
  const scratch = await scratchDir("chainference-bench-");
  const operator = await fundedWallet(market.chain, 1_000n * 1_000_000_000n);
  const node = async (concurrency: number) =>
    startProviderNode({
      chain: market.chain,
      operator,
      config: testNodeConfig({ concurrency, estimatedTokensPerSecond: 20 }),
      keyringPath: `${scratch}/keyring.json`,
      backends: { [DEFAULT_MODEL.hfId]: llama },
      log: null,
    });

  // 1. Direct: the backend alone (warm-up first).
  await llama.streamChat({ messages: PROMPT, maxTokens: 8, temperature: 0 }).result;
  const direct: { tps: number; genTps: number; tokens: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    let firstAt = 0;
    let lastAt = 0;
    const stream = llama.streamChat({ messages: PROMPT, maxTokens: ANSWER_TOKENS, temperature: 0 });
    for await (const _ of stream) {
      lastAt = performance.now();
      firstAt ||= lastAt;
    }
    const { usage } = await stream.result;
    direct.push({
      tps: usage.completionTokens / ((lastAt - t0) / 1000),
      genTps: (usage.completionTokens - 1) / ((lastAt - firstAt) / 1000),
      tokens: usage.completionTokens,
    });
  }

  // 2. One request at a time through the node.
  const single = await node(1);
  const through = [];
  for (let i = 0; i < RUNS; i++) through.push(await oneRequest(market, single, ANSWER_TOKENS));
  await single.stop({ drain: true });

  // 3. Batches.
  const batches: ({ requests: number; maxTokens: number } & Awaited<ReturnType<typeof batch>>)[] = [];
  for (const { requests, maxTokens } of BATCHES) {
    const n = await node(requests);
    batches.push({ requests, maxTokens, ...(await batch(market, n, requests, maxTokens)) });
    await n.stop({ drain: true });
  }
  await llama.close();

  const directGen = median(direct.map((d) => d.genTps));
  const nodeGen = median(through.map((t) => t.completed.tokensPerSecond ?? 0));
  report(
    `\nProvider node benchmark: ${DEFAULT_MODEL.hfId} ${DEFAULT_MODEL.quantization}, llama.cpp on ${device}, ${threads} thread(s), ${slots} slot(s), steps of ≤ ${stepTokens} tokens (≤ ${promptStep} prompt), in-process chain at 400 ms/slot, medians of ${RUNS} runs\n`,
  );
  report(
    table(
      ["measure", "value"],
      [
        ["direct backend: answer tokens", String(direct[0]!.tokens)],
        ["direct backend: tokens/s (first → last token)", fmt(directGen)],
        ["direct backend: tokens/s (call → last token)", fmt(median(direct.map((d) => d.tps)))],
        ["through the node: tokens/s (generation)", fmt(nodeGen)],
        ["ratio node / direct (generation)", fmt(nodeGen / directGen, 2)],
        ["request landed → first chunk on-chain (ms)", fmt(median(through.map((t) => t.firstChunkMs)), 0)],
        ["request landed → first chunk on-chain (slots)", fmt(median(through.map((t) => t.firstChunkSlots)), 0)],
        ["lock → first chunk (ms, node's measure)", fmt(median(through.map((t) => t.completed.timeToFirstChunkMs ?? 0)), 0)],
        ["lock → settled (ms)", fmt(median(through.map((t) => t.completed.durationMs)), 0)],
      ],
    ),
  );
  report(`\nThroughput (requests posted back to back, node concurrency = batch size)\n`);
  const alone = batches.find((b) => b.requests === 1)!;
  report(
    table(
      [
        "requests",
        "tokens each",
        "answer tokens",
        "wall s",
        "tokens/s",
        "gain",
        "median lock→1st chunk ms",
        "× single",
        "median settled s",
        "last settled s",
      ],
      batches.map((b) => [
        String(b.requests),
        String(b.maxTokens),
        String(b.tokens),
        fmt(b.seconds),
        fmt(b.tokensPerSecond),
        fmt(b.tokensPerSecond / alone.tokensPerSecond, 2),
        fmt(b.medianFirstChunkMs, 0),
        fmt(b.medianFirstChunkMs / alone.medianFirstChunkMs, 2),
        fmt(b.medianSettledMs / 1000),
        fmt(b.maxSettledMs / 1000),
      ]),
    ),
  );
  if (JSON_OUTPUT) {
    const gain = (requests: number) => round(batches.find((b) => b.requests === requests)!.tokensPerSecond / alone.tokensPerSecond, 3);
    const result = {
      ratioNodeVsRaw: round(nodeGen / directGen, 3),
      throughput: batches.map((b) => ({
        concurrent: b.requests,
        tokensPerSecond: round(b.tokensPerSecond, 2),
        firstTokenMsP50: round(b.medianFirstChunkMs, 0),
      })),
      batchGain8: gain(8),
      batchGain32: gain(32),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench-node failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
