/**
 * A browser wallet's byte-level signing (wallet-standard's solana:signTransaction / solana:signMessage shape)
 * as the SDK's signers: requests posted, cancelled and read back through it, and the wallet prompts counted (the
 * key root: one message prompt per signer object).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignableMessage, getTransactionDecoder, getTransactionEncoder, type KeyPairSigner } from "@solana/kit";
import { cancelRequest, createRpcChain, fetchHistory, postRequest, type Chain } from "@chainference/client";
import { createWalletSigner, type WalletFunctions } from "@chainference/client/wallet";
import {
  fundedSigner,
  listingsOf,
  payload,
  registerOperator,
  startLocalNetwork,
  SOL,
  TEST_MODEL,
  type LocalNetwork,
} from "../helpers/local-network";

/** A keypair behind the byte-level functions a wallet-standard wallet offers, counting each call (prompt). */
function keypairWallet(keypair: KeyPairSigner, calls: { transactions: number; messages: number }): WalletFunctions {
  return {
    address: keypair.address,
    async signTransaction(wire) {
      calls.transactions++;
      const [signed] = await keypair.signTransactions([
        getTransactionDecoder().decode(wire) as Parameters<KeyPairSigner["signTransactions"]>[0][number],
      ]);
      const transaction = getTransactionDecoder().decode(wire);
      return new Uint8Array(getTransactionEncoder().encode({ ...transaction, signatures: { ...transaction.signatures, ...signed } }));
    },
    async signMessages(messages) {
      calls.messages++;
      const dictionaries = await keypair.signMessages(messages.map((m) => createSignableMessage(m)));
      return dictionaries.map((d) => d[keypair.address]!);
    },
  };
}

describe("createWalletSigner and the key root", () => {
  let network: LocalNetwork;
  let chain: Chain;
  beforeAll(async () => {
    network = await startLocalNetwork();
    chain = createRpcChain(network.rpc.url, { pollMs: 20, wsUrl: null });
  });
  afterAll(() => network.close());

  it("posts, cancels and reads back requests signed by a wallet, with one message prompt for everything", async () => {
    // Given a registered server and a wallet that signs bytes
    const op = await registerOperator(network);
    const servers = await listingsOf(chain, [op]);
    const keypair = await fundedSigner(network.chain, 2n * SOL);
    const calls = { transactions: 0, messages: 0 };
    const wallet = createWalletSigner(keypairWallet(keypair, calls));
    const terms = { model: TEST_MODEL, servers, stake: 10_000_000n, maxPriceIn: 10_000_000n, maxPriceOut: 10_000_000n };

    // When it posts two requests and cancels one
    const first = await postRequest(chain, { ...terms, client: wallet, payload: payload("first question") });
    const second = await postRequest(chain, { ...terms, client: wallet, payload: payload("second question") });
    await cancelRequest(chain, wallet, second.address);

    // Then the wallet signed every transaction and the key-root message once (for both requests)
    expect(calls.transactions).toBe(3);
    expect(calls.messages).toBe(1);

    // When it reads its history, twice
    const history = await fetchHistory(chain, wallet);
    await fetchHistory(chain, wallet);

    // Then no further prompt: the root is kept in memory for this signer
    expect(history.map((h) => h.decrypted.prompt?.messages[0]?.content)).toEqual(["first question"]);
    expect(history[0]!.request).toBe(first.address);
    expect(calls.messages).toBe(1);
  });

  it("a new app session (a new signer object for the same wallet) prompts once more and reads the same history", async () => {
    // Given a wallet that posted a request in an earlier app session
    const op = await registerOperator(network);
    const servers = await listingsOf(chain, [op]);
    const keypair = await fundedSigner(network.chain, 2n * SOL);
    const calls = { transactions: 0, messages: 0 };
    await postRequest(chain, {
      model: TEST_MODEL,
      servers,
      stake: 10_000_000n,
      maxPriceIn: 10_000_000n,
      maxPriceOut: 10_000_000n,
      client: createWalletSigner(keypairWallet(keypair, calls)),
      payload: payload("asked in an earlier session"),
    });
    expect(calls.messages).toBe(1);

    // When a new signer reads the history
    const history = await fetchHistory(chain, createWalletSigner(keypairWallet(keypair, calls)));

    // Then one more prompt re-created the same keys
    expect(history[0]!.decrypted.prompt?.messages[0]?.content).toBe("asked in an earlier session");
    expect(calls.messages).toBe(2);
  });
});
