/**
 * The client's close of a session: cooperative first (the node, asked with the session key, sends its final settle
 * and `close_session` in one transaction: no transaction and no wait for the client), else forced
 * (`request_close_session`, the grace window in which the node can still settle its last voucher, then the client's
 * `close_session`). The outcome says which path closed it and why the cooperative one was not taken.
 */
import type { Address, Signature, TransactionSigner } from "@solana/kit";

import { abortableSleep, type Chain, type SentTransaction } from "../chain";
import { SessionStatus } from "../generated";
import { fetchSessionAccount, closeSessionAsClient, requestCloseSession, type SessionAccount } from "./session-actions";
import { requestSessionClose, type FetchLike } from "./session-client";
import type { SessionKeys } from "./session-keys";

/** How a close went. */
export type SessionCloseOutcome = Readonly<{
  session: Address;
  /** `cooperative`: the node settled and closed in one transaction; `forced`: request close, grace window, client close. */
  path: "cooperative" | "forced";
  /** Why the cooperative close was not taken (node unreachable, its refusal, …); null when it was. */
  fallbackReason: string | null;
  /** Transactions the client sent (none on the cooperative path). */
  transactions: readonly SentTransaction[];
  /** The node's settle-and-close transaction (cooperative path). */
  nodeTransaction: Signature | null;
  /** Lamports paid to the server in total (settled on chain); null while the forced close is pending. */
  paid: bigint | null;
  /** Lamports returned to the client by the close (`deposit − paid`, plus the rent when the account was freed). */
  refunded: bigint | null;
  /** Set when the forced close was only requested (`wait: false`, or aborted while waiting): close again from this slot. */
  closableAtSlot: bigint | null;
}>;

/** What {@link closeSession} needs. */
export type CloseSessionParams = Readonly<{
  /** The session's client (pays the forced path's transactions). */
  client: TransactionSigner;
  /** The session account as read now (Open or Closing). */
  account: SessionAccount;
  /** The node's endpoint and the session keys, for the cooperative close; null skips it (no known endpoint). */
  node: Readonly<{ endpoint: string; keys: Pick<SessionKeys, "session" | "voucherSecret">; fetch?: FetchLike }> | null;
  /** Forced path: wait out the grace window and close (default true), or only request the close. */
  wait?: boolean;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** Slot polling while waiting (default 400 ms). */
  pollMs?: number;
}>;

/**
 * Closes an Open or Closing session: asks its node for the cooperative close, and when the node is unreachable,
 * refuses, or answers without the session being closed on chain, falls back to the forced close.
 *
 * @example
 * ```ts
 * const outcome = await closeSession(chain, { client: wallet, account, node: { endpoint, keys } });
 * console.log(outcome.path, outcome.fallbackReason, outcome.refunded);
 * ```
 */
export async function closeSession(chain: Chain, params: CloseSessionParams): Promise<SessionCloseOutcome> {
  const say = params.onProgress ?? (() => undefined);
  const { account } = params;
  let fallbackReason = "the session's server publishes no endpoint";
  if (params.node) {
    const cooperative = await closeCooperatively(chain, account, params.node, params.signal);
    if ("outcome" in cooperative) return cooperative.outcome;
    fallbackReason = cooperative.reason;
  }
  say(`The node did not close session ${account.address} (${fallbackReason}): forcing the close.`);
  return closeForced(chain, params, fallbackReason, say);
}

async function closeCooperatively(
  chain: Chain,
  account: SessionAccount,
  node: NonNullable<CloseSessionParams["node"]>,
  signal: AbortSignal | undefined,
): Promise<{ outcome: SessionCloseOutcome } | { reason: string }> {
  const lamportsBefore = await chain.getBalance(account.address);
  let receipt;
  try {
    receipt = await requestSessionClose({
      endpoint: node.endpoint,
      keys: node.keys,
      ...(node.fetch ? { fetch: node.fetch } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
  // The node's word is checked on chain: the account must be Closed or freed.
  const after = await fetchSessionAccount(chain, account.address);
  if (after && after.status !== SessionStatus.Closed)
    return { reason: `the node answered with transaction ${receipt.transaction} but the session is still open on chain` };
  // Freed: the client got every lamport the account held but what the final settle paid out.
  const paid = after ? after.settled : receipt.settledLamports;
  const refunded = after ? after.deposit - after.settled : lamportsBefore - (paid - account.settled);
  return {
    outcome: {
      session: account.address,
      path: "cooperative",
      fallbackReason: null,
      transactions: [],
      nodeTransaction: receipt.transaction,
      paid,
      refunded,
      closableAtSlot: null,
    },
  };
}

async function closeForced(
  chain: Chain,
  params: CloseSessionParams,
  fallbackReason: string,
  say: (line: string) => void,
): Promise<SessionCloseOutcome> {
  const transactions: SentTransaction[] = [];
  const base = { path: "forced", fallbackReason, nodeTransaction: null } as const;
  const pending = (session: SessionAccount): SessionCloseOutcome => ({
    ...base,
    session: session.address,
    transactions,
    paid: null,
    refunded: null,
    closableAtSlot: session.settleDeadlineSlot,
  });
  let current = params.account;
  if (current.status === SessionStatus.Open) {
    transactions.push(await requestCloseSession(chain, params.client, current.address));
    say(`Requested the close of session ${current.address} (transaction ${transactions[0]!.signature}).`);
    const read = await fetchSessionAccount(chain, current.address);
    if (!read) return { ...base, session: current.address, transactions, paid: null, refunded: null, closableAtSlot: null };
    current = read;
  }
  let slot = await chain.getSlot();
  if (slot < current.settleDeadlineSlot) {
    if (params.wait === false) return pending(current);
    say(
      `Waiting until slot ${current.settleDeadlineSlot} (${current.settleDeadlineSlot - slot} slots) while the server settles its last voucher…`,
    );
    while (slot < current.settleDeadlineSlot) {
      if (params.signal?.aborted) return pending(current);
      await abortableSleep(params.pollMs ?? 400, params.signal);
      slot = await chain.getSlot();
    }
  }
  // Past the deadline nothing can change `settled`: what the account holds now is what the close pays out.
  const final = await fetchSessionAccount(chain, current.address);
  if (!final || final.status === SessionStatus.Closed)
    return { ...base, session: current.address, transactions, paid: final?.settled ?? null, refunded: null, closableAtSlot: null };
  const lamports = await chain.getBalance(final.address);
  transactions.push(await closeSessionAsClient(chain, params.client, final.address));
  const freed = (await fetchSessionAccount(chain, final.address)) === null;
  return {
    ...base,
    session: final.address,
    transactions,
    paid: final.settled,
    refunded: freed ? lamports : final.deposit - final.settled,
    closableAtSlot: null,
  };
}
