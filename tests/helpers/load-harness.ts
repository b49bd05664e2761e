/**
 * Load: many clients and several provider nodes (`startProviderNode` with the embedded model) on one
 * in-process chain with wall-clock slots. Used by tests/load (a small run) and scripts/bench-load.ts (1,000
 * requests). Never imports vitest.
 *
 * Each client posts its requests one after another (closed loop) to every node's server (they race for
 * each lock), follows each until its account closes, and settles its own loose ends like a real client
 * would: some requests are cancelled at once (`cancelRate`), some pin a revision no node serves
 * (`unservableRate`) and are expired after the open window for a refund; a locked request past its deadline
 * is expired too. Every transaction's fee is counted per fee payer, so the run ends with exact checks:
 * Σ lamports over every account fell by exactly the fees, and each client paid exactly its fees plus the
 * cost of its completed requests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSigner, type Address, type KeyPairSigner } from "@solana/kit";
import {
  cancelRequest,
  CHAINFERENCE_PROGRAM_ADDRESS,
  decryptResponseStream,
  getResponseChunkCiphertextLength,
  SEALED_FRAME_OVERHEAD,
  defaultProtocolParameters,
  deriveClientResponseKey,
  expireRequest,
  fetchRequestAccount,
  fetchResponseAccount,
  fetchServers,
  findFeeVaults,
  findResponsePda,
  initializeProtocol,
  isTransactionFailed,
  MAX_ALLOWED_SERVERS,
  postRequest,
  RequestStatus,
  type Chain,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";
import {
  createDefaultLlamaBackend,
  DEFAULT_MODEL,
  defaultNodeConfig,
  startProviderNode,
  type LlamaBackend,
  type ProviderNode,
} from "@chainference/node";
import { PROGRAM_SO } from "./svm";

const SOL = 1_000_000_000n;

export type LoadOptions = Readonly<{
  requests: number;
  nodes: number;
  clients: number;
  /** llama.cpp instances (one thread each) shared round-robin by the nodes; default min(nodes, 2). */
  backends?: number;
  /** Requests locked at once per node. */
  concurrency?: number;
  /** Answer length asked for: each request draws from [min, max]. */
  maxTokens?: readonly [number, number];
  /** Fraction of requests the client cancels right after posting. */
  cancelRate?: number;
  /** Fraction of requests pinning a revision no node serves (never locked: expired after the open window). */
  unservableRate?: number;
  /** Slots an Open request stays lockable (protocol parameter), default 40 (16 s). */
  openRequestSlots?: bigint;
  slotMs?: number;
  pollMs?: number;
  log?: (line: string) => void;
}>;

export type RequestOutcome = "completed" | "cancelled" | "expired";

export type LoadReport = Readonly<{
  requests: number;
  outcomes: Record<RequestOutcome, number>;
  /** Requests posted to be cancelled at once, and pinning an unserved revision. */
  mix: Readonly<{ cancelAttempts: number; unservable: number }>;
  wallMs: number;
  /** Completed requests per second over the whole run. */
  throughput: number;
  tokensOut: number;
  tokensPerSecond: number;
  /** Client-observed: posting started → first chunk seen on chain (completed requests). */
  ttfcMs: Readonly<{ p50: number; p95: number; max: number }>;
  /** On-chain: request created → first chunk landed, in slots. */
  ttfcSlots: Readonly<{ p50: number; p95: number }>;
  transactions: number;
  fees: bigint;
  /** Σ before − Σ after over every account == Σ fees, and each client's balance is exact. */
  lamportsExact: boolean;
  clientMismatches: number;
  /** Answers that decrypted whole and matched the node's text length bookkeeping. */
  decrypted: number;
  completedByNode: readonly number[];
  /** The nodes' own view: lock → completed, lock → first chunk landed, generation speed, skips by reason. */
  node: Readonly<{
    durationMsP50: number;
    ttfcMsP50: number;
    ttfcMsP95: number;
    tokensPerSecondP50: number;
    skipped: Readonly<Record<string, number>>;
  }>;
}>;

const percentile = (xs: readonly number[], p: number) => {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps a chain so every landed transaction's fee is counted per fee payer. */
function countingChain(chain: LiteSvmChain) {
  const feesBy = new Map<Address, bigint>();
  let transactions = 0;
  const counted: Chain = {
    ...chain,
    async sendInstructions(instructions, options) {
      const sent = await chain.sendInstructions(instructions, options);
      transactions += 1;
      feesBy.set(options.feePayer.address, (feesBy.get(options.feePayer.address) ?? 0n) + sent.fee);
      return sent;
    },
  };
  return { chain: counted, feesBy, transactions: () => transactions, total: () => [...feesBy.values()].reduce((a, b) => a + b, 0n) };
}

const QUESTIONS = [
  "Say hi.",
  "Name a color.",
  "Count to three.",
  "Name a fruit.",
  "What is 2+2?",
  "Say yes or no.",
  "Name an animal.",
  "One word for happy?",
];

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => undefined);
  const slotMs = options.slotMs ?? 400;
  const pollMs = options.pollMs ?? 200;
  const [minTokens, maxTokens] = options.maxTokens ?? [4, 8];
  const scratch = await mkdtemp(join(tmpdir(), "chainference-load-"));

  // 1. The chain, the protocol (short open window so unserved requests expire within the run), wallets.
  const base = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }], slotDurationMs: slotMs });
  const admin = await generateKeyPairSigner();
  const treasury = (await generateKeyPairSigner()).address;
  await base.airdrop(admin.address, 10n * SOL);
  setUpgradeAuthority(base.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(base, admin, { ...defaultProtocolParameters(treasury), openRequestSlots: options.openRequestSlots ?? 40n });
  const counter = countingChain(base);
  const chain = counter.chain;
  const fund = async (lamports: bigint) => {
    const signer = await generateKeyPairSigner();
    await base.airdrop(signer.address, lamports);
    return signer;
  };
  const operators = await Promise.all(Array.from({ length: options.nodes }, () => fund(100n * SOL)));
  const clients = await Promise.all(Array.from({ length: options.clients }, () => fund(10n * SOL)));

  // 2. Backends and nodes.
  const backendCount = options.backends ?? Math.min(options.nodes, 2);
  const backends: LlamaBackend[] = [];
  for (let i = 0; i < backendCount; i++) backends.push(await createDefaultLlamaBackend({ threads: 1 }));
  const nodes: ProviderNode[] = [];
  for (const [i, operator] of operators.entries()) {
    nodes.push(
      await startProviderNode({
        chain,
        operator,
        config: {
          ...defaultNodeConfig(),
          concurrency: options.concurrency ?? 2,
          estimatedTokensPerSecond: 20,
          pollIntervalMs: slotMs,
          slotMs,
          recoveryQuietSlots: 0,
        },
        keyringPath: join(scratch, `keyring-${i}.json`),
        backends: { [DEFAULT_MODEL.hfId]: backends[i % backendCount]! },
        log: null,
      }),
    );
  }
  const servers = (await fetchServers(chain, { model: DEFAULT_MODEL.hfId })).filter((s) => nodes.some((n) => n.server === s.address));
  if (servers.length !== options.nodes) throw new Error(`expected ${options.nodes} servers listed, found ${servers.length}`);
  const completedBy = new Map<Address, number>();
  const nodeSide = {
    durationMs: [] as number[],
    ttfcMs: [] as number[],
    tokensPerSecond: [] as number[],
    skipped: new Map<string, number>(),
  };
  for (const node of nodes)
    node.events.subscribe((e) => {
      if (e.type === "completed") {
        nodeSide.durationMs.push(e.durationMs);
        if (e.timeToFirstChunkMs !== null) nodeSide.ttfcMs.push(e.timeToFirstChunkMs);
        if (e.tokensPerSecond !== null) nodeSide.tokensPerSecond.push(e.tokensPerSecond);
      } else if (e.type === "skipped") nodeSide.skipped.set(e.reason, (nodeSide.skipped.get(e.reason) ?? 0) + 1);
    });

  // 3. Baseline over every account that exists before the first request.
  const feeVaults = await findFeeVaults();
  const fixed: Address[] = [
    admin.address,
    treasury,
    ...feeVaults,
    ...operators.map((o) => o.address),
    ...nodes.map((n) => n.server),
    ...clients.map((c) => c.address),
  ];
  const sum = async (addresses: readonly Address[]) => (await base.getAccounts(addresses)).reduce((s, a) => s + (a?.lamports ?? 0n), 0n);
  const feesBefore = counter.total();
  const sumBefore = await sum(fixed);
  const clientStart = new Map(await Promise.all(clients.map(async (c) => [c.address, await base.getBalance(c.address)] as const)));
  const clientCost = new Map<Address, bigint>();

  // 4. The clients.
  const outcomes: Record<RequestOutcome, number> = { completed: 0, cancelled: 0, expired: 0 };
  const mix = { cancelAttempts: 0, unservable: 0 };
  const ttfcMs: number[] = [];
  const ttfcSlots: number[] = [];
  let tokensOut = 0;
  let decrypted = 0;
  let issued = 0;
  const started = Date.now();

  const runClient = async (client: KeyPairSigner) => {
    for (;;) {
      const n = issued++;
      if (n >= options.requests) return;
      // Deterministic mix: every (1/rate)-th request is cancelled / unservable, at fixed offsets.
      const every = (rate: number | undefined) => (rate && rate > 0 ? Math.max(2, Math.round(1 / rate)) : 0);
      const [cancelEvery, unservableEvery] = [every(options.cancelRate), every(options.unservableRate)];
      const kind = cancelEvery && n % cancelEvery === 1 ? "cancel" : unservableEvery && n % unservableEvery === 2 ? "unservable" : "normal";
      if (kind === "cancel") mix.cancelAttempts += 1;
      if (kind === "unservable") mix.unservable += 1;
      const t0 = Date.now();
      const posted = await postRequest(chain, {
        client,
        model: DEFAULT_MODEL.hfId,
        ...(kind === "unservable" ? { revision: "0000000000000000000000000000000000000000" } : {}),
        servers,
        // Every node may take every request (no client here hands requests off): the load spreads over them.
        fanOut: Math.min(servers.length, MAX_ALLOWED_SERVERS),
        stake: 2_000_000n,
        maxPriceIn: SOL,
        maxPriceOut: SOL,
        payload: {
          v: 1,
          messages: [{ role: "user", content: QUESTIONS[n % QUESTIONS.length]! }],
          maxTokens: minTokens + (n % (maxTokens - minTokens + 1)),
          temperature: 0,
        },
      });
      let outcome: RequestOutcome | null = null;
      if (kind === "cancel") {
        try {
          await cancelRequest(chain, client, posted.address);
          outcome = "cancelled";
        } catch (e) {
          if (!isTransactionFailed(e)) throw e; // a node locked it first: follow it like any other
        }
      }
      const [responseAddress] = await findResponsePda({ request: posted.address });
      let firstChunkAt: number | null = null;
      while (outcome === null) {
        const [request, response] = await Promise.all([
          fetchRequestAccount(chain, posted.address),
          fetchResponseAccount(chain, responseAddress),
        ]);
        if (firstChunkAt === null && response && response.chunkCount > 0) firstChunkAt = Date.now();
        if (!request) {
          if (!response?.completed) throw new Error(`request ${posted.address} closed without completion, cancel or expiry by its client`);
          outcome = "completed";
          ttfcMs.push((firstChunkAt ?? Date.now()) - t0);
          ttfcSlots.push(Number(response.firstChunkSlot - posted.transactions[0]!.slot));
          tokensOut += response.tokensOut;
          clientCost.set(client.address, (clientCost.get(client.address) ?? 0n) + response.cost);
          completedBy.set(response.server, (completedBy.get(response.server) ?? 0) + 1);
          const key = deriveClientResponseKey({
            ephSecret: posted.keys.ephSecret,
            dataKey: posted.keys.dataKey,
            lockerKey: response.serverKey,
            requestAddress: posted.address,
          });
          const { chunks, isFinal } = decryptResponseStream({
            responseKey: key,
            requestAddress: posted.address,
            stream: response.stream,
            expectFinal: true,
          });
          // The program counts each chunk's padded plaintext (ciphertext minus nonce and tag): the same bookkeeping
          const padded = chunks.reduce((sum, chunk) => sum + getResponseChunkCiphertextLength(chunk.length) - SEALED_FRAME_OVERHEAD, 0);
          if (isFinal && padded === response.plaintextBytes) decrypted += 1;
          break;
        }
        const slot = await chain.getSlot();
        const late =
          (request.status === RequestStatus.Open && slot > request.openUntilSlot) ||
          (request.status === RequestStatus.Locked && slot > request.deadlineSlot);
        if (late) {
          try {
            await expireRequest(chain, client, request);
            outcome = "expired";
            break;
          } catch (e) {
            if (!isTransactionFailed(e)) throw e; // completed or expired by someone else meanwhile: look again
          }
        }
        await sleep(pollMs);
      }
      outcomes[outcome!] += 1;
      const done = outcomes.completed + outcomes.cancelled + outcomes.expired;
      if (done % 50 === 0) log(`${done}/${options.requests} requests ended (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  };

  try {
    await Promise.all(clients.map(runClient));
  } finally {
    await Promise.all(nodes.map((n) => n.stop({ drain: true })));
    await Promise.all(backends.map((b) => b.close()));
    await rm(scratch, { recursive: true, force: true });
  }
  const wallMs = Date.now() - started;

  // 5. Exact accounting: every program account still open (responses stay until closed) joins the sum.
  const remaining = (await base.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS)).filter((a) => a.data[0] === 4 || a.data[0] === 5);
  const openRequests = remaining.filter((a) => a.data[0] === 4).length;
  const fees = counter.total() - feesBefore;
  const sumAfter = (await sum(fixed)) + remaining.reduce((s, a) => s + a.lamports, 0n);
  let clientMismatches = 0;
  for (const client of clients) {
    const expected = clientStart.get(client.address)! - (counter.feesBy.get(client.address) ?? 0n) - (clientCost.get(client.address) ?? 0n);
    if ((await base.getBalance(client.address)) !== expected) clientMismatches += 1;
  }
  return {
    requests: options.requests,
    outcomes,
    mix,
    wallMs,
    throughput: outcomes.completed / (wallMs / 1000),
    tokensOut,
    tokensPerSecond: tokensOut / (wallMs / 1000),
    ttfcMs: { p50: percentile(ttfcMs, 50), p95: percentile(ttfcMs, 95), max: percentile(ttfcMs, 100) },
    ttfcSlots: { p50: percentile(ttfcSlots, 50), p95: percentile(ttfcSlots, 95) },
    transactions: counter.transactions(),
    fees,
    lamportsExact: sumBefore - sumAfter === fees && openRequests === 0 && clientMismatches === 0,
    clientMismatches,
    decrypted,
    completedByNode: nodes.map((n) => completedBy.get(n.server) ?? 0),
    node: {
      durationMsP50: percentile(nodeSide.durationMs, 50),
      ttfcMsP50: percentile(nodeSide.ttfcMs, 50),
      ttfcMsP95: percentile(nodeSide.ttfcMs, 95),
      tokensPerSecondP50: percentile(nodeSide.tokensPerSecond, 50),
      skipped: Object.fromEntries(nodeSide.skipped),
    },
  };
}
