import type { Address, MessagePartialSigner, ReadonlyUint8Array, Signature } from "@solana/kit";
import { fetchTransactions, listSignaturesForAddress, type Chain, type ChainAccount, type HistoricalTransaction } from "../chain";
import { decryptRequestHistory, deriveKeyRoot, encodeResponseFrames, type DecryptedRequestHistory } from "../crypto";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  REQUEST_DISCRIMINATOR,
  RESPONSE_DISCRIMINATOR,
  RequestStatus,
  findResponsePda,
  getResponseDecoder,
} from "../generated";
import { requestEvents, type LocatedRequestEvent } from "./history-instructions";
import { decodeRequestAccount, type RequestAccount, type ResponseAccount } from "./request-account";
import { groupRequestLifecycles, type RequestLifecycle } from "./request-lifecycles";

/** Where a request's life ended, or where it stands. */
export type HistoryStatus = "open" | "locked" | "completed" | "cancelled" | "expired";

/** Where the locking server's X25519 key (needed for the answer) was found. */
export type LockerKeySource = "lock-instruction" | "response-account" | "request-account";

/** One request of a wallet, decrypted. A request address reused with the same nonce yields one entry per create. */
export type HistoryEntry = {
  readonly request: Address;
  readonly nonce: bigint;
  readonly createdSlot: bigint;
  readonly createSignature: Signature;
  readonly status: HistoryStatus;
  /** Expired after a server locked it (it lost the abandon penalty), as opposed to never taken. */
  readonly expiredAfterLock: boolean;
  readonly model: string;
  readonly stake: bigint;
  /** The server that locked it, if any did. */
  readonly server: Address | null;
  /** Completed: token counts from `complete_request`; the cost while the response account still holds it. */
  readonly settlement: { readonly tokensIn: number; readonly tokensOut: number; readonly cost: bigint | null } | null;
  /** Stars the client gave (1–5), if it rated. */
  readonly rating: number | null;
  readonly decrypted: DecryptedRequestHistory;
  /** The response account while it exists. */
  readonly response: ResponseAccount | null;
  readonly promptSource: "account" | "transaction-history" | "unavailable";
  readonly answerSource: "account" | "transaction-history" | null;
  readonly lockerKeySource: LockerKeySource | null;
  /** Why no prompt is shown, in words (null when it is). */
  readonly promptMissing: string | null;
  /** Why no answer (or only part of one) is shown, in words (null when the whole answer is). */
  readonly answerMissing: string | null;
};

/** Merges the wallet's rating transactions (they name the response only) into a request's own, by slot. */
function orderedTransactions(own: readonly HistoricalTransaction[], extra: readonly HistoricalTransaction[]): HistoricalTransaction[] {
  const seen = new Set(own.map((t) => t.signature));
  const merged = [...own];
  for (const tx of extra) {
    if (seen.has(tx.signature)) continue;
    // After every transaction of the same or an earlier slot: the request's own order is the chain's.
    const at = merged.findIndex((t) => t.slot > tx.slot);
    merged.splice(at < 0 ? merged.length : at, 0, tx);
  }
  return merged;
}

function decodeAccount<T>(account: ChainAccount | null | undefined, discriminator: number, decode: (a: ChainAccount) => T): T | null {
  return account && account.data.length > 0 && account.data[0] === discriminator ? decode(account) : null;
}

/** The status a lifecycle's events (and, for the live one, its account) give. */
function lifecycleStatus(life: RequestLifecycle, live: RequestAccount | null): HistoryStatus {
  if (life.end) return life.end.kind;
  if (live) return live.status === RequestStatus.Locked ? "locked" : "open";
  return life.lock ? "locked" : "open";
}

/** Why the answer is absent or partial, in words; null when the whole answer is shown. */
function answerGap(status: HistoryStatus, life: RequestLifecycle, shownChunks: number, isFinal: boolean): string | null {
  if (isFinal) return null;
  if (status === "cancelled") return "cancelled before any answer";
  if (status === "open") return "waiting for a server to take it";
  if (status === "expired")
    return life.end?.kind === "expired" && life.end.afterLock
      ? shownChunks > 0
        ? "expired: the server stopped before finishing, this is the part it wrote"
        : "expired: the server locked it but wrote no answer"
      : "expired before any server took it";
  if (status === "locked") return shownChunks > 0 ? "being answered" : "locked, no answer chunk yet";
  return "the answer is not in this endpoint's history";
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

type Located = { readonly life: RequestLifecycle; readonly latest: boolean };

/**
 * Every request a wallet made, decrypted from chain data and the wallet alone, oldest first. The requests are the
 * wallet's successful `create_request` transactions (its signature history, paged past 1,000); each request's
 * end (open, locked, completed, cancelled, expired) comes from its own transactions; the prompt from
 * `create_request` + `append_prompt` data; the answer from the response account while it lives, else from
 * `append_response` data; the locker's X25519 key from `lock_request` data, else the response account or the
 * request account. Several creates at one address
 * (a reused nonce) are separate entries. Every key comes from the wallet's key root: one wallet prompt the first
 * time per signer object, none after (`deriveKeyRoot`). Needs an endpoint that keeps transaction history.
 *
 * @example
 * for (const entry of await fetchHistory(chain, wallet)) console.log(entry.status, entry.decrypted.prompt?.messages.at(-1)?.content);
 */
export async function fetchHistory(chain: Chain, wallet: MessagePartialSigner): Promise<HistoryEntry[]> {
  const known = new Map<Signature, HistoricalTransaction | null>();
  const walletSignatures = await listSignaturesForAddress(chain, wallet.address);
  await fetchTransactions(chain, walletSignatures, known);
  const walletTransactions = walletSignatures
    .toReversed()
    .map((s) => known.get(s))
    .filter((t): t is HistoricalTransaction => !!t);
  const walletEvents = requestEvents(walletTransactions);
  const requests = [
    ...new Set(walletEvents.flatMap(({ event }) => (event.kind === "create" && event.client === wallet.address ? [event.request] : []))),
  ];
  // The wallet's ratings name the response, not the request: merged into each request's own transactions.
  const rated = new Set(walletEvents.flatMap(({ event, signature }) => (event.kind === "rate" ? [signature] : [])));
  const ratings = walletTransactions.filter((t) => rated.has(t.signature));

  // Each request's own transactions, in the chain's order (its signature history, oldest first).
  const requestSignatures = await Promise.all(requests.map((r) => listSignaturesForAddress(chain, r)));
  await fetchTransactions(chain, requestSignatures.flat(), known);
  const located: Located[] = [];
  for (const [i, request] of requests.entries()) {
    const own = requestSignatures[i]!.toReversed().flatMap((s) => known.get(s) ?? []);
    const events: LocatedRequestEvent[] = requestEvents(orderedTransactions(own, ratings));
    const lives = groupRequestLifecycles(events).filter((l) => l.request === request && l.create.client === wallet.address);
    lives.forEach((life, j) => located.push({ life, latest: j === lives.length - 1 }));
  }

  // Live accounts: each request's latest lifecycle only (earlier ones closed before the next create).
  const responses = await Promise.all(
    requests.map(async (r) => {
      const life = located.findLast((l) => l.life.request === r)?.life;
      return life?.response ?? (await findResponsePda({ request: r }))[0];
    }),
  );
  const accounts = await chain.getAccounts([...requests, ...responses]);
  const liveRequest = new Map<Address, RequestAccount>();
  const liveResponse = new Map<Address, ResponseAccount>();
  requests.forEach((r, i) => {
    const request = decodeAccount(accounts[i], REQUEST_DISCRIMINATOR, (a) => decodeRequestAccount(r, a.data));
    if (request) liveRequest.set(r, request);
    const response = decodeAccount(accounts[requests.length + i], RESPONSE_DISCRIMINATOR, (a) => ({
      ...getResponseDecoder().decode(a.data),
      address: a.address,
    }));
    if (response && response.request === r) liveResponse.set(r, response);
  });

  // The locker's key: lock data (every lock names it: the program refuses one without), else the live accounts
  // (for a lock the endpoint's history lacks).
  const lockerKeyOf = ({ life, latest }: Located): { key: ReadonlyUint8Array; source: LockerKeySource } | null => {
    if (life.lock?.x25519Key) return { key: life.lock.x25519Key, source: "lock-instruction" };
    const response = latest ? liveResponse.get(life.request) : undefined;
    if (response) return { key: response.serverKey, source: "response-account" };
    const request = latest ? liveRequest.get(life.request) : undefined;
    if (request?.status === RequestStatus.Locked) return { key: request.lockedKey, source: "request-account" };
    return null;
  };

  if (located.length === 0) return [];
  // Every key from the wallet's key root: one wallet prompt for the whole history (none if this signer already made it).
  const keyRoot = await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS);

  return located.map((l) => {
    const { life, latest } = l;
    const liveReq = latest ? (liveRequest.get(life.request) ?? null) : null;
    const response = latest ? (liveResponse.get(life.request) ?? null) : null;
    const status = lifecycleStatus(life, liveReq);
    const decrypt = (record: Omit<Parameters<typeof decryptRequestHistory>[0], "keyRoot" | "requestAddress" | "clientKey">) =>
      decryptRequestHistory({
        keyRoot,
        requestAddress: life.request,
        clientKey: life.create.clientKey,
        ...record,
      });

    const promptCiphertext = life.promptCiphertext ?? (liveReq?.sealed ? liveReq.promptCiphertext : null);
    const promptSource = life.promptCiphertext ? "transaction-history" : promptCiphertext ? "account" : "unavailable";
    let prompt: DecryptedRequestHistory["prompt"];
    let promptMissing: string | null = null;
    if (promptCiphertext) {
      try {
        prompt = decrypt({ promptCiphertext }).prompt;
      } catch (e) {
        promptMissing = `the prompt does not decrypt: ${reason(e)}`;
      }
    } else promptMissing = "the prompt was never completely written (cancelled or expired while being posted)";

    // The answer: the response account while it lives, else the append_response data.
    const fromAccount = response && response.chunkCount >= life.chunks.length && response.chunkCount > 0;
    const stream = fromAccount
      ? response.stream
      : life.chunks.length > 0
        ? encodeResponseFrames(life.chunks.map((c) => c.ciphertext))
        : null;
    const isFinal = fromAccount ? response.isFinal : life.chunks.some((c) => c.isFinal);
    const answerSource = stream ? (fromAccount ? "account" : "transaction-history") : null;
    const locker = lockerKeyOf(l);
    let answer: DecryptedRequestHistory["response"];
    let answerMissing: string | null = null;
    if (stream && locker) {
      try {
        answer = decrypt({ response: { serverKey: locker.key, stream, isFinal } }).response;
      } catch (e) {
        answerMissing = `the answer does not decrypt: ${reason(e)}`;
      }
    } else if (stream) answerMissing = "the locking server's key is no longer on chain";
    answerMissing ??= answerGap(status, life, answer?.chunks.length ?? 0, answer?.isFinal ?? false);

    const completed = life.end?.kind === "completed" ? life.end : null;
    return {
      request: life.request,
      nonce: life.create.nonce,
      createdSlot: life.createdSlot,
      createSignature: life.createSignature,
      status,
      expiredAfterLock: life.end?.kind === "expired" && life.end.afterLock,
      model: life.create.model,
      stake: life.create.stake,
      server: life.lock?.server ?? (liveReq?.status === RequestStatus.Locked ? liveReq.lockedBy : null),
      settlement: completed
        ? { tokensIn: completed.tokensIn, tokensOut: completed.tokensOut, cost: response?.completed ? response.cost : null }
        : null,
      rating: life.rating,
      decrypted: { ...(prompt ? { prompt } : {}), ...(answer ? { response: answer } : {}) },
      response,
      promptSource,
      answerSource: answer ? answerSource : null,
      lockerKeySource: answer ? (locker?.source ?? null) : null,
      promptMissing,
      answerMissing,
    };
  });
}
