/**
 * The SDK over an unreliable RPC endpoint: a proxy on 127.0.0.1 in front of the local JSON-RPC server
 * drops connections (before or after forwarding), answers HTTP 503 or a JSON-RPC internal error.
 *
 * Expected: reads are retried (bounded), a transaction is rebroadcast with the same signature until it
 * lands (a resend of one that already landed is recognised as AlreadyProcessed, never executed twice), a
 * transaction whose blockhash expired unlanded is signed anew with a fresh blockhash, program errors are
 * never retried, and an endpoint that keeps failing ends in a named error within a bounded time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, lamports } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED,
  createRpcChain,
  findFeeVaults,
  findResponsePda,
  isTransactionFailed,
  postRequest,
  RpcRequestFailedError,
  RpcUnreachableError,
  watchResponse,
  type RpcChainOptions,
} from "@chainference/client";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy";
import {
  answerWithSdk,
  feesOf,
  fundedSigner,
  lamportSum,
  listingsOf,
  payload,
  PRICE_IN,
  PRICE_OUT,
  registerOperator,
  SOL,
  startLocalNetwork,
  type LocalNetwork,
  type TestOperator,
} from "../helpers/local-network";

/** Fast timings for a local endpoint: every wait is milliseconds, every loop bounded. */
const FAST: RpcChainOptions = { retries: 4, retryDelayMs: 5, pollMs: 5, resendMs: 40, confirmTimeoutMs: 20_000 };

describe("SDK over a faulty RPC endpoint", () => {
  let network: LocalNetwork;
  let operators: TestOperator[];
  const proxies: FaultProxy[] = [];
  const proxy = async (options: Omit<Parameters<typeof startFaultProxy>[0], "target">) => {
    const p = await startFaultProxy({ target: network.rpc.url, ...options });
    proxies.push(p);
    return p;
  };

  beforeAll(async () => {
    network = await startLocalNetwork();
    operators = [await registerOperator(network), await registerOperator(network)];
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await network.close();
  });

  it("completes post → lock → stream → settle → watch while 25 % of RPC requests fail in every way, with exact lamports", async () => {
    // Given an endpoint that fails a quarter of all requests (at most 2 in a row), both parties behind it
    const faulty = await proxy({ rate: 0.25, seed: 7, maxConsecutive: 2 });
    const chain = createRpcChain(faulty.url, FAST);
    const client = await fundedSigner(network.chain);
    const op = operators[0]!;
    const watched = [client.address, op.signer.address, op.server, network.treasury, ...(await findFeeVaults())];
    const before = await lamportSum(network.chain, watched);

    // When the client posts, the server answers in three chunks and settles, and the client watches
    const posted = await postRequest(chain, {
      client,
      model: "chainference/fault-test-model",
      payload: payload("Why is the sky blue?"),
      servers: await listingsOf(chain, operators),
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const served = await answerWithSdk(chain, op, posted.address, ["Rayleigh ", "scattering", "."]);
    let text = "";
    let settled = false;
    for await (const event of watchResponse(chain, posted.address, posted.keys, { pollMs: 5 })) {
      if (event.type === "chunk") text += event.text;
      if (event.type === "settled") settled = true;
    }

    // Then the flow completed, every kind of fault was injected, and the answer decrypts whole
    expect(served.prompt).toBe("Why is the sky blue?");
    expect(text).toBe("Rayleigh scattering.");
    expect(settled).toBe(true);
    for (const count of Object.values(faulty.stats.faults)) expect(count).toBeGreaterThan(0);
    // And every lamport that left the watched accounts is a fee of a transaction the SDK reported
    // (+ the response rent still held): no transaction landed twice or without the SDK knowing.
    const [responseAddress] = await findResponsePda({ request: posted.address });
    const responseRent = await network.chain.getBalance(responseAddress);
    const after = await lamportSum(network.chain, watched);
    expect(before - after).toBe(feesOf([...posted.transactions, ...served.sent]) + responseRent);
  });

  it("lands a transaction whose confirmation was lost exactly once (the resend is AlreadyProcessed)", async () => {
    // Given an endpoint that serves the next sendTransaction but drops its answer
    const lossy = await proxy({});
    lossy.faultNext(1, "drop-response", "sendTransaction");
    const chain = createRpcChain(lossy.url, FAST);
    const [alice, bob] = [await fundedSigner(network.chain, SOL), await generateKeyPairSigner()];
    // When alice sends bob 0.25 SOL
    const sent = await chain.sendInstructions(
      [getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(250_000_000n) })],
      { feePayer: alice },
    );
    // Then the SDK reports it landed, it was sent twice on the wire, and the money moved once
    expect(lossy.stats.faults["drop-response"]).toBe(1);
    expect(lossy.stats.byMethod["sendTransaction"]).toBe(2);
    expect(sent.fee).toBe(5_000n);
    expect(await network.chain.getBalance(bob.address)).toBe(250_000_000n);
    expect(await network.chain.getBalance(alice.address)).toBe(SOL - 250_000_000n - 5_000n);
  });

  it("rebroadcasts a transaction dropped before it reached the node until it lands", async () => {
    // Given an endpoint that drops the next three sendTransaction requests on the floor (more than one call's retries)
    const dropping = await proxy({});
    dropping.faultNext(3, "drop-request", "sendTransaction");
    const chain = createRpcChain(dropping.url, { ...FAST, retries: 1 });
    const [alice, bob] = [await fundedSigner(network.chain, SOL), await generateKeyPairSigner()];
    // When alice sends bob 0.001 SOL
    await chain.sendInstructions([getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(1_000_000n) })], {
      feePayer: alice,
    });
    // Then it landed once, after the rebroadcast
    expect(dropping.stats.byMethod["sendTransaction"]).toBe(4);
    expect(await network.chain.getBalance(bob.address)).toBe(1_000_000n);
    expect(await network.chain.getBalance(alice.address)).toBe(SOL - 1_000_000n - 5_000n);
  });

  it("signs anew with a fresh blockhash once the first one expired unlanded, and lands once", async () => {
    // Given the first send is dropped, and the chain moves 200 slots (past the 150-slot blockhash life) meanwhile
    let warped = false;
    const expiring = await proxy({
      onRequest: (method, fault) => {
        if (method === "sendTransaction" && fault && !warped) {
          warped = true;
          network.chain.warpSlots(200n);
        }
      },
    });
    expiring.faultNext(2, "drop-request", "sendTransaction");
    const chain = createRpcChain(expiring.url, { ...FAST, retries: 1 });
    const [alice, bob] = [await fundedSigner(network.chain, SOL), await generateKeyPairSigner()];
    // When alice sends bob 0.002 SOL
    const sent = await chain.sendInstructions(
      [getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(2_000_000n) })],
      { feePayer: alice },
    );
    // Then the SDK fetched a second blockhash, and the transfer landed exactly once
    expect(expiring.stats.byMethod["getLatestBlockhash"]).toBe(2);
    expect(sent.fee).toBe(5_000n);
    expect(await network.chain.getBalance(bob.address)).toBe(2_000_000n);
    expect(await network.chain.getBalance(alice.address)).toBe(SOL - 2_000_000n - 5_000n);
  });

  it("never retries a program error: a lock by a server not on the allow-list fails once with ServerNotAllowed", async () => {
    // Given a request allowed for the first server only, behind a faulty endpoint
    const faulty = await proxy({ rate: 0.2, seed: 3, maxConsecutive: 2, kinds: ["http-503", "json-rpc-error"] });
    const chain = createRpcChain(faulty.url, FAST);
    const client = await fundedSigner(network.chain);
    const posted = await postRequest(chain, {
      client,
      model: "chainference/fault-test-model",
      payload: payload("only for the first"),
      servers: await listingsOf(chain, [operators[0]!]),
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const sendsBefore = faulty.stats.forwarded;
    const outsider = operators[1]!;
    const balance = await network.chain.getBalance(outsider.signer.address);
    // When the second server tries to lock it
    const attempt = answerWithSdk(chain, outsider, posted.address, ["x"]);
    // Then it fails with the program's named error, preflight-rejected (no fee), and was not resent
    await expect(attempt).rejects.toSatisfy((e: unknown) => isTransactionFailed(e, CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED));
    expect(await network.chain.getBalance(outsider.signer.address)).toBe(balance);
    expect(faulty.stats.forwarded - sendsBefore).toBeLessThanOrEqual(2); // getLatestBlockhash + one sendTransaction
  });

  it("gives up on an endpoint that keeps failing with a named error, within bounded time", async () => {
    // Given endpoints that always answer 503, always a JSON-RPC internal error, or always drop the connection
    const unavailable = await proxy({ rate: 1, maxConsecutive: Infinity, kinds: ["http-503"] });
    const broken = await proxy({ rate: 1, maxConsecutive: Infinity, kinds: ["json-rpc-error"] });
    const hangingUp = await proxy({ rate: 1, maxConsecutive: Infinity, kinds: ["drop-request"] });
    const options = { ...FAST, retries: 2 };
    const started = Date.now();
    // When the SDK reads through them / Then each names what happened, after exactly 1 + 2 tries
    await expect(createRpcChain(unavailable.url, options).getSlot()).rejects.toSatisfy(
      (e: unknown) => e instanceof RpcUnreachableError && e.attempts === 3,
    );
    await expect(createRpcChain(broken.url, options).getBalance(network.admin.address)).rejects.toSatisfy(
      (e: unknown) => e instanceof RpcRequestFailedError && e.method === "getBalance" && e.jsonRpcCode === -32603 && e.attempts === 3,
    );
    const alice = await fundedSigner(network.chain, SOL);
    const send = createRpcChain(hangingUp.url, options).sendInstructions(
      [getTransferSolInstruction({ source: alice, destination: network.treasury, amount: lamports(1n) })],
      { feePayer: alice },
    );
    await expect(send).rejects.toBeInstanceOf(RpcUnreachableError);
    expect(unavailable.stats.requests).toBe(3);
    expect(broken.stats.requests).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
    // And nothing was sent on alice's behalf
    expect(await network.chain.getBalance(alice.address)).toBe(SOL);
  });
});
