/** Any failure as one sentence a user can act on. */
import { getChainferenceProgramErrorName, isRpcFailure, isTransactionFailed } from "@chainference/client";

export type UserError = {
  /** What happened, in one sentence. */
  readonly title: string;
  /** What to do about it. */
  readonly hint?: string;
  readonly kind: "rejected" | "funds" | "rpc" | "program" | "other";
};

/** True when a wallet refused to sign (the user clicked reject, or the wallet closed its prompt). */
export function isWalletRejection(e: unknown): boolean {
  const text = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return code === 4001 || /reject|denied|declined|cancell?ed by (the )?user/i.test(text);
}

/**
 * Explains a failure: wallet rejection, missing funds, an unreachable RPC, a program error by name.
 *
 * @example
 * setError(describeError(e, { rpcUrl }));
 */
export function describeError(e: unknown, context: { readonly rpcUrl: string }): UserError {
  if (isWalletRejection(e))
    return { kind: "rejected", title: "You rejected the request in your wallet.", hint: "Nothing was sent. Try again when ready." };
  if (isRpcFailure(e))
    return {
      kind: "rpc",
      title: `The RPC endpoint ${context.rpcUrl} did not answer.`,
      hint: "Check the cluster in the top bar (for a local chain: chainference localnet --with-provider).",
    };
  if (isTransactionFailed(e)) {
    const { reason, customCode } = e.failure;
    if (/InsufficientFunds|AccountNotFound|insufficient lamports/i.test(`${reason} ${e.failure.logs.join(" ")}`))
      return {
        kind: "funds",
        title: "Your wallet does not have enough SOL for this.",
        hint: "Fund it (on a local chain: chainference airdrop 1 --url localnet --keypair …, or the Faucet button).",
      };
    const name = customCode === null ? null : getChainferenceProgramErrorName(customCode);
    return { kind: "program", title: `The program refused the transaction: ${name ?? reason}.` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "other", title: message.length > 300 ? `${message.slice(0, 300)}…` : message };
}
