/**
 * Clock jumps past deadlines, end to end through the JSON-RPC endpoint (the clock is the chain's: the test
 * warps the local chain's slot while the SDK talks to it over HTTP, as a stalled node would experience).
 *
 * Expected: at the deadline slot a server may still append; one slot later appends and completes fail with
 * RequestExpired; `expire_request` (anyone) returns the whole stake and the request's rent to the client and
 * the partial response's rent to the operator, and over every account involved exactly the fees leave.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "@solana/kit";
import {
  appendResponseChunk,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  completeRequest,
  createRpcChain,
  ensureBond,
  expireRequest,
  fetchProtocolConfig,
  fetchRequestAccount,
  fetchServers,
  findFeeVaults,
  findResponsePda,
  isTransactionFailed,
  lockRequest,
  postRequest,
  type Chain,
  type SentTransaction,
} from "@chainference/client";
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
  TEST_MODEL,
  type LocalNetwork,
  type TestOperator,
} from "../helpers/local-network";

const STAKE = 5_000_000n;
/** What `fundedSigner` gives every client: after an expiry it has all of it back but its own fees. */
const FUNDED = 10n * SOL;
const TIMEOUT_SLOTS = 75n; // the default protocol minimum
const expired = (e: unknown) => isTransactionFailed(e, CHAINFERENCE_ERROR__REQUEST_EXPIRED);

describe("clock jumps past deadlines", () => {
  let network: LocalNetwork;
  let chain: Chain;
  let op: TestOperator;
  /** What expiring an abandoned lock moves from the server's bond to the client. */
  let penalty: bigint;

  beforeAll(async () => {
    network = await startLocalNetwork();
    chain = createRpcChain(network.rpc.url, { retries: 1, retryDelayMs: 5, pollMs: 5 });
    op = await registerOperator(network);
    penalty = (await fetchProtocolConfig(chain)).abandonPenalty;
  });
  afterAll(() => network.close());

  /** Posts a request for `op` with every account whose lamports it can move, and a stranger to expire it. */
  const setUp = async (label: string) => {
    // An abandoned lock slashed the bond below the minimum: top it up, as the node does before its next lock.
    await ensureBond(chain, op.signer);
    const client = await fundedSigner(network.chain);
    const stranger = await fundedSigner(network.chain);
    const posted = await postRequest(chain, {
      client,
      model: TEST_MODEL,
      payload: payload(label),
      servers: await listingsOf(chain, [op]),
      stake: STAKE,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
      responseTimeoutSlots: TIMEOUT_SLOTS,
    });
    const [response] = await findResponsePda({ request: posted.address });
    const accounts: Address[] = [
      client.address,
      stranger.address,
      op.signer.address,
      op.server,
      posted.address,
      response,
      network.treasury,
      ...(await findFeeVaults()),
    ];
    return { client, stranger, posted, response, accounts };
  };
  const warpTo = async (slot: bigint) => network.chain.warpSlots(slot - (await network.chain.getSlot()));
  const expiredCount = async () => (await fetchServers(chain, { model: TEST_MODEL })).find((s) => s.address === op.server)!.server;

  it("an open request nobody locked: lock fails past open_until, expire refunds stake and rent to the client", async () => {
    const { client, stranger, posted, accounts } = await setUp("nobody came");
    const sent: SentTransaction[] = [...posted.transactions];
    const before = (await lamportSum(network.chain, accounts)) + feesOf(posted.transactions);
    // Given the clock jumps one slot past open_until
    const request = (await fetchRequestAccount(chain, posted.address))!;
    await warpTo(request.openUntilSlot + 1n);
    // When a server tries to lock / Then RequestExpired
    await expect(lockRequest(chain, op.signer, posted.address, op.keys.publicKey)).rejects.toSatisfy(expired);
    // When a stranger expires it
    sent.push(await expireRequest(chain, stranger, request));
    // Then the request is closed, the client has everything back but its own fees, lamports are conserved
    expect(await network.chain.getAccount(posted.address)).toBeNull();
    expect(await network.chain.getBalance(client.address)).toBe(FUNDED - feesOf(posted.transactions));
    expect(before - (await lamportSum(network.chain, accounts))).toBe(feesOf(sent));
  });

  it("a server that stalls mid-answer: appends still land at the deadline slot, fail one slot later, expire refunds in full", async () => {
    const { client, stranger, posted, response, accounts } = await setUp("stall mid-stream");
    const before = (await lamportSum(network.chain, accounts)) + feesOf(posted.transactions);
    const operatorBefore = await network.chain.getBalance(op.signer.address);
    const { expired: expiredBefore, activeLocks: locksBefore } = await expiredCount();
    // Given the server locked it and streamed two chunks
    const served = await answerWithSdk(chain, op, posted.address, ["partial ", "answer"], { finalChunk: false, complete: false });
    const request = (await fetchRequestAccount(chain, posted.address))!;
    expect(request.deadlineSlot - request.lockSlot).toBe(TIMEOUT_SLOTS);
    const sent = [...posted.transactions, ...served.sent];

    // When the clock jumps exactly to the deadline slot / Then one more append still lands (boundary included)
    await warpTo(request.deadlineSlot);
    const third = new Uint8Array(48); // ciphertext content is not checked on-chain; only its length (≥ nonce + tag) and index
    sent.push(await appendResponseChunk(chain, op.signer, { request: posted.address, chunkIndex: 2, isFinal: false, ciphertext: third }));
    // When it jumps one slot past the deadline
    await warpTo(request.deadlineSlot + 1n);
    // Then a late append and a late complete both fail with RequestExpired (preflight: no fee)
    await expect(
      appendResponseChunk(chain, op.signer, { request: posted.address, chunkIndex: 3, isFinal: true, ciphertext: third }),
    ).rejects.toSatisfy(expired);
    await expect(completeRequest(chain, op.signer, { request, tokensIn: 4, tokensOut: 10 })).rejects.toSatisfy(expired);

    // When a stranger expires it
    const responseRent = await network.chain.getBalance(response);
    expect(responseRent).toBeGreaterThan(0n);
    sent.push(await expireRequest(chain, stranger, (await fetchRequestAccount(chain, posted.address))!));
    // Then request and partial response are closed; the client got the whole stake and the request rent back,
    // plus the abandon penalty taken from the server's bond; the operator got the response rent back (it paid
    // only fees); the server's record shows one expiry
    expect(await network.chain.getAccount(posted.address)).toBeNull();
    expect(await network.chain.getAccount(response)).toBeNull();
    expect(await network.chain.getBalance(client.address)).toBe(FUNDED - feesOf(posted.transactions) + penalty);
    expect(await network.chain.getBalance(op.signer.address)).toBe(
      operatorBefore - feesOf(sent.filter((t) => !posted.transactions.includes(t) && t !== sent.at(-1))),
    );
    const server = await expiredCount();
    expect(server.expired).toBe(expiredBefore + 1n);
    expect(server.activeLocks).toBe(locksBefore);
    // And over every account involved exactly the fees left
    expect(before - (await lamportSum(network.chain, accounts))).toBe(feesOf(sent));
  });

  it("a final answer not completed before the deadline is not paid: complete fails, expire refunds the client in full", async () => {
    const { client, stranger, posted, accounts } = await setUp("finished too late");
    const before = (await lamportSum(network.chain, accounts)) + feesOf(posted.transactions);
    // Given the server streamed the whole answer (final chunk included) but did not complete in time
    const served = await answerWithSdk(chain, op, posted.address, ["done"], { complete: false });
    const request = (await fetchRequestAccount(chain, posted.address))!;
    await warpTo(request.deadlineSlot + 1n);
    // When it completes late / Then RequestExpired, and the stake is not split
    await expect(completeRequest(chain, op.signer, { request, tokensIn: 4, tokensOut: 4 })).rejects.toSatisfy(expired);
    const sent = [...posted.transactions, ...served.sent, await expireRequest(chain, stranger, request)];
    expect(await network.chain.getBalance(client.address)).toBe(FUNDED - feesOf(posted.transactions) + penalty);
    expect(before - (await lamportSum(network.chain, accounts))).toBe(feesOf(sent));
  });
});
