import type { Address } from "@solana/kit";
import { tokenCost } from "@chainference/client";
import {
  decodeVoucher,
  verifySessionAsk,
  verifyVoucherSignature,
  ZERO_SESSION_TOTALS,
  type SessionAskBody,
  type SessionErrorCode,
  type SessionTotals,
  type SignedVoucher,
  type Voucher,
} from "@chainference/client/sessions";

import type { SessionView } from "./session-ledger";
import type { SessionStore, StoredSession } from "./session-store";

/** What the node tracks for one session while it runs. */
export type SessionEntry = {
  readonly session: Address;
  /** Totals of the latest accepted voucher. */
  paid: SessionTotals;
  voucher: SignedVoucher | null;
  /** Totals the node asked vouchers for (the answer in progress included). */
  billed: SessionTotals;
  /** Work delivered in earlier answers and never paid: it counts against the credit window for good. */
  arrears: bigint;
  nextAnswer: number;
  settledLamports: bigint;
  /** When the first voucher above the settled amount arrived (ms), for the time-based settle. */
  unsettledSince: number | null;
  answering: boolean;
  closed: boolean;
  /** The Session account as last read (its voucher signer never changes; its deposit only grows). */
  view: SessionView | null;
  /** Called when a voucher is accepted (paused answers wait on it). */
  readonly waiters: Set<() => void>;
  /** Saves of this entry, in order. */
  saving: Promise<void>;
};

/** A refusal: the protocol's code and a message for the client. */
export type Refusal = Readonly<{ code: SessionErrorCode; message: string }>;

/** Every session the node has served, by address, backed by the durable store. */
export type SessionBook = Readonly<{
  get(session: Address): SessionEntry | undefined;
  getOrCreate(session: Address): SessionEntry;
  entries(): readonly SessionEntry[];
  /** Persists the entry's voucher, next answer, settled amount and closed flag (saves of one entry stay in order). */
  save(entry: SessionEntry): Promise<void>;
}>;

function fromStored(stored: StoredSession): SessionEntry {
  const paid = stored.voucher ? totalsOf(stored.voucher.voucher) : ZERO_SESSION_TOTALS;
  return {
    session: stored.session,
    paid,
    voucher: stored.voucher,
    billed: paid,
    arrears: 0n,
    nextAnswer: stored.nextAnswer,
    settledLamports: stored.settledLamports,
    unsettledSince: stored.voucher && stored.voucher.voucher.lamports > stored.settledLamports ? Date.now() : null,
    answering: false,
    closed: stored.closed,
    view: null,
    waiters: new Set(),
    saving: Promise.resolve(),
  };
}

const totalsOf = (v: Voucher): SessionTotals => ({ lamports: v.lamports, tokens: v.tokens, answers: v.answers });

/**
 * The book, loaded from `store`.
 *
 * @example
 * const book = await openSessionBook(createSessionStore(dir));
 */
export async function openSessionBook(store: SessionStore): Promise<SessionBook> {
  const entries = new Map<Address, SessionEntry>();
  for (const stored of await store.load()) entries.set(stored.session, fromStored(stored));
  return {
    get: (session) => entries.get(session),
    getOrCreate(session) {
      let entry = entries.get(session);
      if (!entry) {
        entry = fromStored({ session, voucher: null, nextAnswer: 0, settledLamports: 0n, closed: false });
        entries.set(session, entry);
      }
      return entry;
    },
    entries: () => [...entries.values()],
    save(entry) {
      const snapshot: StoredSession = {
        session: entry.session,
        voucher: entry.voucher,
        nextAnswer: entry.nextAnswer,
        settledLamports: entry.settledLamports,
        closed: entry.closed,
      };
      entry.saving = entry.saving.catch(() => undefined).then(() => store.save(snapshot));
      return entry.saving;
    },
  };
}

/**
 * Checks an ask against the Session account and what the node knows, in the order the spec lists: the session is
 * Open, for this server, for a served model, at a key epoch the keyring knows, signed by the voucher signer, with a
 * fresh answer index, no answer in progress, and room in the credit window for the prompt's reserve.
 *
 * @example
 * const refusal = judgeAsk({ view, session, server, served: true, knownEpochs: [1], ask, entry, creditWindow, promptReserve, firstTokenCost });
 */
export function judgeAsk(input: {
  view: SessionView;
  session: Address;
  server: Address;
  served: boolean;
  knownEpochs: readonly number[];
  ask: SessionAskBody;
  entry: SessionEntry;
  creditWindow: bigint;
  promptReserve: bigint;
  /** What the first answer token costs: an ask is taken only with room for it. */
  firstTokenCost: bigint;
}): Refusal | null {
  const { view, ask, entry } = input;
  if (view.status !== "open") return { code: "session_not_open", message: `session ${input.session} is ${view.status}` };
  if (entry.closed) return { code: "session_not_open", message: `session ${input.session} is closing: its node is closing it` };
  if (view.server !== input.server)
    return { code: "wrong_server", message: `session ${input.session} pays server ${view.server}, not ${input.server}` };
  if (!input.served) return { code: "model_not_served", message: `this node does not serve ${view.modelId}@${view.revision || "any"}` };
  if (ask.keyEpoch !== view.keyEpoch || !input.knownEpochs.includes(ask.keyEpoch))
    return {
      code: "unknown_key_epoch",
      message: `key epoch ${ask.keyEpoch}: the session was opened at epoch ${view.keyEpoch} (known: ${input.knownEpochs.join(", ")})`,
    };
  const signed = verifySessionAsk({
    ask: { session: input.session, answer: ask.answer, clientKey: ask.clientKey, keyEpoch: ask.keyEpoch, promptFrame: ask.prompt },
    signature: ask.signature,
    voucherSigner: view.voucherSigner,
  });
  if (!signed) return { code: "bad_signature", message: `the ask is not signed by the session's voucher signer ${view.voucherSigner}` };
  if (ask.answer < entry.nextAnswer)
    return { code: "answer_replayed", message: `answer ${ask.answer} was already asked (next is ${entry.nextAnswer})` };
  if (entry.answering) return { code: "answer_in_progress", message: "an answer of this session is streaming; ask again when it is done" };
  const owed = entry.arrears + (entry.billed.lamports > entry.paid.lamports ? entry.billed.lamports - entry.paid.lamports : 0n);
  if (owed + input.promptReserve + input.firstTokenCost > input.creditWindow)
    return {
      code: "payment_required",
      message: `unpaid ${owed} lamports (billed ${entry.billed.lamports}, paid ${entry.paid.lamports}) plus this prompt's reserve ${input.promptReserve} and one answer token leave no room in the credit window ${input.creditWindow}`,
    };
  return null;
}

/**
 * Checks a voucher: well-formed, for this session, signed by its voucher signer, at most the deposit, ahead of the
 * latest accepted one (more lamports, or as many with more tokens or answers, never less of any), and at most what
 * the node billed. Returns the voucher or the refusal.
 *
 * @example
 * const verdict = judgeVoucher({ session, view, entry, bytes, signature });
 */
export function judgeVoucher(input: {
  session: Address;
  view: SessionView;
  entry: SessionEntry;
  bytes: Uint8Array;
  signature: Uint8Array;
}): { voucher: Voucher } | Refusal {
  const { view, entry } = input;
  let voucher: Voucher;
  try {
    voucher = decodeVoucher(input.bytes);
  } catch (error) {
    return { code: "voucher_invalid", message: (error as Error).message };
  }
  if (voucher.session !== input.session)
    return { code: "voucher_wrong_session", message: `the voucher names session ${voucher.session}, not ${input.session}` };
  if (!verifyVoucherSignature({ bytes: input.bytes, signature: input.signature, voucherSigner: view.voucherSigner }))
    return { code: "voucher_bad_signature", message: `the voucher is not signed by the session's voucher signer ${view.voucherSigner}` };
  if (voucher.lamports > view.deposit)
    return { code: "voucher_above_deposit", message: `${voucher.lamports} lamports is above the deposit ${view.deposit}` };
  const { paid, billed } = entry;
  const notBehind = voucher.lamports >= paid.lamports && voucher.tokens >= paid.tokens && voucher.answers >= paid.answers;
  const ahead = voucher.lamports > paid.lamports || voucher.tokens > paid.tokens || voucher.answers > paid.answers;
  if (!notBehind || !ahead)
    return {
      code: "voucher_not_increasing",
      message: `the voucher (${voucher.lamports} lamports, ${voucher.tokens} tokens, ${voucher.answers} answers) is not ahead of the accepted one (${paid.lamports}, ${paid.tokens}, ${paid.answers})`,
    };
  if (voucher.lamports > billed.lamports || voucher.tokens > billed.tokens || voucher.answers > billed.answers)
    return {
      code: "voucher_above_billed",
      message: `the voucher (${voucher.lamports} lamports, ${voucher.tokens} tokens, ${voucher.answers} answers) is above what this node billed (${billed.lamports}, ${billed.tokens}, ${billed.answers})`,
    };
  return { voucher };
}

/**
 * Most lamports a prompt of `promptBytes` can cost (`tokens_in ≤ prompt bytes`): reserved in the credit window
 * until the answer's final bill names the real count.
 *
 * @example
 * promptReserve(1_200, 1_000_000n); // 1_200n
 */
export function promptReserve(promptBytes: number, priceIn: bigint): bigint {
  return tokenCost(BigInt(promptBytes), priceIn);
}
