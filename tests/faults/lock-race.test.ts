/**
 * Races over the JSON-RPC endpoint, each party with its own RPC client as separate processes would have.
 *
 * Expected: two servers locking one request at the same moment → exactly one wins, the other gets
 * RequestNotOpen at preflight and pays nothing; a client cancelling while a server locks → exactly one of
 * the two lands, and the stake ends up in exactly one place.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelRequest,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  createRpcChain,
  fetchRequestAccount,
  fetchServers,
  isTransactionFailed,
  lockRequest,
  postRequest,
  RequestStatus,
  type Chain,
} from "@chainference/client";
import {
  fundedSigner,
  listingsOf,
  payload,
  PRICE_IN,
  PRICE_OUT,
  registerOperator,
  startLocalNetwork,
  TEST_MODEL,
  type LocalNetwork,
  type TestOperator,
} from "../helpers/local-network";

const RACES = 10;
const FAST = { retries: 2, retryDelayMs: 5, pollMs: 5, resendMs: 100 };

describe("races for one request over the RPC endpoint", () => {
  let network: LocalNetwork;
  let operators: [TestOperator, TestOperator];
  let chains: [Chain, Chain];

  beforeAll(async () => {
    network = await startLocalNetwork();
    operators = [await registerOperator(network), await registerOperator(network)];
    chains = [createRpcChain(network.rpc.url, FAST), createRpcChain(network.rpc.url, FAST)];
  });
  afterAll(() => network.close());

  it(`two servers locking the same request at once: exactly one wins, the other gets RequestNotOpen and pays nothing (${RACES} races)`, async () => {
    const client = await fundedSigner(network.chain);
    const clientChain = createRpcChain(network.rpc.url, FAST);
    const servers = await listingsOf(clientChain, operators);
    const balances = async () => Promise.all(operators.map((op) => network.chain.getBalance(op.signer.address)));
    const wins = [0, 0];
    let paid = 0n;
    const before = await balances();
    for (let race = 0; race < RACES; race++) {
      // Given an open request both servers may lock (both named: a fan-out of 2)
      const posted = await postRequest(clientChain, {
        client,
        model: TEST_MODEL,
        payload: payload(`race ${race}`),
        servers,
        fanOut: 2,
        stake: 1_000_000n,
        maxPriceIn: PRICE_IN,
        maxPriceOut: PRICE_OUT,
      });
      // When both send lock_request at the same moment, each through its own RPC client
      const results = await Promise.allSettled(
        operators.map((op, i) => lockRequest(chains[i]!, op.signer, posted.address, op.keys.publicKey)),
      );
      // Then exactly one landed, the other was refused as RequestNotOpen
      const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(isTransactionFailed(loser.reason, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)).toBe(true);
      const winner = winners[0]!;
      wins[winner]! += 1;
      paid += (results[winner] as PromiseFulfilledResult<{ fee: bigint }>).value.fee;
      // And the request is locked by the winner's server
      const request = await fetchRequestAccount(clientChain, posted.address);
      expect(request?.status).toBe(RequestStatus.Locked);
      expect(request?.lockedBy).toBe(operators[winner]!.server);
    }
    // The losers paid no fee (preflight rejection): the operators together paid exactly the winners' fees
    const after = await balances();
    expect(before.reduce((a, b) => a + b, 0n) - after.reduce((a, b) => a + b, 0n)).toBe(paid);
    // And the servers' active locks add up to the races
    const listed = await fetchServers(clientChain, { model: TEST_MODEL });
    const locks = operators.map((op) => listed.find((s) => s.address === op.server)!.server.activeLocks);
    expect(locks).toEqual(wins);
    expect(wins[0]! + wins[1]!).toBe(RACES);
  });

  it("a client cancelling while a server locks: exactly one lands, and the stake is in exactly one place", async () => {
    const client = await fundedSigner(network.chain);
    const clientChain = createRpcChain(network.rpc.url, FAST);
    const op = operators[0];
    const servers = await listingsOf(clientChain, [op]);
    for (let race = 0; race < 4; race++) {
      // Given an open request
      const posted = await postRequest(clientChain, {
        client,
        model: TEST_MODEL,
        payload: payload(`cancel race ${race}`),
        servers,
        stake: 2_000_000n,
        maxPriceIn: PRICE_IN,
        maxPriceOut: PRICE_OUT,
      });
      // When the client cancels it while the server locks it (order varies)
      const attempts =
        race % 2 === 0
          ? [cancelRequest(clientChain, client, posted.address), lockRequest(chains[0], op.signer, posted.address, op.keys.publicKey)]
          : [lockRequest(chains[0], op.signer, posted.address, op.keys.publicKey), cancelRequest(clientChain, client, posted.address)];
      const results = await Promise.allSettled(attempts);
      // Then exactly one succeeded
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const account = await network.chain.getAccount(posted.address);
      const request = await fetchRequestAccount(clientChain, posted.address);
      if (request) {
        // locked: the stake (and rent) stay in the request account, the server must answer or be expired
        expect(request.status).toBe(RequestStatus.Locked);
        expect(account!.lamports).toBe((await network.chain.getMinimumBalanceForRentExemption(account!.data.length)) + 2_000_000n);
      } else {
        // cancelled: the account is gone, nothing is left to lock
        expect(account).toBeNull();
      }
    }
  });
});
