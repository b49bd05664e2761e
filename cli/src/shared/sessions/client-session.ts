/**
 * The client's side of a session as the CLI uses it (ask --session, the gateway, the demo): find an open session of
 * this wallet that can take the next answer, or open one with the best eligible server; reconnect to it (keys from
 * one wallet signature, the server key and endpoint from the Server account, progress from the node).
 */
import type { Address, KeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  deriveKeyRoot,
  getServerDecoder,
  SessionStatus,
  type Chain,
  type SentTransaction,
} from "@chainference/client";
import {
  createSessionProgress,
  deriveSessionKeys,
  listSessions,
  openSession,
  requireSessionAccount,
  resumeSessionProgress,
  sessionAnswerCost,
  type SessionAccount,
  type SessionConnection,
  type SessionKeys,
  type SessionProgress,
} from "@chainference/client/sessions";
import type { AskTerms, EligibleServer } from "../../commands/ask/eligibility";

/** A session ready for answers. */
export type ClientSession = {
  readonly account: SessionAccount;
  readonly keys: SessionKeys;
  readonly connection: SessionConnection;
  readonly progress: SessionProgress;
  /** The open transaction when this call opened the session, else null (reused). */
  readonly opened: SentTransaction | null;
};

/** A reused session must stay settleable at least this long (about 2 minutes), so its node can still be paid. */
export const REUSE_MARGIN_SLOTS = 300n;

/**
 * The most one answer can cost: the prompt's bytes as tokens (a token is at least one byte) at the input price, and
 * `maxTokens` at the output price.
 *
 * @example
 * worstAnswerCost({ priceIn, priceOut }, 120, 256);
 */
export function worstAnswerCost(prices: { priceIn: bigint; priceOut: bigint }, promptBytes: number, maxTokens: number): bigint {
  return sessionAnswerCost({ tokensIn: promptBytes, tokensOut: maxTokens, ...prices });
}

/**
 * Reconnects to an Open session of `wallet`: derives the session keys (one local signature of the wallet), reads the
 * Server account for the key and endpoint, and the node's view of the session for the progress (checked against the
 * session key's signature). Null when the server's key rotated since the open (the session can no longer be asked).
 *
 * @example
 * const live = await connectSession(chain, wallet, account);
 */
export async function connectSession(
  chain: Chain,
  wallet: KeyPairSigner,
  account: SessionAccount,
  opened: SentTransaction | null = null,
): Promise<ClientSession | null> {
  const server = await chain.getAccount(account.server);
  if (!server) return null;
  const listing = getServerDecoder().decode(server.data);
  if (listing.keyEpoch !== account.keyEpoch) return null;
  const keys = deriveSessionKeys(await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS), account.address);
  const connection: SessionConnection = {
    endpoint: listing.endpoint,
    keys,
    serverKey: Uint8Array.from(listing.x25519Key),
    keyEpoch: account.keyEpoch,
    prices: { priceIn: account.priceIn, priceOut: account.priceOut },
  };
  const progress = await resumeSessionProgress({ endpoint: listing.endpoint, keys });
  return { account, keys, connection, progress, opened };
}

/** Open sessions of `wallet` for this model with one of `servers`, best server first, newest first. */
export async function reusableSessions(
  chain: Chain,
  wallet: Address,
  terms: Pick<AskTerms, "model" | "revision">,
  servers: readonly Address[],
): Promise<SessionAccount[]> {
  const slot = await chain.getSlot();
  const rank = (s: SessionAccount) => servers.indexOf(s.server);
  return (await listSessions(chain, { client: wallet }))
    .filter(
      (s) =>
        s.status === SessionStatus.Open &&
        s.model === terms.model &&
        s.revision === (terms.revision ?? "") &&
        rank(s) >= 0 &&
        s.settleDeadlineSlot > slot + REUSE_MARGIN_SLOTS,
    )
    .sort((a, b) => rank(a) - rank(b) || (a.openSlot === b.openSlot ? 0 : a.openSlot > b.openSlot ? -1 : 1));
}

/**
 * The first Open session of this wallet with an eligible server whose deposit covers the answer's worst case (what
 * the node holds, checked: `deposit − committed ≥ worst`), reconnected; null when none fits.
 *
 * @example
 * const live = await reuseSession(chain, wallet, terms, eligible, worst);
 */
export async function reuseSession(
  chain: Chain,
  wallet: KeyPairSigner,
  terms: Pick<AskTerms, "model" | "revision">,
  eligible: readonly EligibleServer[],
  worstCost: (prices: { priceIn: bigint; priceOut: bigint }) => bigint,
  onSkip: (session: Address, why: string) => void = () => undefined,
): Promise<ClientSession | null> {
  const candidates = await reusableSessions(
    chain,
    wallet.address,
    terms,
    eligible.map((s) => s.address),
  );
  for (const account of candidates) {
    let live: ClientSession | null;
    try {
      live = await connectSession(chain, wallet, account);
    } catch (error) {
      onSkip(account.address, `its node did not answer (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    if (!live) {
      onSkip(account.address, "its server rotated its key since the open");
      continue;
    }
    const left = account.deposit - live.progress.committed.lamports;
    if (left < worstCost({ priceIn: account.priceIn, priceOut: account.priceOut })) {
      onSkip(account.address, `${left} lamports left, below this answer's worst case`);
      continue;
    }
    return live;
  }
  return null;
}

/**
 * Opens a session with `server` (one wallet signature for the session keys, one transaction) and connects to it.
 *
 * @example
 * const live = await openClientSession(chain, wallet, terms, best, 50_000_000n);
 */
export async function openClientSession(
  chain: Chain,
  wallet: KeyPairSigner,
  terms: AskTerms,
  server: EligibleServer,
  deposit: bigint,
  options: { readonly graceSlots?: bigint; readonly expirySlots?: bigint } = {},
): Promise<ClientSession> {
  const opened = await openSession(chain, {
    client: wallet,
    server: server.address,
    model: terms.model,
    ...(terms.revision ? { revision: terms.revision } : {}),
    deposit,
    maxPriceIn: terms.maxPriceIn,
    maxPriceOut: terms.maxPriceOut,
    ...(terms.minCompleted === undefined ? {} : { minCompleted: terms.minCompleted }),
    ...(terms.minSuccessBps === undefined ? {} : { minSuccessBps: terms.minSuccessBps }),
    ...(terms.minAvgRating === undefined ? {} : { minAvgRating: terms.minAvgRating }),
    ...(options.graceSlots === undefined ? {} : { graceSlots: options.graceSlots }),
    ...(options.expirySlots === undefined ? {} : { expirySlots: options.expirySlots }),
  });
  const fetched = await requireSessionAccount(chain, opened.session);
  const connection: SessionConnection = {
    endpoint: opened.endpoint,
    keys: opened.keys,
    serverKey: opened.serverKey,
    keyEpoch: opened.keyEpoch,
    prices: { priceIn: fetched.priceIn, priceOut: fetched.priceOut },
  };
  return { account: fetched, keys: opened.keys, connection, progress: createSessionProgress(), opened: opened.sent };
}
