/**
 * `npx tsx scripts/profile-session-stream.ts`: CPU time per answer token that the session path adds (node: encrypt,
 * SSE event, write; client: SSE parse, decrypt, bills and vouchers), measured with a backend that yields tokens at
 * once so the model costs nothing, against the CPU time per token of the raw embedded model. CPU time
 * (`process.cpuUsage`, every thread of the process) rather than wall time, so a machine shared with other work
 * changes the result little. Env: TOKENS (default 2000), RUNS (default 5), MODEL=0 (skip the model).
 */
import { type PromptPayload } from "@chainference/client";
import { askInSession } from "@chainference/client/sessions";
import {
  createDefaultLlamaBackend,
  DEFAULT_MODEL,
  defaultEmbeddedThreads,
  startProviderNode,
  type InferenceBackend,
} from "@chainference/node";

import { createTestMarket, fundedWallet, LAMPORTS_PER_SOL, scratchDir } from "../tests/helpers/provider-harness";
import { openTestSession, sessionNodeConfig } from "../tests/helpers/session-node";

const TOKENS = Number(process.env["TOKENS"] ?? 2000);
const RUNS = Number(process.env["RUNS"] ?? 5);
const PIECE = " word";
/** MODEL=0 skips the raw model's measurement (for a CPU profile of the session path alone). */
const WITH_MODEL = process.env["MODEL"] !== "0";

/** Yields `maxTokens` pieces, one per macrotask (as a model's tokens arrive), at no model cost. */
function instantBackend(): InferenceBackend {
  return {
    describe: "instant",
    streamChat(request) {
      let done!: (value: Awaited<ReturnType<InferenceBackend["streamChat"]>["result"]>) => void;
      const result = new Promise<Awaited<ReturnType<InferenceBackend["streamChat"]>["result"]>>((r) => (done = r));
      async function* pieces() {
        for (let i = 0; i < request.maxTokens; i++) {
          await new Promise((r) => setImmediate(r));
          yield { text: PIECE };
        }
        done({
          text: PIECE.repeat(request.maxTokens),
          usage: { promptTokens: 10, completionTokens: request.maxTokens },
          usageSource: "reported",
          finishReason: "length",
        });
      }
      return Object.assign(pieces(), { result });
    },
    countTokens: async (text) => Math.ceil(text.length / 4),
    close: async () => undefined,
  };
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const payload = (maxTokens: number): PromptPayload => ({
  v: 1,
  messages: [{ role: "user", content: "Write a long story." }],
  maxTokens,
  temperature: 0,
});

async function main(): Promise<void> {
  const market = await createTestMarket();
  const backend = instantBackend();
  const node = await startProviderNode({
    chain: market.chain,
    operator: await fundedWallet(market.chain, 100n * LAMPORTS_PER_SOL),
    config: await sessionNodeConfig({}, { maxOutputTokens: TOKENS }),
    keyringPath: `${await scratchDir("chainference-profile-")}/keyring.json`,
    backends: { [DEFAULT_MODEL.hfId]: backend },
    log: null,
  });
  const session = await openTestSession(market, node, { deposit: 1_000_000_000n });

  const bareRuns: number[] = [];
  const sessionRuns: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    let started = process.cpuUsage();
    const bare = backend.streamChat({ messages: payload(TOKENS).messages, maxTokens: TOKENS });
    for await (const _ of bare);
    const bareMs = cpuMs(started);
    started = process.cpuUsage();
    const answer = askInSession({ connection: session.connection, progress: session.progress, payload: payload(TOKENS) });
    let text = 0;
    for await (const delta of answer) text += delta.text.length;
    const { tokensOut } = await answer.result;
    const sessionMs = cpuMs(started);
    if (text !== TOKENS * PIECE.length || tokensOut !== TOKENS) throw new Error(`unexpected answer: ${text} chars, ${tokensOut} tokens`);
    if (run === 0) continue; // warm-up
    bareRuns.push(bareMs / TOKENS);
    sessionRuns.push(sessionMs / TOKENS);
  }
  await node.stop();

  const llama = await createDefaultLlamaBackend({ threads: defaultEmbeddedThreads() });
  const modelRuns: number[] = [];
  for (let run = 0; WITH_MODEL && run <= 2; run++) {
    const started = process.cpuUsage();
    const stream = llama.streamChat({ messages: payload(200).messages, maxTokens: 200, temperature: 0 });
    for await (const _ of stream);
    const { usage } = await stream.result;
    if (run > 0) modelRuns.push(cpuMs(started) / usage.completionTokens);
  }
  await llama.close();

  const added = median(sessionRuns) - median(bareRuns);
  const model = WITH_MODEL ? median(modelRuns) : NaN;
  const report = {
    tokens: TOKENS,
    runs: RUNS,
    backendCpuMsPerToken: Number(median(bareRuns).toFixed(4)),
    sessionCpuMsPerToken: Number(median(sessionRuns).toFixed(4)),
    sessionAddedCpuMsPerToken: Number(added.toFixed(4)),
    modelCpuMsPerToken: Number(model.toFixed(3)),
    sessionOverShare: Number((added / model).toFixed(4)),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
