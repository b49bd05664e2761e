import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, lamports, type KeyPairSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { createRpcChain, isTransactionFailed, listSignaturesForAddress, RpcUnreachableError, type Chain } from "@chainference/client";
import { createLiteSvmChain } from "@chainference/client/litesvm";
import { rpcTransactionError, startLocalRpcServer, type LocalRpcServer } from "@chainference/localnet";

describe("local JSON-RPC server over LiteSVM, used through the RPC chain", () => {
  let server: LocalRpcServer;
  let chain: Chain;
  let alice: KeyPairSigner;
  let bob: KeyPairSigner;

  beforeAll(async () => {
    server = await startLocalRpcServer(createLiteSvmChain({ slotDurationMs: 0 }), 0);
    chain = createRpcChain(server.url, { pollMs: 10 });
    [alice, bob] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    await chain.airdrop(alice.address, 2_000_000_000n);
  });
  afterAll(() => server.close());

  it("lands a transfer and reports its fee, compute units and history", async () => {
    // Given alice holds 2 SOL
    expect(await chain.getBalance(alice.address)).toBe(2_000_000_000n);
    // When she sends 0.5 SOL to bob through the RPC endpoint
    const sent = await chain.sendInstructions(
      [getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(500_000_000n) })],
      { feePayer: alice },
    );
    // Then balances move by exactly the amount plus the fee, and history finds the transaction
    expect(sent.fee).toBe(5_000n);
    expect(sent.computeUnits).toBeGreaterThan(0n);
    expect(await chain.getBalance(bob.address)).toBe(500_000_000n);
    expect(await chain.getBalance(alice.address)).toBe(1_500_000_000n - sent.fee);
    expect(await chain.getSignaturesForAddress(bob.address)).toEqual([sent.signature]);
    const tx = await chain.getTransaction(sent.signature);
    expect(tx?.instructions[0]?.programAddress).toBe("11111111111111111111111111111111");
    expect(tx?.instructions[0]?.accounts).toEqual([alice.address, bob.address]);
  });

  it("pages an address's signatures newest first with before, until and limit", async () => {
    // Given five transfers to a fresh address
    const carol = (await generateKeyPairSigner()).address;
    const sent = [];
    for (let i = 0; i < 5; i++) {
      const transfer = getTransferSolInstruction({ source: alice, destination: carol, amount: lamports(1_000_000n) });
      sent.push((await chain.sendInstructions([transfer], { feePayer: alice })).signature);
    }
    const newestFirst = sent.toReversed();
    // Then pages follow the validator's rules (both cursors exclusive), and the pager reads them whole
    expect(await chain.getSignaturesForAddress(carol)).toEqual(newestFirst);
    expect(await chain.getSignaturesForAddress(carol, { limit: 2 })).toEqual(newestFirst.slice(0, 2));
    expect(await chain.getSignaturesForAddress(carol, { before: newestFirst[1], limit: 2 })).toEqual(newestFirst.slice(2, 4));
    expect(await chain.getSignaturesForAddress(carol, { until: newestFirst[3] })).toEqual(newestFirst.slice(0, 3));
    expect(await chain.getSignaturesForAddress(carol, { before: newestFirst[0], until: newestFirst[4] })).toEqual(newestFirst.slice(1, 4));
    expect(await listSignaturesForAddress(chain, carol, { pageSize: 2 })).toEqual(newestFirst);
  });

  it("rejects a transfer above the balance with a decoded failure and moves nothing", async () => {
    // Given bob holds 0.5 SOL
    const before = await chain.getBalance(bob.address);
    // When he tries to send 5 SOL
    const attempt = chain.sendInstructions(
      [getTransferSolInstruction({ source: bob, destination: alice.address, amount: lamports(5_000_000_000n) })],
      { feePayer: bob },
    );
    // Then the transaction fails as a transaction failure and his balance is unchanged
    await expect(attempt).rejects.toSatisfy((e: unknown) => isTransactionFailed(e));
    expect(await chain.getBalance(bob.address)).toBe(before);
  });

  it("answers a browser's CORS preflight and requests from another origin, as a validator's RPC does", async () => {
    // Given a page on another origin (the web app) that posts JSON with kit's headers
    const origin = "http://127.0.0.1:5173";
    // When the browser sends its preflight
    const preflight = await fetch(server.url, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,solana-client" },
    });
    // Then it may post, with those headers
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type,solana-client");
    // And the request itself is answered with the header the browser checks
    const answer = await fetch(server.url, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getBalance", params: [alice.address] }),
    });
    expect(answer.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await answer.json()) as { result: { value: number } }).result.value).toBeGreaterThan(0);
  });

  it("sends runtime errors in the JSON form validators use", () => {
    // Given LiteSVM's debug text for each kind of failure / Then the validator JSON kit decodes
    const at = (reason: string, customCode: number | null = null) => rpcTransactionError({ reason, customCode, instructionIndex: 0 });
    expect(at("TransactionErrorInstructionError { index: 0, error: InstructionErrorCustom { code: 12 } }", 12)).toEqual({
      InstructionError: [0, { Custom: 12 }],
    });
    expect(at("TransactionErrorInstructionError { index: 0, error: MissingRequiredSignature }")).toEqual({
      InstructionError: [0, "MissingRequiredSignature"],
    });
    expect(at("TransactionErrorInsufficientFundsForRent { account_index: 1 }")).toEqual({ InsufficientFundsForRent: { account_index: 1 } });
    expect(at("BlockhashNotFound")).toBe("BlockhashNotFound");
  });

  it("names the URL when the RPC endpoint is unreachable", async () => {
    // Given an endpoint where nothing listens
    const dead = createRpcChain("http://127.0.0.1:9", { retries: 0 });
    // When asked for the slot / Then the error names the URL and says what to check
    await expect(dead.getSlot()).rejects.toBeInstanceOf(RpcUnreachableError);
    await expect(dead.getSlot()).rejects.toThrow(/127\.0\.0\.1:9.*--url/);
  });
});
