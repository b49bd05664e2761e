/**
 * `npm run bench:economics [-- --json]`: runs the economic attacks of docs/reputation-system.md on the
 * real program (LiteSVM, target/deploy/chainference.so) and measures what each costs the attacker.
 *
 * - frontRunBlocked: a signer other than the upgrade authority calls initialize_config first.
 * - fakeCompletionLamports: lamports a self-dealer (one wallet as client and server) cannot recover per
 *   counted completion (create + lock, final chunk, complete + rate + close: three transactions).
 * - fakeVolumeCostRatio: those unrecoverable lamports over the paid volume they showed, for the cheapest
 *   volume per transaction a single create can carry (an 800-byte prompt billed as 800 tokens).
 * - abandonAttackerLamports / abandonClientNetLamports: a bonded server locks a request and abandons it;
 *   the server's loss (lock fee + penalty) and the client's balance change from posting to refund.
 * - feesPerAnswerLamports: transaction fees of one 100 / 500 / 2,000-token answer (4 bytes per token)
 *   through the real provider node (screening, chunking, transactions) with a backend faster than the
 *   chain: the client's create_request, then the node's lock + first chunk, full chunks, and final chunk +
 *   complete_request, plus the answer's share of the node's close sweep (close_response returns the response's
 *   rent to the operator after the grace period): the sweep transaction's fee over the responses it closed,
 *   measured by letting the real node answer as many requests as one sweep transaction holds and sweep them.
 *
 * With --json it prints exactly one JSON object; without, a short report.
 */
import { generateKeyPairSigner, type KeyPairSigner } from "@solana/kit";
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { defaultProtocolParameters, type PostedRequest } from "@chainference/client";
import {
  DEFAULT_MODEL,
  defaultServedModel,
  getMaxClosesPerTransaction,
  startProviderNode,
  type InferenceBackend,
  type NodeConfig,
  type ProviderNode,
} from "@chainference/node";
import { CHAINFERENCE_ERROR__NOT_UPGRADE_AUTHORITY } from "../clients/js/src/generated";
import {
  deployerSigner,
  depositBond,
  feeVaultAddresses,
  initializeConfigInstruction,
  readServer,
  registerServer,
  type RegisteredServer,
} from "../tests/helpers/fixtures";
import {
  CHUNK_OVERHEAD_LEN,
  MAX_CHUNK_IN_TX,
  PRICED_MODEL,
  appendResponseInstruction,
  chunk,
  closeResponseInstruction,
  completeInstruction,
  createRequestInstruction,
  expireInstruction,
  feeShardOf,
  freshNonce,
  lockInstruction,
  rateInstruction,
  requestPda,
  responsePda,
  setupMarket,
  type Market,
} from "../tests/helpers/lifecycle";
import {
  TransactionFailedError,
  balanceOf,
  createTestSvm,
  freshAddress,
  fundedSigner,
  send,
  warpSlots,
  type TestSvm,
} from "../tests/helpers/svm";
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

const { values: flags } = parseArgs({ options: { json: { type: "boolean", default: false } } });

/** The SDK's default bond values (clients/js/src/admin/admin-operations.ts). */
const BOND = { minBond: 1_000_000n, abandonPenalty: 20_000n, bondCooldownSlots: 750n };
const BYTES_PER_TOKEN = 4;

async function frontRunBlocked(): Promise<boolean> {
  const t = await createTestSvm();
  await deployerSigner(t); // the real deployer is the upgrade authority
  const attacker = await fundedSigner(t.svm);
  const ix = await initializeConfigInstruction(attacker, { treasury: await freshAddress() }, { feeVaults: await feeVaultAddresses() });
  try {
    await send(t, ix, { feePayer: attacker });
    return false;
  } catch (e) {
    return e instanceof TransactionFailedError && e.customCode === CHAINFERENCE_ERROR__NOT_UPGRADE_AUTHORITY;
  }
}

/** One self-dealt answer billed `tokensIn` prompt tokens; returns the lamports the wallet did not get back. */
async function selfDeal(t: TestSvm, market: Market, self: KeyPairSigner, server: RegisteredServer, tokensIn: number): Promise<bigint> {
  const before = balanceOf(t.svm, self.address);
  const nonce = freshNonce();
  const [request] = await requestPda(self.address, nonce);
  const [response] = await responsePda(request);
  const prompt = new Uint8Array(tokensIn).fill(1);
  const stake = BigInt(tokensIn) * 1_000n;
  await send(
    t,
    [
      await createRequestInstruction(self, nonce, { stake, promptLen: tokensIn, prompt }),
      lockInstruction(self, server.server, request, market.cfg.config),
    ],
    { feePayer: self },
  );
  await send(
    t,
    await appendResponseInstruction(self, server.server, request, {
      chunkIndex: 0,
      isFinal: true,
      ciphertext: chunk(CHUNK_OVERHEAD_LEN + 1),
    }),
    {
      feePayer: self,
    },
  );
  await send(
    t,
    [
      completeInstruction({
        operator: self,
        server: server.server,
        request,
        response,
        client: self.address,
        feeVault: market.cfg.feeVaults[feeShardOf(nonce)]!,
        tokensIn,
        tokensOut: 0,
      }),
      rateInstruction(self, response, server.server, 5),
      closeResponseInstruction(self, response, self.address, market.cfg.config),
    ],
    { feePayer: self },
  );
  return before - balanceOf(t.svm, self.address);
}

async function selfDealing(): Promise<{ fakeCompletionLamports: bigint; fakeVolumeCostRatio: number }> {
  const t = await createTestSvm();
  const market = await setupMarket(t, { servers: 0 });
  const self = await fundedSigner(t.svm);
  const server = await registerServer(t, { models: [PRICED_MODEL] }, self);
  // The cheapest counted completion: 100 tokens at 1,000 lamports, fee exactly MIN_COUNTED_FEE
  const fakeCompletionLamports = await selfDeal(t, market, self, server, 100);
  if (readServer(t, server.server).completed !== 1n) throw new Error("bench:economics: the 100,000-lamport fake did not count");
  // Volume: the largest prompt one create_request carries here (800 bytes = 800 tokens = 800,000 lamports)
  const volumeBefore = readServer(t, server.server).paidVolume;
  const lost = await selfDeal(t, market, self, server, 800);
  const shown = readServer(t, server.server).paidVolume - volumeBefore;
  return { fakeCompletionLamports, fakeVolumeCostRatio: Number(lost) / Number(shown) };
}

async function abandon(): Promise<{ abandonAttackerLamports: bigint; abandonClientNetLamports: bigint }> {
  const t = await createTestSvm();
  const market = await setupMarket(t, { servers: 1, config: BOND });
  const server = market.servers[0]!;
  await depositBond(t, server, BOND.minBond);
  const client = await fundedSigner(t.svm);
  const clientBefore = balanceOf(t.svm, client.address);
  const nonce = freshNonce();
  const [request] = await requestPda(client.address, nonce);
  await send(t, await createRequestInstruction(client, nonce, { responseTimeout: 10n }), { feePayer: client });
  const attackerBefore = balanceOf(t.svm, server.operator.address) + readServer(t, server.server).bond;
  await send(t, lockInstruction(server.operator, server.server, request, market.cfg.config), { feePayer: server.operator });
  warpSlots(t.svm, 11n);
  await send(t, expireInstruction({ request, client: client.address, server: server.server }), { feePayer: client });
  const attackerAfter = balanceOf(t.svm, server.operator.address) + readServer(t, server.server).bond;
  return {
    abandonAttackerLamports: attackerBefore - attackerAfter,
    abandonClientNetLamports: balanceOf(t.svm, client.address) - clientBefore,
  };
}

/**
 * A backend that answers every prompt with `tokens` tokens of 4 bytes each, as fast as the node takes them (a
 * model faster than the chain: chunks fill by size, the fewest transactions the node's chunking makes).
 */
function scriptedBackend(tokens: number): InferenceBackend {
  return {
    describe: `scripted: ${tokens} tokens of ${BYTES_PER_TOKEN} bytes`,
    streamChat(request) {
      const count = Math.min(tokens, request.maxTokens);
      const text = Array.from({ length: count }, (_, i) => `w${String(i % 1000).padStart(3, "0")}`);
      async function* pieces() {
        for (const piece of text) {
          await new Promise((resolve) => setImmediate(resolve));
          yield { text: piece };
        }
      }
      return Object.assign(pieces(), {
        result: Promise.resolve({
          text: text.join(""),
          usage: { promptTokens: 50, completionTokens: count },
          usageSource: "reported" as const,
          finishReason: "length" as const,
        }),
      });
    },
    countTokens: async (text) => Math.ceil(text.length / BYTES_PER_TOKEN),
    close: async () => {},
  };
}

/** A provider node answering with {@link scriptedBackend}(`tokens`) on a fresh in-process market, stopped after `run`. */
async function withScriptedNode<T>(
  tokens: number,
  config: Partial<NodeConfig>,
  run: (market: TestMarket, node: ProviderNode, ask: (client: KeyPairSigner, content: string) => Promise<PostedRequest>) => Promise<T>,
): Promise<T> {
  const market = await createTestMarket({ slotDurationMs: 400 });
  const scratch = await scratchDir("chainference-bench-economics-");
  const node = await startProviderNode({
    chain: market.chain,
    operator: await fundedWallet(market.chain),
    config: testNodeConfig({ maxOutputTokens: tokens, maxResponseBytes: 16_384, models: [defaultServedModel()], ...config }),
    keyringPath: `${scratch}/keyring.json`,
    backends: { [DEFAULT_MODEL.hfId]: scriptedBackend(tokens) },
    log: null,
  });
  try {
    const servers = [await serverListingFor(market, node.server)];
    const askNode = (client: KeyPairSigner, content: string) =>
      ask(market, {
        client,
        servers,
        model: DEFAULT_MODEL.hfId,
        messages: [{ role: "user", content }],
        maxTokens: tokens,
        stake: 50_000_000n,
      });
    return await run(market, node, askNode);
  } finally {
    await node.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Transaction fees of one `tokens`-token answer through the real provider node (its screening, chunking and
 * transactions) on the in-process chain: the client's create_request plus every fee the node paid for this
 * request (lock, chunks, settlement; shared transactions counted once). The close sweep's share is measured
 * apart ({@link sweepSharePerAnswer}).
 */
async function feesPerAnswer(tokens: number): Promise<bigint> {
  return withScriptedNode(tokens, {}, async (market, node, askNode) => {
    let nodeFees = 0n;
    const posted = await askNode(await fundedWallet(market.chain), "Count.");
    const unsubscribe = node.events.subscribe((event) => {
      if ("request" in event && event.request === posted.address && "fee" in event) nodeFees += event.fee;
    });
    const answer = await readAnswer(market, posted);
    await node.stop({ drain: true });
    unsubscribe();
    if (answer.outcome !== "settled" || answer.text.length !== tokens * BYTES_PER_TOKEN)
      throw new Error(`bench:economics: the ${tokens}-token answer did not settle whole (${answer.outcome}, ${answer.text.length} bytes)`);
    return posted.transactions.reduce((sum, sent) => sum + sent.fee, 0n) + nodeFees;
  });
}

/**
 * The close sweep's share of one answer's fees: the real node answers as many requests as one sweep transaction
 * closes, the Config's grace period passes, and the node's sweep closes their responses (rent back to the
 * operator). The share is that transaction's fee over the responses it closed, rounded up.
 */
async function sweepSharePerAnswer(): Promise<{ closed: number; fee: bigint; share: bigint }> {
  const batch = await getMaxClosesPerTransaction(await generateKeyPairSigner());
  return withScriptedNode(16, { concurrency: batch, closeSweepIntervalMs: null }, async (market, node, askNode) => {
    const client = await fundedWallet(market.chain);
    const posted: PostedRequest[] = [];
    for (let i = 0; i < batch; i++) posted.push(await askNode(client, `Count ${i}.`));
    const answers = await Promise.all(posted.map((p) => readAnswer(market, p)));
    if (answers.some((a) => a.outcome !== "settled")) throw new Error("bench:economics: an answer of the sweep batch did not settle");
    market.chain.warpSlots(defaultProtocolParameters(client.address).closeGraceSlots + 1n);
    const swept = await node.closeResponses();
    if (swept.transactions !== 1 || swept.closed !== batch)
      throw new Error(
        `bench:economics: the sweep closed ${swept.closed} response(s) in ${swept.transactions} transaction(s), not ${batch} in one`,
      );
    const closed = BigInt(swept.closed);
    return { closed: swept.closed, fee: swept.fee, share: (swept.fee + closed - 1n) / closed };
  });
}

async function main(): Promise<void> {
  const sweep = await sweepSharePerAnswer();
  const result = {
    frontRunBlocked: await frontRunBlocked(),
    ...(await selfDealing()),
    ...(await abandon()),
    feesPerAnswerLamports: {
      "100": (await feesPerAnswer(100)) + sweep.share,
      "500": (await feesPerAnswer(500)) + sweep.share,
      "2000": (await feesPerAnswer(2000)) + sweep.share,
    },
  };
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
  if (flags.json) {
    process.stdout.write(`${json}\n`);
    return;
  }
  const f = result.feesPerAnswerLamports;
  process.stdout.write(
    [
      "Economics of cheating, measured on the real program (LiteSVM):",
      `  front-run of initialize_config blocked:        ${result.frontRunBlocked ? "yes" : "NO"}`,
      `  fake counted completion (self-dealing):        ${result.fakeCompletionLamports} lamports the faker cannot recover (target ≥ 10,000)`,
      `  cost of showing paid volume:                   ${(result.fakeVolumeCostRatio * 100).toFixed(2)} % of the volume (target ≥ 10 %)`,
      `  lock-and-abandon, attacker's loss per lock:    ${result.abandonAttackerLamports} lamports (target ≥ 10,000)`,
      `  lock-and-abandon, client's net from posting:   ${result.abandonClientNetLamports >= 0n ? "+" : ""}${result.abandonClientNetLamports} lamports (target ≥ 0)`,
      `  fees per answer (100 / 500 / 2,000 tokens):    ${f["100"]} / ${f["500"]} / ${f["2000"]} lamports (targets ≤ 15,000 / ≤ 25,000)`,
      `    of which the close sweep's share:            ${sweep.share} lamports (one ${sweep.fee}-lamport transaction closed ${sweep.closed} responses, rent back to the operator)`,
      "",
    ].join("\n"),
  );
}

await main();
