import {
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  getTransactionEncoder,
  getTransactionLifetimeConstraintFromCompiledTransactionMessage,
  type Address,
  type MessagePartialSigner,
  type SignatureBytes,
  type SignatureDictionary,
  type Transaction,
  type TransactionModifyingSigner,
  type TransactionSendingSigner,
  type TransactionWithinSizeLimit,
  type TransactionWithLifetime,
} from "@solana/kit";

/**
 * What a browser wallet offers, as raw bytes: the shape of wallet-standard's `solana:signTransaction` (or
 * `solana:signAndSendTransaction`) and `solana:signMessage` features (or any other wallet API), without depending
 * on them. Exactly one of the two transaction functions.
 */
export type WalletFunctions = {
  readonly address: Address;
  /** Signs each message as is (one wallet prompt for all of them where the wallet can); one 64-byte signature each. */
  signMessages(messages: readonly Uint8Array[]): Promise<readonly Uint8Array[]>;
} & (
  | {
      /** Signs one wire-format transaction and returns it signed (the wallet may have changed it, e.g. added fees). */
      signTransaction(wireTransaction: Uint8Array): Promise<Uint8Array>;
    }
  | {
      /** Signs one wire-format transaction, sends it to the cluster and returns its 64-byte signature. */
      signAndSendTransaction(wireTransaction: Uint8Array): Promise<Uint8Array>;
    }
);

/**
 * A wallet as the SDK's functions take it: pays for and signs transactions, signs the key-root message. A
 * wallet that only signs and sends is a `TransactionSendingSigner`: its transactions go through
 * {@link withWalletSending}'s chain.
 */
export type WalletSigner = (TransactionModifyingSigner | TransactionSendingSigner) & MessagePartialSigner;

/**
 * Adapts a wallet's byte-level signing functions to the kit signer shapes every SDK function takes
 * (`postRequest`, `cancelRequest`, `publishServer`, `fetchHistory`, ...). Transactions go to the wallet one at
 * a time as wire bytes; a wallet that rewrites the transaction (new blockhash, added instructions) is
 * followed: the returned transaction carries the lifetime of the bytes it signed. Given `signAndSendTransaction`
 * instead, the signer is a `TransactionSendingSigner` (send through {@link withWalletSending}).
 *
 * @example
 * const signer = createWalletSigner({
 *   address,
 *   signTransaction: async (wire) => (await feature.signTransaction({ account, transaction: wire }))[0].signedTransaction,
 *   signMessages: async (messages) => (await signMessage(...messages.map((message) => ({ account, message })))).map((o) => o.signature),
 * });
 * await postRequest(chain, { client: signer, ... });
 */
export function createWalletSigner(wallet: WalletFunctions): WalletSigner {
  const signMessages: MessagePartialSigner["signMessages"] = async (messages) => {
    const signatures = await wallet.signMessages(messages.map((m) => new Uint8Array(m.content)));
    if (signatures.length !== messages.length)
      throw new Error(`the wallet returned ${signatures.length} signatures for ${messages.length} messages`);
    return signatures.map((s) => Object.freeze({ [wallet.address]: new Uint8Array(s) as SignatureBytes }) as SignatureDictionary);
  };
  if (!("signTransaction" in wallet)) {
    const encoder = getTransactionEncoder();
    return Object.freeze({
      address: wallet.address,
      async signAndSendTransactions(transactions) {
        const out: SignatureBytes[] = [];
        for (const transaction of transactions) {
          const signature = await wallet.signAndSendTransaction(new Uint8Array(encoder.encode(transaction)));
          if (signature.length !== 64) throw new Error(`the wallet returned a ${signature.length}-byte signature`);
          out.push(new Uint8Array(signature) as SignatureBytes);
        }
        return out;
      },
      signMessages,
    });
  }
  const encoder = getTransactionEncoder();
  const decoder = getTransactionDecoder();
  const messageDecoder = getCompiledTransactionMessageDecoder();
  const signOne = async (
    transaction: Transaction | (Transaction & TransactionWithLifetime),
  ): Promise<Transaction & TransactionWithinSizeLimit & TransactionWithLifetime> => {
    const signedBytes = await wallet.signTransaction(new Uint8Array(encoder.encode(transaction)));
    const signed = decoder.decode(signedBytes) as Transaction & TransactionWithinSizeLimit;
    const unchanged =
      "lifetimeConstraint" in transaction &&
      signed.messageBytes.length === transaction.messageBytes.length &&
      signed.messageBytes.every((b, i) => b === transaction.messageBytes[i]);
    if (unchanged) return { ...signed, lifetimeConstraint: transaction.lifetimeConstraint };
    const compiled = messageDecoder.decode(signed.messageBytes);
    if (!("lifetimeToken" in compiled)) throw new Error("the wallet returned a transaction without a lifetime");
    const lifetimeConstraint = await getTransactionLifetimeConstraintFromCompiledTransactionMessage(
      compiled as Parameters<typeof getTransactionLifetimeConstraintFromCompiledTransactionMessage>[0],
    );
    return { ...signed, lifetimeConstraint };
  };
  return Object.freeze({
    address: wallet.address,
    async modifyAndSignTransactions(transactions) {
      const out = [];
      for (const transaction of transactions) out.push(await signOne(transaction));
      return out;
    },
    signMessages,
  });
}
