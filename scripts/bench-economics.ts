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
 *   complete_request. Measured in a serving node's steady state (earlier responses past the grace period): the
 *   settlement's transaction closes them in its spare room (close_response returns the rent to the operator);
 *   only what finds no room there adds its share of a close-sweep transaction.
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

/** Earlier answers whose responses are past the grace period when the measured answer settles. */
const OVERDUE = 3;

/** One answer's fees, and what its settlement's transaction closed along. */
type AnswerFees = Readonly<{ lamports: bigint; closedAlong: number; sweepShare: bigint }>;

/**
 * Transaction fees of one `tokens`-token answer through the real provider node (its screening, chunking and
 * transactions) on the in-process chain, in the steady state of a serving node: {@link OVERDUE} earlier answers
 * are past the Config's grace period when it settles. The fees are the client's create_request plus every fee the
 * node paid for this request (lock, chunks, settlement; shared transactions counted once). Their `close_response`
 * rides in the spare room of the settlement's transaction (no fee of its own); a response the settlement had no
 * room for is left to the close sweep, and its share of a sweep transaction (that fee over the closes one holds)
 * is added.
 */
async function feesPerAnswer(tokens: number): Promise<AnswerFees> {
  const perSweep = BigInt(await getMaxClosesPerTransaction(await generateKeyPairSigner()));
  return withScriptedNode(tokens, { closeSweepIntervalMs: null }, async (market, node, askNode) => {
    const client = await fundedWallet(market.chain);
    for (let i = 0; i < OVERDUE; i++) {
      const earlier = await readAnswer(market, await askNode(client, `Count ${i}.`));
      if (earlier.outcome !== "settled") throw new Error(`bench:economics: an earlier ${tokens}-token answer did not settle`);
    }
    market.chain.warpSlots(defaultProtocolParameters(client.address).closeGraceSlots + 1n);
    let nodeFees = 0n;
    let closedAlong = 0;
    const posted = await askNode(client, "Count.");
    const unsubscribe = node.events.subscribe((event) => {
      if ("request" in event && event.request === posted.address && "fee" in event) nodeFees += event.fee;
      if (event.type === "responses-closed" && event.alongWith === posted.address) closedAlong += event.responses.length;
    });
    const answer = await readAnswer(market, posted);
    await node.events.waitFor((e) => e.type === "completed" && e.request === posted.address, { timeoutMs: 60_000 });
    unsubscribe();
    if (answer.outcome !== "settled" || answer.text.length !== tokens * BYTES_PER_TOKEN)
      throw new Error(`bench:economics: the ${tokens}-token answer did not settle whole (${answer.outcome}, ${answer.text.length} bytes)`);
    const swept = await node.closeResponses();
    const sweepShare = swept.closed === 0 ? 0n : (swept.fee + perSweep - 1n) / perSweep;
    await node.stop({ drain: true });
    return { lamports: posted.transactions.reduce((sum, sent) => sum + sent.fee, 0n) + nodeFees + sweepShare, closedAlong, sweepShare };
  });
}

async function main(): Promise<void> {
  const answers = { "100": await feesPerAnswer(100), "500": await feesPerAnswer(500), "2000": await feesPerAnswer(2000) };
  const result = {
    frontRunBlocked: await frontRunBlocked(),
    ...(await selfDealing()),
    ...(await abandon()),
    feesPerAnswerLamports: { "100": answers["100"].lamports, "500": answers["500"].lamports, "2000": answers["2000"].lamports },
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
      `  overdue responses closed along with the settlement (of ${OVERDUE}): ${answers["100"].closedAlong} / ${answers["500"].closedAlong} / ${answers["2000"].closedAlong}; sweep share added: ${answers["100"].sweepShare} / ${answers["500"].sweepShare} / ${answers["2000"].sweepShare} lamports`,
      "",
    ].join("\n"),
  );
}

await main();
