/**
 * Wallets that only sign-and-send (`solana:signAndSendTransaction`, no `signTransaction`): the wallet puts the
 * transaction on the cluster itself, so the SDK cannot sign and broadcast as it does for every other signer. This
 * chain builds the transaction as usual, hands it to such a signer through kit's
 * `signAndSendTransactionMessageWithSigners`, then confirms the returned signature on the RPC endpoint and reports
 * it like any sent transaction; every other signer goes to the wrapped chain unchanged.
 */
import {
  createSolanaRpc,
  getBase58Decoder,
  isTransactionModifyingSigner,
  isTransactionPartialSigner,
  isTransactionSendingSigner,
  signAndSendTransactionMessageWithSigners,
  type Instruction,
  type Signature,
  type TransactionSigner,
} from "@solana/kit";
import { buildTransactionMessage } from "../chain/build-transaction";
import type { Chain, SendOptions, SentTransaction } from "../chain/chain";
import { TransactionNotConfirmedError } from "../chain/rpc-chain";
import { parseCustomCode, parseInstructionIndex, TransactionFailedError } from "../chain/transaction-error";

const POLL_MS = 400;

/** True for a signer that can only sign and send (the SDK cannot sign its transactions without sending them). */
export function isSendOnlySigner(signer: TransactionSigner): boolean {
  return isTransactionSendingSigner(signer) && !isTransactionModifyingSigner(signer) && !isTransactionPartialSigner(signer);
}

/**
 * `chain` with transactions whose fee payer only signs and sends handed to that wallet, then confirmed on
 * `rpcUrl` (the wallet sends to its own endpoint for the same cluster).
 *
 * @example
 * const chain = withWalletSending(createRpcChain(url), url);
 * await postRequest(chain, { client: createWalletSigner({ address, signAndSendTransaction, signMessages }), ... });
 */
export function withWalletSending(chain: Chain, rpcUrl: string): Chain {
  const rpc = createSolanaRpc(rpcUrl);
  const sendThroughWallet = async (instructions: readonly Instruction[], { feePayer, computeUnitLimit }: SendOptions) => {
    const started = Date.now();
    const { value: lifetime } = await rpc.getLatestBlockhash({ commitment: "confirmed" }).send();
    const message = buildTransactionMessage(instructions, feePayer, lifetime, computeUnitLimit);
    const signature = getBase58Decoder().decode(await signAndSendTransactionMessageWithSigners(message)) as Signature;
    for (;;) {
      const [status] = (await rpc.getSignatureStatuses([signature]).send()).value;
      if (status && (status.err || status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) break;
      const height = await rpc.getBlockHeight({ commitment: "confirmed" }).send();
      if (height > lifetime.lastValidBlockHeight) throw new TransactionNotConfirmedError(rpcUrl, signature, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const landed = await rpc
      .getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" })
      .send();
    const logs = landed?.meta?.logMessages ?? [];
    if (landed?.meta?.err) {
      const text = JSON.stringify(landed.meta.err, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value));
      const instructionIndex = parseInstructionIndex(text);
      throw new TransactionFailedError({
        instructionIndex,
        customCode: parseCustomCode(text),
        programAddress: instructionIndex === null ? null : (instructions[instructionIndex]?.programAddress ?? null),
        reason: text,
        logs,
      });
    }
    return {
      signature,
      slot: landed?.slot ?? 0n,
      computeUnits: landed?.meta?.computeUnitsConsumed ?? null,
      fee: BigInt(landed?.meta?.fee ?? 0n),
      logs,
    } satisfies SentTransaction;
  };
  return {
    ...chain,
    sendInstructions: (instructions, options) =>
      isSendOnlySigner(options.feePayer) ? sendThroughWallet(instructions, options) : chain.sendInstructions(instructions, options),
  };
}
