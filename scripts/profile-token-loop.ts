/**
 * `npx tsx scripts/profile-token-loop.ts`: where an answer's time goes per token, raw model against a session, in
 * alternating runs on one backend (as `bench:sessions`). Linux only (reads /proc/self/task/<tid>/schedstat).
 *
 * It wraps the native `decodeBatch` and `sampleToken` of node-llama-cpp's context (`LlamaContext._ctx`, internal to
 * node-llama-cpp 3.x) to time each step as JavaScript sees it, and reports medians over runs of:
 * - `jsGapMs`: JavaScript time between a token's sample and the next decode's dispatch: the model waits for the
 *   main thread here, so whatever runs in it is added to every token;
 * - `mainCpuMs` / `otherCpuMs`: CPU time per text piece of the main thread / every other thread (llama.cpp decodes
 *   on libuv's pool), in steady state (pieces 8 to n − 8); CPU time, so a machine shared with other work moves it
 *   little;
 * - `cycleP25Ms` / `cycleP50Ms`: one token's whole cycle (sample end to sample end); the 25th percentile is the
 *   least disturbed by other processes;
 * - `tokensPerSecond`: answer tokens ÷ (call → last text), as `bench:sessions`.
 * Env: RUNS (default 6 per path), TPS_TOKENS (default 200).
 */
import { readdirSync, readFileSync } from "node:fs";

import { LlamaModel } from "node-llama-cpp";
import type { PromptPayload } from "@chainference/client";
import { askInSession } from "@chainference/client/sessions";
import { DEFAULT_MODEL, createDefaultLlamaBackend, defaultEmbeddedThreads, startProviderNode } from "@chainference/node";

import { createTestMarket, fundedWallet, LAMPORTS_PER_SOL, scratchDir } from "../tests/helpers/provider-harness";
import { openTestSession, sessionNodeConfig } from "../tests/helpers/session-node";

const RUNS = Number(process.env["RUNS"] ?? 6);
const TOKENS = Number(process.env["TPS_TOKENS"] ?? 200);
const PROMPT = "Write a long, detailed story about a lighthouse keeper and the sea, with many chapters.";
const payload: PromptPayload = { v: 1, messages: [{ role: "user", content: PROMPT }], maxTokens: TOKENS, temperature: 0 };

type Step = { kind: "decode" | "sample"; start: number; end: number };
let steps: Step[] = [];

/** Times every native decode and sample of the contexts created from now on. */
function instrumentContexts(): void {
  const create = LlamaModel.prototype.createContext;
  LlamaModel.prototype.createContext = async function (this: LlamaModel, ...args: Parameters<LlamaModel["createContext"]>) {
    const context = await create.apply(this, args);
    const holder = context as unknown as { _ctx: Record<string, unknown> };
    const native = holder._ctx;
    const timed =
      (kind: Step["kind"], call: (...a: unknown[]) => Promise<unknown>) =>
      (...a: unknown[]) => {
        const start = performance.now();
        const done = call.apply(native, a);
        void done.then(
          () => steps.push({ kind, start, end: performance.now() }),
          () => undefined,
        );
        return done;
      };
    // The addon's methods are read-only: a plain object with every method bound stands in for it.
    const stand: Record<string, unknown> = {};
    for (let proto: object | null = native; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null)
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === "constructor" || key in stand) continue;
        const value = Reflect.get(native, key) as unknown;
        stand[key] = typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(native) : value;
      }
    stand["decodeBatch"] = timed("decode", native["decodeBatch"] as (...a: unknown[]) => Promise<unknown>);
    stand["sampleToken"] = timed("sample", native["sampleToken"] as (...a: unknown[]) => Promise<unknown>);
    holder._ctx = stand;
    return context;
  };
}

/** Nanoseconds on CPU of the main thread and of every other thread of this process. */
function threadCpuNs(): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    if (Number(tid) === process.pid) main += ns;
    else other += ns;
  }
  return { main, other };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
const quantile = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? NaN;

async function measure(pieces: AsyncIterable<unknown>, tokens: () => Promise<number>) {
  steps = [];
  const started = performance.now();
  let count = 0;
  let last = 0;
  let from = threadCpuNs();
  let to = from;
  for await (const _ of pieces) {
    last = performance.now() - started;
    count += 1;
    if (count === 8) from = threadCpuNs();
    if (count === TOKENS - 8) to = threadCpuNs();
  }
  const answerTokens = await tokens();
  const ordered = [...steps].sort((a, b) => a.start - b.start);
  const gaps = ordered
    .slice(1)
    .flatMap((step, i) => (step.kind === "decode" && ordered[i]!.kind === "sample" ? [step.start - ordered[i]!.end] : []));
  const ends = ordered.filter((s) => s.kind === "sample").map((s) => s.end);
  const cycles = ends.slice(1).map((end, i) => end - ends[i]!);
  const steady = TOKENS - 16;
  return {
    tokensPerSecond: answerTokens / (last / 1000),
    jsGapMs: gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length),
    mainCpuMs: (to.main - from.main) / 1e6 / steady,
    otherCpuMs: (to.other - from.other) / 1e6 / steady,
    cycleP25Ms: quantile(cycles, 0.25),
    cycleP50Ms: quantile(cycles, 0.5),
  };
}

async function main(): Promise<void> {
  instrumentContexts();
  const llama = await createDefaultLlamaBackend({ threads: defaultEmbeddedThreads() });
  const market = await createTestMarket();
  const node = await startProviderNode({
    chain: market.chain,
    operator: await fundedWallet(market.chain, 100n * LAMPORTS_PER_SOL),
    config: await sessionNodeConfig({}, { concurrency: 2 }),
    keyringPath: `${await scratchDir("chainference-token-loop-")}/keyring.json`,
    backends: { [DEFAULT_MODEL.hfId]: llama },
    log: null,
  });
  const session = await openTestSession(market, node, { deposit: 50_000_000n });
  const raw = () => {
    const stream = llama.streamChat({ messages: payload.messages, maxTokens: TOKENS, temperature: 0 });
    return measure(stream, async () => (await stream.result).usage.completionTokens);
  };
  const through = () => {
    const answer = askInSession({ connection: session.connection, progress: session.progress, payload });
    return measure(answer, async () => (await answer.result).tokensOut);
  };
  await raw();
  await through(); // warm-up
  const runs: { raw: Awaited<ReturnType<typeof raw>>[]; session: Awaited<ReturnType<typeof raw>>[] } = { raw: [], session: [] };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2) runs.session.push(await through());
    runs.raw.push(await raw());
    if (!(i % 2)) runs.session.push(await through());
  }
  await node.stop();
  await llama.close();
  const keys = ["tokensPerSecond", "jsGapMs", "mainCpuMs", "otherCpuMs", "cycleP25Ms", "cycleP50Ms"] as const;
  const report = Object.fromEntries(
    keys.map((key) => [
      key,
      { raw: Number(median(runs.raw.map((r) => r[key])).toFixed(3)), session: Number(median(runs.session.map((r) => r[key])).toFixed(3)) },
    ]),
  );
  process.stdout.write(`${JSON.stringify({ runs: RUNS, tokens: TOKENS, ...report })}\n`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
