/**
 * A browser wallet's byte-level signing (wallet-standard's solana:signTransaction / solana:signMessage shape)
 * as the SDK's signers: requests posted, cancelled and read back through it, and the wallet prompts counted (the
 * key root: one message prompt per signer object);
 * and a wallet that only signs and sends (solana:signAndSendTransaction) through `withWalletSending`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSignableMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  type KeyPairSigner,
} from "@solana/kit";
import { getBase58Encoder } from "@solana/kit";
import { cancelRequest, createRpcChain, fetchHistory, isTransactionFailed, postRequest, type Chain } from "@chainference/client";
import { createWalletSigner, isSendOnlySigner, withWalletSending, type WalletFunctions } from "@chainference/client/wallet";
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

/** A keypair behind a wallet that only signs and sends: it sends each transaction to `rpcUrl` itself. */
function sendingWallet(keypair: KeyPairSigner, rpcUrl: string, calls: { sent: number }): WalletFunctions {
  const signing = keypairWallet(keypair, { transactions: 0, messages: 0 });
  return {
    address: keypair.address,
    signMessages: signing.signMessages,
    async signAndSendTransaction(wire) {
      calls.sent++;
      const signed = getTransactionDecoder().decode(
        await (signing as { signTransaction(w: Uint8Array): Promise<Uint8Array> }).signTransaction(wire),
      );
      const body = {
        jsonrpc: "2.0",
        id: 1,
        method: "sendTransaction",
        params: [getBase64EncodedWireTransaction(signed), { encoding: "base64" }],
      };
      const answer = (await (
        await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      ).json()) as {
        error?: { message: string };
      };
      if (answer.error) throw new Error(answer.error.message);
      return new Uint8Array(getBase58Encoder().encode(getSignatureFromTransaction(signed)));
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

    // Then every request is decrypted, the cancelled one too, and no further prompt: the root is kept in memory for this signer
    expect(history.map((h) => [h.request, h.status, h.decrypted.prompt?.messages[0]?.content])).toEqual([
      [first.address, "open", "first question"],
      [second.address, "cancelled", "second question"],
    ]);
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

  it("posts and cancels through a wallet that only signs and sends, and passes on the wallet's refusal to send", async () => {
    // Given a wallet with solana:signAndSendTransaction only, and the chain that hands it its transactions
    const op = await registerOperator(network);
    const servers = await listingsOf(chain, [op]);
    const keypair = await fundedSigner(network.chain, 2n * SOL);
    const calls = { sent: 0 };
    const wallet = createWalletSigner(sendingWallet(keypair, network.rpc.url, calls));
    expect(isSendOnlySigner(wallet)).toBe(true);
    const sending = withWalletSending(chain, network.rpc.url);

    // When it posts a request and cancels it
    const posted = await postRequest(sending, {
      model: TEST_MODEL,
      servers,
      stake: 10_000_000n,
      maxPriceIn: 10_000_000n,
      maxPriceOut: 10_000_000n,
      client: wallet,
      payload: payload("sent by the wallet"),
    });
    const cancelled = await cancelRequest(sending, wallet, posted.address);

    // Then the wallet sent each transaction, and each came back confirmed with its fee
    expect(calls.sent).toBe(posted.transactions.length + 1);
    expect(cancelled.fee).toBe(5_000n);
    expect(await network.chain.getAccount(posted.address)).toBeNull();

    // When it cancels again (the request is gone): the wallet's send fails its simulation
    const again = cancelRequest(sending, wallet, posted.address);
    // Then the caller gets the wallet's error, naming the program's
    await expect(again).rejects.toThrow(/INVALID_ACCOUNT_OWNER/);
  });
});
