/**
 * The embedded llama.cpp backend under concurrency (parallel sequences of one context, a queue beyond the
 * slots), its device selection and model-file checks, against the real default model on this machine's CPU.
 *
 * What llama.cpp guarantees and what it does not: every request decodes in a sequence of its own (its own KV
 * cache), so an answer can only come from its own prompt, and token counts are per sequence. Floating-point
 * results of a batched step depend slightly on what else is in the batch, so a greedy (temperature 0) answer
 * computed beside others may drift from the single-request answer after some tokens (measured here: after 21
 * of 48 tokens in two of four prompts); node-llama-cpp makes no promise of batch-invariant numerics. The tests
 * assert the first, not the second.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF,
  DEFAULT_MODEL,
  createDefaultLlamaBackend,
  createLlamaBackend,
  createNodeMetrics,
  defaultEmbeddedSlots,
  describePlacement,
  fairStartsStrategy,
  queuedSequenceOf,
  fetchDefaultModel,
  isChainferenceBackendError,
  type ChatResult,
  type LlamaBackend,
  type StreamChatRequest,
} from "@chainference/node";
import { createDecodeAlignedEmitter } from "../../node/src/backends/llama-backend";
import { createSequenceSlots } from "../../node/src/backends/sequence-slots";

/** Prompts whose greedy answers differ from the first token on. */
const PROMPTS = [
  "Explain in a few sentences why the sky is blue.",
  "Write a short poem about the sea.",
  "What is the capital of France? Answer in one paragraph.",
  "List three uses of copper.",
] as const;
const ask = (content: string, maxTokens: number): StreamChatRequest => ({
  messages: [{ role: "user", content }],
  maxTokens,
  temperature: 0,
});

let llama: LlamaBackend;
let modelPath: string;
let scratch: string;

beforeAll(async () => {
  ({ path: modelPath } = await fetchDefaultModel({ log: () => undefined, showPipOutput: false }));
  llama = await createDefaultLlamaBackend({ threads: 1, slots: 4, gpu: "cpu" });
  scratch = await mkdtemp(join(tmpdir(), "chainference-concurrency-"));
}, 120_000);

afterAll(async () => {
  await llama?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("concurrent requests on parallel sequences", () => {
  it("gives each concurrent request an answer of its own prompt", async () => {
    // Given each prompt's answer when it runs alone
    const alone: ChatResult[] = [];
    for (const prompt of PROMPTS) alone.push(await llama.streamChat(ask(prompt, 24)).result);
    expect(new Set(alone.map((a) => a.text.slice(0, 8))).size).toBe(PROMPTS.length);
    // When the four run at once, one per slot
    const together = await Promise.all(PROMPTS.map((prompt) => llama.streamChat(ask(prompt, 24)).result));
    // Then each answer is closest to its own prompt's single answer, with the same prompt count
    together.forEach((answer, i) => {
      const overlaps = alone.map((a) => commonPrefix(a.text, answer.text));
      expect(overlaps[i]).toBeGreaterThan(0);
      expect(Math.max(...overlaps.filter((_, j) => j !== i))).toBeLessThan(overlaps[i]!);
      expect(answer.usage.promptTokens).toBe(alone[i]!.usage.promptTokens);
    });
  });

  it("counts every concurrent request's tokens exactly", async () => {
    // Given requests that stop at different lengths
    const lengths = [5, 7, 9, 11, 13, 15];
    // When they run together (more than the slots: two wait)
    const streams = lengths.map((n, i) =>
      llama.streamChat(ask(`Write a long story about ${["a lighthouse", "a fox", "a ship"][i % 3]}.`, n)),
    );
    const results = await Promise.all(
      streams.map(async (stream) => {
        let streamed = "";
        for await (const chunk of stream) streamed += chunk.text;
        return { streamed, result: await stream.result };
      }),
    );
    // Then each stops at its own limit and its text is exactly what it streamed
    results.forEach(({ streamed, result }, i) => {
      expect(result.finishReason).toBe("length");
      expect(result.usage.completionTokens).toBe(lengths[i]);
      expect(result.text).toBe(streamed);
    });
  });

  it("queues requests beyond the slots and serves them in arrival order", async () => {
    // Given as many long requests as slots, then two more
    const started: number[] = [];
    const streams = Array.from({ length: 6 }, (_, i) => llama.streamChat(ask(PROMPTS[i % 4]!, 12)));
    const reading = streams.map(async (stream, i) => {
      for await (const _chunk of stream) if (!started.includes(i)) started.push(i);
      return stream.result;
    });
    // When the slots are taken
    await waitUntil(() => llama.slotUsage!().busy === 4);
    // Then two wait, start after the first four (the slot pool's own test checks their order), and every slot
    // is free again once the slots are restored
    expect(llama.slotUsage!()).toEqual({ slots: 4, busy: 4, waiting: 2 });
    await Promise.all(reading);
    expect([...started.slice(4)].sort()).toEqual([4, 5]);
    await waitUntil(() => llama.slotUsage!().busy === 0);
    expect(llama.slotUsage!()).toEqual({ slots: 4, busy: 0, waiting: 0 });
  });

  it("reproduces a greedy answer exactly when requests run one at a time", async () => {
    const first = await llama.streamChat(ask(PROMPTS[0], 32)).result;
    const second = await llama.streamChat(ask(PROMPTS[0], 32)).result;
    expect(second).toEqual(first);
  });

  it("keeps only the chat template's fixed opening in idle slots, restored after every request", async () => {
    // Given an answer computed alone, and the template tokens every slot keeps (SmolLM2: default system prompt + user header)
    const before = await llama.streamChat(ask(PROMPTS[3], 24)).result;
    expect(llama.placement.templatePrefixTokens).toBeGreaterThan(0);
    expect(llama.placement.templatePrefixTokens).toBeLessThan(before.usage.promptTokens);
    // When every slot then serves a request with a system message of its own (which replaces that opening)
    await Promise.all(
      Array.from(
        { length: 4 },
        (_, i) =>
          llama.streamChat({
            messages: [
              { role: "system", content: `You are pirate number ${i}.` },
              { role: "user", content: "Hello!" },
            ],
            maxTokens: 8,
          }).result,
      ),
    );
    // Then the slots are back to the template's opening: the same request alone gives the same answer
    expect(await llama.streamChat(ask(PROMPTS[3], 24)).result).toEqual(before);
  });

  it("drops a queued request aborted before it got a slot, without holding one", async () => {
    // Given all slots busy and one request waiting
    const busy = Array.from({ length: 4 }, () => llama.streamChat(ask(PROMPTS[1], 16)).result);
    const controller = new AbortController();
    const queued = llama.streamChat({ ...ask(PROMPTS[2], 16), signal: controller.signal });
    await waitUntil(() => llama.slotUsage!().waiting === 1);
    // When it is aborted
    const reason = new Error("client went away");
    controller.abort(reason);
    // Then it fails with the reason, leaves the queue, and the others finish
    await expect(queued.result).rejects.toBe(reason);
    expect(llama.slotUsage!().waiting).toBe(0);
    await Promise.all(busy);
    await waitUntil(() => llama.slotUsage!().busy === 0);
  });
});

describe("text hand-off", () => {
  it("hands text pieces on in order once the model's next decode is dispatched, and drains before the result", async () => {
    // Given pieces pushed from onTextChunk, then the next decode queued the way node-llama-cpp's "nextCycle" does
    const emitted: string[] = [];
    const handOn = createDecodeAlignedEmitter((text) => emitted.push(text));
    handOn.push("Once");
    handOn.push(" upon");
    const seenAtDispatch: string[][] = [];
    setImmediate(() => seenAtDispatch.push([...emitted]));
    // Then nothing reaches the reader before the dispatch, everything in order after it
    expect(emitted).toEqual([]);
    await handOn.drained();
    expect(seenAtDispatch).toEqual([[]]);
    expect(emitted).toEqual(["Once", " upon"]);
    // and a later piece drains on its own
    handOn.push(" a time");
    await handOn.drained();
    expect(emitted).toEqual(["Once", " upon", " a time"]);
  });
});

describe("slot pool and batch filling", () => {
  it("hands slots out first come, first served, and skips callers that gave up", async () => {
    const pool = createSequenceSlots(["a"]);
    const first = await pool.acquire();
    const gaveUp = new AbortController();
    const order: string[] = [];
    const second = pool.acquire().then((s) => order.push(`second:${s}`));
    const abandoned = pool.acquire(gaveUp.signal).catch(() => order.push("abandoned"));
    const third = pool.acquire().then((s) => order.push(`third:${s}`));
    gaveUp.abort(new Error("gone"));
    await abandoned;
    expect(pool.usage()).toEqual({ slots: 1, busy: 1, waiting: 2 });
    pool.release(first);
    await second;
    pool.release("a");
    await third;
    expect(order).toEqual(["abandoned", "second:a", "third:a"]);
  });

  it("fills a CPU step with whole prompts in arrival order while any wait, pausing running answers", () => {
    const [promptA, running1, promptB, running2, promptC] = [item(40), item(1), item(20), item(1), item(40)];
    const fill = fairStartsStrategy({ promptTokensPerStep: 64, promptsFirst: true });
    const items = [promptA, running1, promptB, running2, promptC];
    expect(amounts(fill({ items: items as never, size: 512 }))).toEqual([
      [promptA, 40],
      [promptB, 20],
    ]);
    // a prompt longer than the budget is cut; with no prompt waiting, every running answer moves
    expect(amounts(fill({ items: [item(100), running1] as never, size: 512 }))).toEqual([[expect.anything(), 64]]);
    expect(amounts(fill({ items: [running1, running2] as never, size: 512 }))).toEqual([
      [running1, 1],
      [running2, 1],
    ]);
  });

  it("on a CPU, gives an answer's first tokens priority over the next prompt and older answers' tokens", () => {
    // Given sequence 1 answering for a while, and sequence 2's prompt arriving with sequence 3's behind it
    const sequences = new Map<unknown, number>();
    const of = (sequence: number, tokens: number) => {
      const made = item(tokens);
      sequences.set(made.tokens, sequence);
      return made;
    };
    const fill = fairStartsStrategy({
      promptTokensPerStep: 30,
      promptsFirst: true,
      firstTokens: 4,
      sequenceOf: (batchItem) => sequences.get(batchItem.tokens),
    });
    // (sequence 1's own prompt went first, and its first tokens: it is an older answer by now)
    expect(amounts(fill({ items: [of(1, 20)] as never, size: 512 }))).toHaveLength(1);
    for (let step = 0; step < 3; step++) expect(fill({ items: [of(1, 1)] as never, size: 512 })).toHaveLength(1);

    // When sequence 2's prompt is evaluated (the budget leaves sequence 3's for the next step)
    const prompt2 = of(2, 20);
    const prompt3 = of(3, 20);
    expect(amounts(fill({ items: [of(1, 1), prompt2, prompt3] as never, size: 512 }))).toEqual([[prompt2, 20]]);

    // Then its next 3 tokens (the prompt step sampled the first) go alone, before sequence 3's prompt and 1's tokens
    for (let step = 0; step < 3; step++) {
      const young = of(2, 1);
      expect(amounts(fill({ items: [of(1, 1), young, prompt3] as never, size: 512 }))).toEqual([[young, 1]]);
    }
    // And then the waiting prompt comes next, and with none waiting every answer moves again
    expect(amounts(fill({ items: [of(1, 1), of(2, 1), prompt3] as never, size: 512 }))).toEqual([[prompt3, 20]]);
    for (let step = 0; step < 3; step++) expect(fill({ items: [of(1, 1), of(2, 1), of(3, 1)] as never, size: 512 })).toHaveLength(1);
    const [one, two, three] = [of(1, 1), of(2, 1), of(3, 1)];
    expect(amounts(fill({ items: [one, two, three] as never, size: 512 }))).toEqual([
      [one, 1],
      [two, 1],
      [three, 1],
    ]);
  });

  it("reads a batch item's sequence from node-llama-cpp's queued decodes, and nothing from a context it does not know", () => {
    const tokens = [7];
    expect(
      queuedSequenceOf(
        {
          _queuedDecodes: [
            { tokens: [7], sequenceId: 1 },
            { tokens, sequenceId: 2 },
          ],
        },
        { tokens } as never,
      ),
    ).toBe(2);
    expect(queuedSequenceOf({}, { tokens } as never)).toBeUndefined();
    expect(queuedSequenceOf(undefined, { tokens } as never)).toBeUndefined();
  });

  it("fills a GPU step with every running answer's next token, then whole prompts within the budget", () => {
    const [promptA, running1, promptB, running2] = [item(40), item(1), item(40), item(1)];
    const fill = fairStartsStrategy({ promptTokensPerStep: 64, promptsFirst: false });
    expect(amounts(fill({ items: [promptA, running1, promptB, running2] as never, size: 512 }))).toEqual([
      [running1, 1],
      [running2, 1],
      [promptA, 40],
    ]);
  });
});

describe("device selection", () => {
  it("resolves cpu and auto to the CPU on this machine and reports it", async () => {
    // Given the backend loaded with gpu "cpu" and another with "auto"
    const auto = await createDefaultLlamaBackend({ threads: 1, slots: 2, gpu: "auto" });
    try {
      for (const backend of [llama, auto]) {
        // Then both run on the CPU with no layer offloaded
        expect(backend.placement).toMatchObject({ device: "cpu", gpuNames: [], gpuLayers: 0, threads: 1 });
        expect(backend.placement.totalLayers).toBeGreaterThan(0);
        expect(describePlacement(backend.placement)).toMatch(/^llama\.cpp on the CPU: 0\/\d+ layers on the GPU, \d slots, 1 thread$/);
      }
      // And /metrics says so
      const metrics = createNodeMetrics();
      metrics.setBackends([{ model: DEFAULT_MODEL.hfId, backend: auto }]);
      const text = metrics.renderPrometheus();
      expect(text).toContain(`chainference_node_backend_info{model="${DEFAULT_MODEL.hfId}",device="cpu",gpu=""} 1`);
      expect(text).toContain(`chainference_node_backend_gpu_layers{model="${DEFAULT_MODEL.hfId}"} 0`);
      expect(text).toContain(`chainference_node_backend_slots{model="${DEFAULT_MODEL.hfId}"} 2`);
      expect(text).toContain(`chainference_node_backend_waiting{model="${DEFAULT_MODEL.hfId}"} 0`);
    } finally {
      await auto.close();
    }
  }, 120_000);

  it("gives every locked request a slot on a GPU and caps the CPU at 8", () => {
    expect(defaultEmbeddedSlots({ device: "cpu", concurrency: 4 })).toBe(4);
    expect(defaultEmbeddedSlots({ device: "cpu", concurrency: 32 })).toBe(8);
    expect(defaultEmbeddedSlots({ device: "cuda", concurrency: 32 })).toBe(32);
  });
});

describe("any GGUF file by path", () => {
  it("serves a GGUF copied to another path, its configured sha256 and size checked", async () => {
    const path = join(scratch, "copy.gguf");
    await copyFile(modelPath, path);
    const backend = await createLlamaBackend({
      modelPath: path,
      fileCheck: { sha256: DEFAULT_MODEL.sha256.toUpperCase(), sizeBytes: DEFAULT_MODEL.sizeBytes },
      threads: 1,
      slots: 1,
      gpu: "cpu",
    });
    try {
      expect(backend.chatTemplate).toBe("JinjaTemplate");
      const { text } = await backend.streamChat(ask(PROMPTS[2], 12)).result;
      expect(text).toMatch(/paris/i);
    } finally {
      await backend.close();
    }
  }, 120_000);

  it("names a missing file and says to check modelPath", async () => {
    const path = join(scratch, "absent.gguf");
    const error = await createLlamaBackend({ modelPath: path }).catch((e: unknown) => e);
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING)).toBe(true);
    expect((error as Error).message).toBe(
      `Model file not found at ${path}. Check backend.modelPath in the node config (a GGUF file on this machine).`,
    );
  });

  it("refuses a file that is not GGUF before llama.cpp opens it", async () => {
    const path = join(scratch, "model.safetensors");
    await writeFile(path, '{"__metadata__": {}}');
    const error = await createLlamaBackend({ modelPath: path }).catch((e: unknown) => e);
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF)).toBe(true);
    expect((error as Error).message).toContain(`${path} is not a GGUF model file (it starts with "{\\"__", not "GGUF")`);
  });

  it("refuses a GGUF whose sha256 or size is not the configured one", async () => {
    const wrongHash = "0".repeat(64);
    const hashError = await createLlamaBackend({ modelPath, fileCheck: { sha256: wrongHash } }).catch((e: unknown) => e);
    expect(isChainferenceBackendError(hashError, CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH)).toBe(true);
    expect((hashError as Error).message).toContain(`its sha256 is ${DEFAULT_MODEL.sha256}, the config expects ${wrongHash}`);
    const sizeError = await createLlamaBackend({ modelPath, fileCheck: { sizeBytes: 1 } }).catch((e: unknown) => e);
    expect(isChainferenceBackendError(sizeError, CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH)).toBe(true);
    expect((sizeError as Error).message).toContain(`its size is ${DEFAULT_MODEL.sizeBytes} bytes, the config expects 1 bytes`);
  });
});

function item(tokens: number) {
  return { tokens: Array.from({ length: tokens }, (_, i) => i), logits: [], evaluationPriority: 5 };
}

function amounts(chosen: readonly { item: unknown; processAmount: number }[]) {
  return chosen.map((c) => [c.item, c.processAmount]);
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

async function waitUntil(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
