/**
 * The client's close of a session: the node's cooperative close (its final settle and `close_session` in one
 * transaction, asked with the session key), else the forced close (`request_close_session`, the grace window in which
 * the node settles its last voucher, then `close_session`). Both refund `deposit − paid`.
 */
import { isAddress, type KeyPairSigner } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, deriveKeyRoot, getServerDecoder, SessionStatus } from "@chainference/client";
import {
  closeSession,
  deriveSessionKeys,
  fetchSessionAccount,
  type SessionAccount,
  type SessionCloseOutcome,
} from "@chainference/client/sessions";
import type { Session } from "../../shared/context/session";
import { CliError, usageError } from "../../shared/errors/cli-error";

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
 * Closes an Open or Closing session of `wallet`: asks its node for the cooperative close (the session keys from one
 * local signature of the wallet, the endpoint from the Server account), and falls back to the forced close
 * (request close, the grace window, close) when the node is unreachable or refuses. With `wait: false` the forced path
 * only sends the request.
 *
 * @example
 * const outcome = await closeClientSession(session, wallet, account, { wait: true });
 */
export async function closeClientSession(
  session: Session,
  wallet: KeyPairSigner,
  account: SessionAccount,
  options: { readonly wait: boolean; readonly signal?: AbortSignal; readonly onProgress?: (text: string) => void },
): Promise<SessionCloseOutcome> {
  const { chain } = session;
  if (account.status === SessionStatus.Closed)
    throw new CliError(
      `session ${account.address} is already closed (a tombstone holding its rent): 'chainference sessions reclaim' frees it once its open slot is out of the window`,
    );
  const server = await chain.getAccount(account.server);
  const endpoint = server ? getServerDecoder().decode(server.data).endpoint : "";
  const keys = deriveSessionKeys(await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS), account.address);
  return closeSession(chain, {
    client: wallet,
    account,
    node: endpoint === "" ? null : { endpoint, keys },
    wait: options.wait,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
