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
 *   with the provider node's chunking (the first 8 bytes at once, then the largest chunk a transaction
 *   holds): create, lock, the appends, complete, close_response.
 *
 * With --json it prints exactly one JSON object; without, a short report.
 */
import type { KeyPairSigner } from "@solana/kit";
import { parseArgs } from "node:util";
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
  await send(t, await appendResponseInstruction(self, server.server, request, { chunkIndex: 0, isFinal: true, ciphertext: chunk(17) }), {
    feePayer: self,
  });
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

async function feesPerAnswer(tokens: number): Promise<bigint> {
  const t = await createTestSvm();
  const market = await setupMarket(t, { servers: 0, config: { maxResponseBytes: 1 << 20 } });
  const server = await registerServer(t, { models: [PRICED_MODEL] });
  const client = await fundedSigner(t.svm);
  const nonce = freshNonce();
  const [request] = await requestPda(client.address, nonce);
  const [response] = await responsePda(request);
  let fees = 0n;
  const prompt = new Uint8Array(200).fill(7);
  fees += (
    await send(t, await createRequestInstruction(client, nonce, { stake: 50_000_000n, promptLen: 200, prompt }), { feePayer: client })
  ).fee;
  fees += (await send(t, lockInstruction(server.operator, server.server, request, market.cfg.config), { feePayer: server.operator })).fee;
  const plaintext = tokens * BYTES_PER_TOKEN;
  const parts = [8];
  for (let at = 8; at < plaintext; at += MAX_CHUNK_IN_TX - CHUNK_OVERHEAD_LEN)
    parts.push(Math.min(MAX_CHUNK_IN_TX - CHUNK_OVERHEAD_LEN, plaintext - at));
  for (const [i, len] of parts.entries()) {
    const ix = await appendResponseInstruction(server.operator, server.server, request, {
      chunkIndex: i,
      isFinal: i === parts.length - 1,
      ciphertext: chunk(len + CHUNK_OVERHEAD_LEN),
      reserveBytes: i === 0 ? plaintext + parts.length * (CHUNK_OVERHEAD_LEN + 2) : 0,
    });
    fees += (await send(t, ix, { feePayer: server.operator })).fee;
  }
  const settle = completeInstruction({
    operator: server.operator,
    server: server.server,
    request,
    response,
    client: client.address,
    feeVault: market.cfg.feeVaults[feeShardOf(nonce)]!,
    tokensIn: 50,
    tokensOut: tokens,
  });
  fees += (await send(t, settle, { feePayer: server.operator })).fee;
  fees += (await send(t, closeResponseInstruction(client, response, server.operator.address, market.cfg.config), { feePayer: client })).fee;
  return fees;
}

async function main(): Promise<void> {
  const result = {
    frontRunBlocked: await frontRunBlocked(),
    ...(await selfDealing()),
    ...(await abandon()),
    feesPerAnswerLamports: {
      "100": await feesPerAnswer(100),
      "500": await feesPerAnswer(500),
      "2000": await feesPerAnswer(2000),
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
      "",
    ].join("\n"),
  );
}

await main();
