import { afterAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, type Address, type KeyPairSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  appendResponseChunk,
  CHAINFERENCE_PROGRAM_ADDRESS,
  completeRequest,
  createRpcChain,
  defaultProtocolParameters,
  deriveServerResponseKey,
  deriveWebSocketUrl,
  encryptResponseChunk,
  fetchOpenRequests,
  findWrappedDataKey,
  generateX25519KeyPair,
  initializeProtocol,
  lockRequest,
  openRequestsQuery,
  postRequest,
  ensureBond,
  publishServer,
  unwrapDataKey,
  watchResponse,
  fetchServers,
  type ResponseEvent,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";
import { startLocalRpcServer, type LocalRpcServer } from "@chainference/localnet";
import { PROGRAM_SO } from "../helpers/svm";

const SYSTEM_PROGRAM = "11111111111111111111111111111111" as Address;
const MODEL = "google/gemma-3-270m-it";
const SOL = 1_000_000_000n;

const transfer = (chain: LiteSvmChain, from: KeyPairSigner, to: Address) =>
  chain.sendInstructions([getTransferSolInstruction({ source: from, destination: to, amount: 1_000_000n })], { feePayer: from });

const until = async (check: () => boolean, act: () => Promise<unknown>, ms = 5_000) => {
  const started = Date.now();
  while (!check() && Date.now() - started < ms) {
    await act();
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
};

describe("account subscriptions (push, with polling as the fallback)", () => {
  it("LiteSVM notifies a subscriber when a transaction touches its account, and not otherwise", async () => {
    // Given three wallets and a subscriber on one of them, and one on accounts the system program owns
    const chain = createLiteSvmChain();
    const [payer, watched, other] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner(), generateKeyPairSigner()]);
    await chain.airdrop(payer.address, 10n * SOL);
    let calls = 0;
    let programCalls = 0;
    const stop = chain.subscribeAccountChanges({ addresses: [watched.address] }, () => calls++);
    const stopProgram = chain.subscribeAccountChanges({ program: CHAINFERENCE_PROGRAM_ADDRESS }, () => programCalls++);
    // When a transaction touches another account only, nothing is called
    await transfer(chain, payer, other.address);
    expect(calls).toBe(0);
    // When one touches the watched account, the subscriber is called (synchronously, as it lands)
    await transfer(chain, payer, watched.address);
    expect(calls).toBe(1);
    // And a program watch ignores accounts that program does not own
    expect(programCalls).toBe(0);
    // After unsubscribing it is not called again
    stop();
    stopProgram();
    await transfer(chain, payer, watched.address);
    expect(calls).toBe(1);
  });

  it("derives the WebSocket URL as the Solana CLI does", () => {
    expect(deriveWebSocketUrl("http://127.0.0.1:8899")).toBe("ws://127.0.0.1:8900/");
    expect(deriveWebSocketUrl("https://api.devnet.solana.com")).toBe("wss://api.devnet.solana.com/");
    expect(deriveWebSocketUrl("not a url")).toBeNull();
  });

  it("watchResponse wakes on notifications: chunks arrive without waiting for a 60 s poll interval", async () => {
    // Given a market with one server and a posted request
    const chain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }] });
    const [admin, treasury, client, operator] = await Promise.all([
      generateKeyPairSigner(),
      generateKeyPairSigner(),
      generateKeyPairSigner(),
      generateKeyPairSigner(),
    ]);
    for (const who of [admin, client, operator]) await chain.airdrop(who.address, 10n * SOL);
    setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
    await initializeProtocol(chain, admin, defaultProtocolParameters(treasury.address));
    const keys = generateX25519KeyPair();
    const { server } = await publishServer(chain, operator, {
      x25519Key: keys.publicKey,
      endpoint: "",
      models: [{ hfId: MODEL, revision: "", quantization: "Q4_K_M", priceIn: 1_000_000n, priceOut: 4_000_000n, maxContext: 32_768 }],
    });
    await ensureBond(chain, operator); // the Config's minimum bond, so it may lock
    const servers = await fetchServers(chain, { model: MODEL, activeOnly: true });
    let openCalls = 0;
    const stopOpen = chain.subscribeAccountChanges(
      { program: CHAINFERENCE_PROGRAM_ADDRESS, query: openRequestsQuery(MODEL) },
      () => openCalls++,
    );
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: { v: 1, messages: [{ role: "user", content: "hi" }], maxTokens: 64 },
      servers,
      stake: 10_000_000n,
      maxPriceIn: 1_000_000n,
      maxPriceOut: 4_000_000n,
    });
    // (a new Open request for the model notifies a program watch with the node's filters)
    expect(openCalls).toBeGreaterThan(0);
    stopOpen();
    const started = Date.now();
    // When the client watches with a 60 s poll interval while the server answers
    const events: ResponseEvent[] = [];
    const watching = (async () => {
      for await (const event of watchResponse(chain, posted.address, posted.keys, { pollMs: 60_000 })) events.push(event);
    })();
    await new Promise((r) => setTimeout(r, 50));
    const [request] = await fetchOpenRequests(chain, { model: MODEL });
    await lockRequest(chain, operator, request!.address, keys.publicKey);
    const entry = findWrappedDataKey({ allowed: request!.allowed, server });
    const dataKey = unwrapDataKey({
      serverSecret: keys.secretKey,
      clientKey: request!.clientKey,
      requestAddress: request!.address,
      server,
      wrappedKey: entry.wrappedKey,
    });
    const responseKey = deriveServerResponseKey({
      lockerSecret: keys.secretKey,
      clientKey: request!.clientKey,
      dataKey,
      requestAddress: request!.address,
    });
    for (const [index, text] of ["Hello", " there", ""].entries()) {
      const isFinal = index === 2;
      const ciphertext = encryptResponseChunk({
        responseKey,
        requestAddress: request!.address,
        index,
        isFinal,
        plaintext: new TextEncoder().encode(text),
      });
      await appendResponseChunk(chain, operator, { request: request!.address, chunkIndex: index, isFinal, ciphertext, reserveBytes: 1024 });
    }
    await completeRequest(chain, operator, { request: request!, tokensIn: 10, tokensOut: 11 });
    await watching;
    // Then every event arrived long before one poll interval
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events.map((e) => e.type)).toEqual(["locked", "chunk", "chunk", "chunk", "settled"]);
    expect(events.flatMap((e) => (e.type === "chunk" ? [e.text] : [])).join("")).toBe("Hello there");
  }, 30_000);

  describe("over the local JSON-RPC server's WebSocket", () => {
    let rpc: LocalRpcServer;
    afterAll(async () => {
      await rpc?.close();
    });

    it("createRpcChain receives account and program notifications and stops after unsubscribing", async () => {
      // Given a local RPC server (with `ws` installed, it serves subscriptions) and a chain client on it
      const chain = createLiteSvmChain();
      rpc = await startLocalRpcServer(chain, 0);
      expect(rpc.wsUrl).not.toBeNull();
      const remote = createRpcChain(rpc.url, { wsUrl: rpc.wsUrl });
      const [payer, watched] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
      await chain.airdrop(payer.address, 10n * SOL);
      let calls = 0;
      let programCalls = 0;
      const stop = remote.subscribeAccountChanges!({ addresses: [watched.address] }, () => calls++);
      const stopProgram = remote.subscribeAccountChanges!({ program: SYSTEM_PROGRAM, query: { dataSize: 0 } }, () => programCalls++);
      // When transactions touch the watched account, notifications arrive over the WebSocket
      expect(
        await until(
          () => calls > 0 && programCalls > 0,
          () => transfer(chain, payer, watched.address),
        ),
      ).toBe(true);
      // And after unsubscribing they stop
      stop();
      stopProgram();
      await new Promise((r) => setTimeout(r, 200));
      const seen = calls;
      await transfer(chain, payer, watched.address);
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(seen);
    }, 20_000);

    it("a chain whose WebSocket endpoint is unreachable stays silent (callers keep polling)", async () => {
      const remote = createRpcChain("http://127.0.0.1:1", { wsUrl: "ws://127.0.0.1:1" });
      let calls = 0;
      const stop = remote.subscribeAccountChanges!({ addresses: [SYSTEM_PROGRAM] }, () => calls++);
      await new Promise((r) => setTimeout(r, 300));
      stop();
      expect(calls).toBe(0);
    });
  });
});
