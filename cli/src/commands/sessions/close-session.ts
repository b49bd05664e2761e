/**
 * The client's close of a session: `request_close_session`, a wait until the server's settle deadline (the node
 * settles its last voucher in that window), then `close_session`, which refunds `deposit − paid`. The node offers no
 * client-initiated cooperative close; its own cooperative close (final settle and close in one transaction) runs when
 * the node stops.
 */
import { isAddress, type Address, type KeyPairSigner } from "@solana/kit";
import {
  closeSessionAsClient,
  fetchSessionAccount,
  requestCloseSession,
  SessionStatus,
  type SentTransaction,
  type SessionAccount,
} from "@chainference/client";
import type { Session } from "../../shared/context/session";
import { abortableSleep } from "../../shared/abortable-sleep";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { formatSlots } from "../../shared/output/units";

/** How a close went. */
export type CloseOutcome = {
  readonly session: Address;
  /** Transactions this close sent (request_close and/or close). */
  readonly transactions: readonly SentTransaction[];
  /** Lamports paid to the server in total (settled on chain), null when the close is still pending. */
  readonly paid: bigint | null;
  /** Lamports returned to the wallet by the close (deposit − paid, plus the rent when the account was freed). */
  readonly refunded: bigint | null;
  /** Set when the close was only requested (`--no-wait`, or stopped while waiting). */
  readonly closableAtSlot: bigint | null;
};

const POLL_MS = 400;
const COUNTDOWN_EVERY_MS = 10_000;

/**
 * Reads a session argument of this wallet: one line when it is not an address, not a session, or not the wallet's.
 *
 * @example
 * const account = await loadOwnSession(session, wallet, argument);
 */
export async function loadOwnSession(session: Session, wallet: KeyPairSigner, argument: string): Promise<SessionAccount> {
  if (!isAddress(argument)) throw usageError(`'${argument}' is not a base58 session address (see 'chainference sessions')`);
  const account = await fetchSessionAccount(session.chain, argument);
  if (!account)
    throw new CliError(`no session at ${argument} on this cluster (closed and freed, or never opened): see 'chainference sessions'`);
  if (account.client !== wallet.address)
    throw new CliError(`session ${argument} belongs to wallet ${account.client}, not ${wallet.address} (check --keypair)`);
  return account;
}

/**
 * Requests the close of an Open session (or continues a Closing one), waits until the server can no longer settle,
 * then closes it. With `wait: false` only the request is sent.
 *
 * @example
 * const outcome = await closeClientSession(session, wallet, account, { wait: true });
 */
export async function closeClientSession(
  session: Session,
  wallet: KeyPairSigner,
  account: SessionAccount,
  options: { readonly wait: boolean; readonly signal?: AbortSignal; readonly onProgress?: (text: string) => void },
): Promise<CloseOutcome> {
  const { chain } = session;
  const say = options.onProgress ?? (() => undefined);
  if (account.status === SessionStatus.Closed)
    throw new CliError(
      `session ${account.address} is already closed (a tombstone holding its rent): 'chainference sessions reclaim' frees it once its open slot is out of the window`,
    );
  const transactions: SentTransaction[] = [];
  let current = account;
  if (current.status === SessionStatus.Open) {
    const sent = await requestCloseSession(chain, wallet, current.address);
    transactions.push(sent);
    say(`Requested the close of session ${current.address} (${session.transactionText(sent.signature)}).`);
    const read = await fetchSessionAccount(chain, current.address);
    if (!read) return { session: current.address, transactions, paid: null, refunded: null, closableAtSlot: null };
    current = read;
  }
  let slot = await chain.getSlot();
  if (slot < current.settleDeadlineSlot) {
    const wait = formatSlots(current.settleDeadlineSlot - slot);
    if (!options.wait) {
      say(
        `The server keeps until slot ${current.settleDeadlineSlot} (about ${wait}) to settle its last voucher; run 'chainference sessions close ${current.address}' again after that for the refund.`,
      );
      return { session: current.address, transactions, paid: null, refunded: null, closableAtSlot: current.settleDeadlineSlot };
    }
    say(`Waiting about ${wait} (until slot ${current.settleDeadlineSlot}) while the server settles its last voucher…`);
    let lastCountdown = Date.now();
    while (slot < current.settleDeadlineSlot) {
      if (options.signal?.aborted)
        return { session: current.address, transactions, paid: null, refunded: null, closableAtSlot: current.settleDeadlineSlot };
      await abortableSleep(POLL_MS, options.signal);
      slot = await chain.getSlot();
      if (Date.now() - lastCountdown >= COUNTDOWN_EVERY_MS) {
        lastCountdown = Date.now();
        say(`  about ${formatSlots(current.settleDeadlineSlot > slot ? current.settleDeadlineSlot - slot : 0n)} left`);
      }
    }
  }
  const final = await fetchSessionAccount(chain, current.address);
  if (!final || final.status === SessionStatus.Closed)
    return { session: current.address, transactions, paid: final?.settled ?? null, refunded: null, closableAtSlot: null };
  const before = await chain.getBalance(wallet.address);
  const sent = await closeSessionAsClient(chain, wallet, final.address);
  transactions.push(sent);
  const after = await chain.getBalance(wallet.address);
  return { session: final.address, transactions, paid: final.settled, refunded: after - before + sent.fee, closableAtSlot: null };
}
