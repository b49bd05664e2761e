/** The provider node's decisions in isolation: flushing, budgets, recovery, billing, retries, metrics. */
import { afterAll, describe, expect, it } from "vitest";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getTransactionMessageSize,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
} from "@solana/kit";

import {
  getMaxResponseChunkPlaintextLength,
  getResponseChunkCiphertextLength,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  CHAINFERENCE_PROGRAM_ADDRESS,
  getAppendResponseInstructionAsync,
  responseChunkInstructions,
  TransactionFailedError,
} from "@chainference/client";
import {
  getChunkFrameSize,
  billableTokens,
  createEventHub,
  createNodeMetrics,
  defaultServedModel,
  decideFlush,
  defaultEmbeddedThreads,
  describeError,
  formatNodeEvent,
  generationSeed,
  getChunkRoom,
  getMaxChunkCiphertextBytes,
  type ChunkTransaction,
  getMaxChunkPlaintextBytes,
  isTransientSendError,
  planOutputBudget,
  planRecovery,
  sendWithRetry,
  startMetricsServer,
  type MetricsServer,
  type NodeEvent,
  type OutputBudgetInput,
} from "@chainference/node";
import { createRequestJobs } from "../../node/src/provider/request-jobs";
import { createSpeedAverages } from "../../node/src/provider/speed-averages";

const REQUEST = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin" as Address;
const policy = { intervalMs: 400, maxChunkBytes: 900, firstChunkTokens: 4 };

describe("flush policy", () => {
  it("sends the first chunk once it holds firstChunkTokens tokens (or a full chunk), never by time", () => {
    expect(decideFlush({ bufferedBytes: 3, chunksLanded: 0, piecesGenerated: 3, lastFlushAt: 0 }, 10_000, policy, 900)).toEqual({
      flush: false,
      waitMs: null,
    });
    expect(decideFlush({ bufferedBytes: 9, chunksLanded: 0, piecesGenerated: 4, lastFlushAt: 0 }, 10, policy, 900)).toEqual({
      flush: true,
    });
    expect(decideFlush({ bufferedBytes: 900, chunksLanded: 0, piecesGenerated: 1, lastFlushAt: 0 }, 10, policy, 900)).toEqual({
      flush: true,
    });
  });
  it("then flushes by size or after the interval, and otherwise says how long to wait", () => {
    expect(decideFlush({ bufferedBytes: 900, chunksLanded: 2, piecesGenerated: 30, lastFlushAt: 1000 }, 1001, policy, 900)).toEqual({
      flush: true,
    });
    expect(decideFlush({ bufferedBytes: 40, chunksLanded: 2, piecesGenerated: 30, lastFlushAt: 1000 }, 1400, policy, 900)).toEqual({
      flush: true,
    });
    expect(decideFlush({ bufferedBytes: 40, chunksLanded: 2, piecesGenerated: 30, lastFlushAt: 1000 }, 1100, policy, 900)).toEqual({
      flush: false,
      waitMs: 300,
    });
    expect(decideFlush({ bufferedBytes: 0, chunksLanded: 2, piecesGenerated: 30, lastFlushAt: 1000 }, 5000, policy, 900)).toEqual({
      flush: false,
      waitMs: null,
    });
  });
});

describe("chunk size", () => {
  it("fits one append_response transaction exactly (1,232 bytes) and clamps the configured size", async () => {
    const operator = await generateKeyPairSigner();
    const max = await getMaxChunkCiphertextBytes(operator);
    expect(max).toBeGreaterThan(512);
    expect(max).toBeLessThan(1232 - 64 - 6 * 32);
    // A chunk of exactly that size makes a 1,232-byte transaction, one more byte would not fit
    const wireSize = async (ciphertextLen: number) => {
      const instruction = await getAppendResponseInstructionAsync({
        operator,
        request: REQUEST,
        chunkIndex: 0,
        isFinal: false,
        reserveBytes: 0,
        ciphertext: new Uint8Array(ciphertextLen),
      });
      return getTransactionMessageSize(
        pipe(
          createTransactionMessage({ version: 0 }),
          (m) => setTransactionMessageFeePayerSigner(operator, m),
          (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: REQUEST as string as Blockhash, lastValidBlockHeight: 0n }, m),
          (m) => appendTransactionMessageInstructions([instruction], m),
        ),
      );
    };
    expect(await wireSize(max)).toBe(1232);
    expect(await wireSize(max + 1)).toBe(1233);
    // The largest plaintext whose padded bucket plus nonce and tag still fits: 913 − 40 = 873, bucket 864, 860 of text
    const maxPlaintext = await getMaxChunkPlaintextBytes(operator, 10_000);
    expect(getResponseChunkCiphertextLength(maxPlaintext)).toBeLessThanOrEqual(max);
    expect(getResponseChunkCiphertextLength(maxPlaintext + 1)).toBeGreaterThan(max);
    expect(await getMaxChunkPlaintextBytes(operator, 300)).toBe(300);
  });

  it("fits the first chunk beside lock_request and the final chunk beside complete_request in one transaction exactly", async () => {
    const operator = await generateKeyPairSigner();
    const client = (await generateKeyPairSigner()).address;
    const wireSize = async (shape: ChunkTransaction, ciphertextLen: number) => {
      const complete = shape === "with-complete" || shape === "with-lock-and-complete";
      const instructions = await responseChunkInstructions(operator, {
        request: REQUEST,
        chunkIndex: 0,
        isFinal: complete,
        ciphertext: new Uint8Array(ciphertextLen),
        ...(shape === "with-lock" || shape === "with-lock-and-complete" ? { lock: { x25519Key: new Uint8Array(32) } } : {}),
        ...(complete ? { complete: { request: { address: REQUEST, client, feeShard: 3 }, tokensIn: 1, tokensOut: 1 } } : {}),
      });
      return getTransactionMessageSize(
        pipe(
          createTransactionMessage({ version: 0 }),
          (m) => setTransactionMessageFeePayerSigner(operator, m),
          (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: REQUEST as string as Blockhash, lastValidBlockHeight: 0n }, m),
          (m) => appendTransactionMessageInstructions(instructions, m),
        ),
      );
    };
    const room = await getChunkRoom(operator, 10_000);
    for (const shape of ["alone", "with-lock", "with-complete", "with-lock-and-complete"] as const) {
      const max = await getMaxChunkCiphertextBytes(operator, shape);
      expect(await wireSize(shape, max)).toBe(1232);
      expect(await wireSize(shape, max + 1)).toBe(1233);
      // The largest padded plaintext that seals to at most `max` bytes (nonce + tag + bucket)
      expect(room[shape]).toBe(getMaxResponseChunkPlaintextLength(max));
      expect(getResponseChunkCiphertextLength(room[shape])).toBeLessThanOrEqual(max);
    }
    // Sharing costs room: the lock adds the Config account, the settlement the client and the fee vault
    expect(room["with-lock"]).toBeLessThan(room.alone);
    expect(room["with-complete"]).toBeLessThan(room.alone);
    expect(room["with-lock-and-complete"]).toBeLessThan(Math.min(room["with-lock"], room["with-complete"]));
  });
});

describe("output budget", () => {
  const base: OutputBudgetInput = {
    stake: 10_000_000n,
    promptBytes: 200,
    priceIn: 1_000_000n,
    priceOut: 5_000_000n,
    requestedTokens: 256,
    maxOutputTokens: 512,
    contextTokensLeft: 2000,
    streamByteCap: 16_384,
    slotsLeft: 750n,
    marginSlots: 8,
    slotMs: 400,
    tokensPerSecond: 20,
    queuedTokens: 0,
    maxChunkPlaintext: 900,
    flushIntervalMs: 400,
  };
  it("asks for what the prompt wants when stake, time and context allow", () => {
    expect(planOutputBudget(base)).toMatchObject({ outputTokenCap: 256, limitedBy: "request" });
  });
  it("caps at what the stake pays for after the worst-case prompt cost", () => {
    // 1,000 lamports: prompt costs ceil(200 × 1e6 / 1e6) = 200, leaving 800 lamports = 160 tokens at 5 lamports each
    expect(planOutputBudget({ ...base, stake: 1_000n })).toMatchObject({ outputTokenCap: 160, affordableTokens: 160, limitedBy: "stake" });
  });
  it("caps at what can be generated before the deadline behind the queue", () => {
    // (20 − 8) slots × 400 ms = 4.8 s × 20 tok/s = 96 tokens, minus 50 queued
    expect(planOutputBudget({ ...base, slotsLeft: 20n, queuedTokens: 50 })).toMatchObject({
      outputTokenCap: 46,
      timeTokens: 46,
      limitedBy: "deadline",
    });
  });
  it("reserves about 4 bytes a token plus frame overhead, within the stream cap", () => {
    const { reserveBytes } = planOutputBudget({ ...base, requestedTokens: 100 });
    expect(reserveBytes).toBeGreaterThan(400);
    expect(reserveBytes).toBeLessThan(40 * getChunkFrameSize(400 / 40));
    expect(planOutputBudget({ ...base, streamByteCap: 256 }).reserveBytes).toBe(256);
  });

  it("counts no queue ahead of a request while the backend has a free slot, then the jobs' tokens per slot", async () => {
    // Given a backend with 4 slots and jobs of 100 tokens each that stay in progress
    const model = defaultServedModel();
    const jobs = createRequestJobs({
      emit: () => undefined,
      speeds: createSpeedAverages(10),
      setActiveRequests: () => undefined,
      slotsFor: () => 4,
    });
    const never = new Promise<never>(() => undefined);
    const track = (i: number) => jobs.track(`Req${i}111111111111111111111111111111111111111` as Address, model, 100, never);
    // When 3 are running, a slot is free: nothing ahead
    [1, 2, 3].forEach(track);
    expect(jobs.queuedTokens(model)).toBe(0);
    // When all 4 slots are taken, a new request waits for a quarter of the 400 queued tokens
    track(4);
    expect(jobs.queuedTokens(model)).toBe(100);
    // And a backend without slots (one at a time) waits behind every job, as before
    const serial = createRequestJobs({ emit: () => undefined, speeds: createSpeedAverages(10), setActiveRequests: () => undefined });
    serial.track("Req9111111111111111111111111111111111111111" as Address, model, 70, never);
    expect(serial.queuedTokens(model)).toBe(70);
  });
});

describe("recovery plan", () => {
  const base = {
    slot: 1000n,
    deadlineSlot: 1500n,
    chunksLanded: 2,
    isFinal: false,
    waitSlots: 0,
    marginSlots: 8,
    slotMs: 400,
    tokensPerSecond: 20,
    usefulTokens: 16,
  };
  it("resumes when there is time", () => expect(planRecovery(base).action).toBe("resume"));
  it("completes a final answer", () => expect(planRecovery({ ...base, isFinal: true }).action).toBe("complete"));
  it("closes a partial answer when time is short", () => expect(planRecovery({ ...base, deadlineSlot: 1006n }).action).toBe("finalize"));
  it("lets it expire when nothing landed and time is short, or the deadline passed", () => {
    expect(planRecovery({ ...base, deadlineSlot: 1006n, chunksLanded: 0 })).toMatchObject({
      action: "expire",
      detail: expect.stringMatching(/expire/),
    });
    expect(planRecovery({ ...base, deadlineSlot: 999n, isFinal: true })).toMatchObject({
      action: "expire",
      detail: expect.stringMatching(/deadline/),
    });
  });
  it("counts the quiet period against the time left before appending", () => {
    expect(planRecovery({ ...base, deadlineSlot: 1200n, waitSlots: 151 })).toMatchObject({
      action: "resume",
      detail: expect.stringMatching(/151-slot quiet period/),
    });
    expect(planRecovery({ ...base, deadlineSlot: 1160n, waitSlots: 151 }).action).toBe("finalize");
    expect(planRecovery({ ...base, deadlineSlot: 1100n, waitSlots: 151 }).action).toBe("expire");
    expect(planRecovery({ ...base, deadlineSlot: 1100n, waitSlots: 151, isFinal: true }).action).toBe("complete");
  });
});

describe("billing", () => {
  it("bills the backend's counts within the program's bounds", () => {
    expect(billableTokens({ promptTokens: 120, completionTokens: 40, promptBytes: 300, plaintextBytes: 35 })).toEqual({
      tokensIn: 120,
      tokensOut: 35,
    });
    expect(billableTokens({ promptTokens: 900, completionTokens: 10, promptBytes: 300, plaintextBytes: 50 })).toEqual({
      tokensIn: 300,
      tokensOut: 10,
    });
  });
  it("derives a stable sampling seed from the request address", () => {
    expect(generationSeed(REQUEST)).toBe(generationSeed(REQUEST));
    expect(Number.isInteger(generationSeed(REQUEST))).toBe(true);
  });
  it("leaves one core to the node when choosing llama.cpp threads", () => {
    expect(defaultEmbeddedThreads(2)).toBe(1);
    expect(defaultEmbeddedThreads(1)).toBe(1);
    expect(defaultEmbeddedThreads(32)).toBe(8);
  });
});

describe("sending", () => {
  const programError = new TransactionFailedError({
    instructionIndex: 0,
    customCode: CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
    programAddress: CHAINFERENCE_PROGRAM_ADDRESS,
    reason: "custom program error: 0x2020",
    logs: [],
  });
  const blockhash = new TransactionFailedError({ instructionIndex: null, customCode: null, reason: "BlockhashNotFound", logs: [] });
  it("treats program errors as final and transport or blockhash failures as transient", () => {
    expect(isTransientSendError(programError)).toBe(false);
    expect(isTransientSendError(blockhash)).toBe(true);
    expect(isTransientSendError(new Error("fetch failed"))).toBe(true);
  });
  it("names program errors by their generated constant", () => {
    expect(describeError(programError)).toBe("CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 8224)");
  });
  it("retries transient failures a bounded number of times and never program errors", async () => {
    let calls = 0;
    await expect(sendWithRetry(async () => (++calls < 3 ? Promise.reject(blockhash) : "landed"), { retries: 3, delayMs: 1 })).resolves.toBe(
      "landed",
    );
    expect(calls).toBe(3);
    calls = 0;
    await expect(sendWithRetry(async () => (++calls, Promise.reject(blockhash)), { retries: 2, delayMs: 1 })).rejects.toBe(blockhash);
    expect(calls).toBe(3);
    calls = 0;
    await expect(sendWithRetry(async () => (++calls, Promise.reject(programError)), { retries: 5, delayMs: 1 })).rejects.toBe(programError);
    expect(calls).toBe(1);
  });
});

describe("events and metrics", () => {
  const completed: NodeEvent = {
    type: "completed",
    request: REQUEST,
    tokensIn: 40,
    tokensOut: 100,
    text: "secret answer",
    finishReason: "stop",
    earnedLamports: 450n,
    timeToFirstChunkMs: 800,
    firstChunkSlots: 2n,
    tokensPerSecond: 25,
    durationMs: 4200,
    fee: 5000n,
  };
  let server: MetricsServer | null = null;
  afterAll(async () => server?.close());

  it("logs one line per request with tokens, time to first chunk, speed and earnings, never the text", () => {
    const line = formatNodeEvent(completed)!;
    expect(line).toContain(REQUEST);
    expect(line).toMatch(/tokens in 40 \/ out 100, first chunk 0\.80 s \(2 slots\), 25\.0 tok\/s, 4\.20 s total, earned 450 lamports/);
    expect(line).not.toContain("secret");
    expect(
      formatNodeEvent({ type: "chunk-appended", request: REQUEST, index: 0, plaintextBytes: 5, isFinal: false, slot: 1n, fee: 5000n }),
    ).toBeNull();
  });

  it("counts events and serves them as Prometheus text on 127.0.0.1", async () => {
    const metrics = createNodeMetrics();
    metrics.record({ type: "locked", request: REQUEST, slot: 1n, outputTokenCap: 100, fee: 5000n });
    metrics.record(completed);
    metrics.record({ type: "skipped", request: REQUEST, reason: "undecryptable-prompt", detail: "" });
    metrics.record({ type: "abandoned", request: REQUEST, reason: "backend" });
    expect(metrics.snapshot()).toMatchObject({
      locked: 1,
      completed: 1,
      abandoned: 1,
      tokensOut: 100,
      lamportsEarned: 450n,
      feesPaid: 10_000n,
      skipped: { "undecryptable-prompt": 1 },
    });
    server = await startMetricsServer(0, metrics.renderPrometheus);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(server.url)).text();
    expect(text).toContain("chainference_node_requests_completed_total 1");
    expect(text).toContain('chainference_node_requests_skipped_total{reason="undecryptable-prompt"} 1');
    expect(text).toContain("chainference_node_lamports_earned_total 450");
    expect(text).toContain("chainference_node_tokens_per_second 25");
    expect((await fetch(server.url.replace("/metrics", "/other"))).status).toBe(404);
  });

  it("hands out past and future events to waiters", async () => {
    const hub = createEventHub<{ n: number }>();
    hub.emit({ n: 1 });
    await expect(hub.waitFor((e) => e.n === 1)).resolves.toEqual({ n: 1 });
    const later = hub.waitFor((e) => e.n === 2);
    hub.emit({ n: 2 });
    await expect(later).resolves.toEqual({ n: 2 });
    await expect(hub.waitFor((e) => e.n === 3, { timeoutMs: 10, description: "event 3" })).rejects.toThrow(/no event 3 within 10 ms/);
  });
});
