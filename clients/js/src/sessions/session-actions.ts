/**
 * Sessions on chain from the client's and the operator's side: open (one wallet signature for the session keys,
 * one transaction), top up, request close, close, reclaim, read and list; the operator's settle and cooperative
 * close. Built on the generated instruction builders.
 */
import { getAddressEncoder, type Address, type MessagePartialSigner, type TransactionSigner } from "@solana/kit";

import type { Chain, SentTransaction } from "../chain";
import {
  CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND,
  CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED,
  ChainferenceClientError,
} from "../errors";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  findConfigPda,
  findFeeVaultPda,
  findSessionPda,
  getCloseSessionInstruction,
  getOpenSessionInstruction,
  getReclaimSessionInstruction,
  getRequestCloseSessionInstruction,
  getServerDecoder,
  getSessionDecoder,
  getTopUpSessionInstruction,
  SESSION_DISCRIMINATOR,
  SessionStatus,
  type Session,
} from "../generated";
import { deriveKeyRoot } from "../crypto/key-root";
import { deriveSessionKeys, type SessionKeys } from "./session-keys";
import type { SignedVoucher } from "./voucher-signature";
import { getSettleSessionInstructions } from "./voucher-instruction";

/** A Session account with its address and its settle deadline. */
export type SessionAccount = Session &
  Readonly<{
    address: Address;
    /** `expiry_slot` while Open; `min(expiry_slot, close_requested_slot + grace_slots)` while Closing. */
    settleDeadlineSlot: bigint;
  }>;

/** Size of a Session account. */
export const SESSION_ACCOUNT_SIZE = 353;
/** Offset of `client` in a Session account (memcmp filter). */
const CLIENT_OFFSET = 4;
/** Offset of `server`. */
const SERVER_OFFSET = 36;

/**
 * `expiry_slot`, or `min(expiry_slot, close_requested_slot + grace_slots)` once the client asked to close.
 *
 * @example
 * ```ts
 * getSettleDeadlineSlot(session); // the server settles while slot < this
 * ```
 */
export function getSettleDeadlineSlot(session: Pick<Session, "status" | "expirySlot" | "closeRequestedSlot" | "graceSlots">): bigint {
  if (session.status !== SessionStatus.Closing) return session.expirySlot;
  const grace = session.closeRequestedSlot + session.graceSlots;
  return grace < session.expirySlot ? grace : session.expirySlot;
}

function decodeSession(address: Address, data: Uint8Array | { length: number }): SessionAccount {
  const session = getSessionDecoder().decode(data as Uint8Array);
  return { ...session, address, settleDeadlineSlot: getSettleDeadlineSlot(session) };
}

/**
 * The Session account at `address`, or null when there is none (never opened, or freed).
 *
 * @example
 * ```ts
 * const session = await fetchSessionAccount(chain, address);
 * ```
 */
export async function fetchSessionAccount(chain: Chain, address: Address): Promise<SessionAccount | null> {
  const account = await chain.getAccount(address);
  if (!account || account.owner !== CHAINFERENCE_PROGRAM_ADDRESS || account.data.length !== SESSION_ACCOUNT_SIZE) return null;
  if (account.data[0] !== SESSION_DISCRIMINATOR) return null;
  return decodeSession(address, account.data as Uint8Array);
}

/**
 * Sessions of a client or of a server (every status still on chain).
 *
 * @example
 * ```ts
 * const mine = await listSessions(chain, { client: wallet.address });
 * ```
 */
export async function listSessions(chain: Chain, by: Readonly<{ client: Address } | { server: Address }>): Promise<SessionAccount[]> {
  const [offset, address] = "client" in by ? [CLIENT_OFFSET, by.client] : [SERVER_OFFSET, by.server];
  const accounts = await chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, {
    dataSize: SESSION_ACCOUNT_SIZE,
    memcmp: [
      { offset: 0, bytes: Uint8Array.of(SESSION_DISCRIMINATOR) },
      { offset, bytes: getAddressEncoder().encode(address) },
    ],
  });
  return accounts.map((account) => decodeSession(account.address, account.data as Uint8Array));
}

/** What {@link openSession} needs. */
export type OpenSessionParams = Readonly<{
  /** Pays rent and deposit; its session keys come from its key root (one message signature per app session). */
  client: TransactionSigner & MessagePartialSigner;
  /** The Server account. */
  server: Address;
  model: string;
  /** Empty = any revision. */
  revision?: string;
  deposit: bigint;
  /** Slots from now until no settle is possible (default 216,000, about a day). */
  expirySlots?: bigint;
  /** Slots the server keeps to settle after a close request (default 300, at least 150). */
  graceSlots?: bigint;
  maxPriceIn: bigint;
  maxPriceOut: bigint;
  minCompleted?: bigint;
  minSuccessBps?: number;
  minAvgRating?: number;
}>;

/** An opened session: where it is, its keys, the server key it is encrypted for, the open transaction. */
export type OpenedSession = Readonly<{
  session: Address;
  openSlot: bigint;
  keys: SessionKeys;
  /** The Server's X25519 key at the session's key epoch (read right after the open), its epoch, and its endpoint. */
  serverKey: Uint8Array;
  keyEpoch: number;
  endpoint: string;
  sent: SentTransaction;
}>;

/**
 * Opens a session at the current slot: derives the session address and the session keys from the wallet key root
 * (the only message signature of the session), then sends `open_session` with the derived voucher signer.
 *
 * @example
 * ```ts
 * const { session, keys } = await openSession(chain, { client: wallet, server, model, deposit: 10_000_000n, maxPriceIn, maxPriceOut });
 * ```
 */
export async function openSession(chain: Chain, params: OpenSessionParams): Promise<OpenedSession> {
  const openSlot = await chain.getSlot();
  const pda = await findSessionPda({ client: params.client.address, server: params.server, openSlot });
  const keys = deriveSessionKeys(await deriveKeyRoot(params.client, CHAINFERENCE_PROGRAM_ADDRESS), pda[0]);
  const [config] = await findConfigPda();
  const instruction = getOpenSessionInstruction({
    client: params.client,
    session: pda,
    server: params.server,
    config,
    openSlot,
    model: params.model,
    revision: params.revision ?? "",
    deposit: params.deposit,
    expirySlot: openSlot + (params.expirySlots ?? 216_000n),
    graceSlots: params.graceSlots ?? 300n,
    maxPriceIn: params.maxPriceIn,
    maxPriceOut: params.maxPriceOut,
    minCompleted: params.minCompleted ?? 0n,
    minSuccessBps: params.minSuccessBps ?? 0,
    minAvgRating: params.minAvgRating ?? 0,
    voucherSigner: keys.voucherSigner,
  });
  const sent = await chain.sendInstructions([instruction], { feePayer: params.client });
  const [session, server] = await Promise.all([requireSessionAccount(chain, pda[0]), chain.getAccount(params.server)]);
  if (!server)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, { address: params.server, account: "server" });
  const listing = getServerDecoder().decode(server.data);
  if (listing.keyEpoch !== session.keyEpoch)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED, {
      server: params.server,
      sessionEpoch: session.keyEpoch,
      currentEpoch: listing.keyEpoch,
    });
  return {
    session: pda[0],
    openSlot,
    keys,
    serverKey: Uint8Array.from(listing.x25519Key),
    keyEpoch: session.keyEpoch,
    endpoint: listing.endpoint,
    sent,
  };
}

/**
 * Adds `amount` lamports to an Open session's deposit.
 *
 * @example
 * ```ts
 * await topUpSession(chain, wallet, session, 5_000_000n);
 * ```
 */
export function topUpSession(chain: Chain, client: TransactionSigner, session: Address, amount: bigint): Promise<SentTransaction> {
  return chain.sendInstructions([getTopUpSessionInstruction({ client, session, amount })], { feePayer: client });
}

/**
 * Starts the forced close: the server keeps `grace_slots` to settle its last voucher, then the client may close.
 *
 * @example
 * ```ts
 * await requestCloseSession(chain, wallet, session);
 * ```
 */
export function requestCloseSession(chain: Chain, client: TransactionSigner, session: Address): Promise<SentTransaction> {
  return chain.sendInstructions([getRequestCloseSessionInstruction({ client, session })], { feePayer: client });
}

/**
 * `close_session` by the client (once the settle deadline has passed): refunds `deposit − settled`.
 *
 * @example
 * ```ts
 * await closeSessionAsClient(chain, wallet, session);
 * ```
 */
export function closeSessionAsClient(chain: Chain, client: TransactionSigner, session: Address): Promise<SentTransaction> {
  return chain.sendInstructions([getCloseSessionInstruction({ caller: client, session, client: client.address })], { feePayer: client });
}

/**
 * `reclaim_session`: frees a Closed tombstone once its open slot is out of the window (rent to the client).
 *
 * @example
 * ```ts
 * await reclaimSession(chain, payer, { session, client });
 * ```
 */
export function reclaimSession(
  chain: Chain,
  payer: TransactionSigner,
  target: Readonly<{ session: Address; client: Address }>,
): Promise<SentTransaction> {
  return chain.sendInstructions([getReclaimSessionInstruction(target)], { feePayer: payer });
}

async function settleInstructions(operator: TransactionSigner, session: SessionAccount, signed: SignedVoucher) {
  const [feeVault] = await findFeeVaultPda({ shard: session.feeShard });
  return getSettleSessionInstructions({
    operator,
    server: session.server,
    session: session.address,
    feeVault,
    voucherSigner: session.voucherSigner,
    voucher: signed.bytes,
    signature: signed.signature,
  });
}

/**
 * The operator settles a voucher: `[Ed25519 verify, settle_session]` in one transaction (10,000 lamports in fees).
 *
 * @example
 * ```ts
 * await settleSession(chain, operator, { session, signed });
 * ```
 */
export async function settleSession(
  chain: Chain,
  operator: TransactionSigner,
  { session, signed }: Readonly<{ session: SessionAccount; signed: SignedVoucher }>,
): Promise<SentTransaction> {
  return chain.sendInstructions(await settleInstructions(operator, session, signed), { feePayer: operator });
}

/**
 * The cooperative close: the final settle (when a voucher above the settled amount is given) and `close_session`
 * in one transaction; the client gets `deposit − settled` back.
 *
 * @example
 * ```ts
 * await settleAndCloseSession(chain, operator, { session, signed: latest });
 * ```
 */
export async function settleAndCloseSession(
  chain: Chain,
  operator: TransactionSigner,
  { session, signed }: Readonly<{ session: SessionAccount; signed: SignedVoucher | null }>,
): Promise<SentTransaction> {
  const close = getCloseSessionInstruction({ caller: operator, session: session.address, client: session.client });
  const settle = signed ? await settleInstructions(operator, session, signed) : [];
  return chain.sendInstructions([...settle, close], { feePayer: operator });
}

/**
 * Throws `CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND` unless the session exists.
 *
 * @example
 * ```ts
 * const session = await requireSessionAccount(chain, address);
 * ```
 */
export async function requireSessionAccount(chain: Chain, address: Address): Promise<SessionAccount> {
  const session = await fetchSessionAccount(chain, address);
  if (!session) throw new ChainferenceClientError(CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, { address, account: "session" });
  return session;
}
