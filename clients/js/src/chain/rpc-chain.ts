import {
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  getBase58Encoder,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  isSolanaError,
  type SolanaError,
  lamports,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR,
  SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT,
  type Address,
  type Base64EncodedBytes,
  type Signature,
} from "@solana/kit";
import { signInstructions } from "./build-transaction";
import { failingProgram, instructionPrograms } from "./failing-program";
import type { AccountWatch, Chain, ChainAccount, HistoricalTransaction, ProgramAccountsQuery, SendOptions, SentTransaction } from "./chain";
import {
  CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED,
  CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE,
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED,
  ChainferenceClientError,
  isChainferenceClientError,
} from "../errors";
import { signatureQuery } from "./signature-history";
import { parseCustomCode, parseInstructionIndex, TransactionFailedError } from "./transaction-error";

export type RpcChainOptions = {
  /** How long to wait for a sent transaction to confirm (all resends included). */
  readonly confirmTimeoutMs?: number;
  /** Poll interval while confirming. */
  readonly pollMs?: number;
  /**
   * Retries of one RPC request after a transient failure (dropped connection, HTTP 5xx/429, a JSON-RPC
   * "internal error" or "node unhealthy"), with exponential backoff from {@link retryDelayMs}. Default 3.
   */
  readonly retries?: number;
  /** First backoff; doubles per retry, at most 2 s. Default 150 ms. */
  readonly retryDelayMs?: number;
  /** An unconfirmed transaction is broadcast again (same bytes, same signature) this often. Default 2 s. */
  readonly resendMs?: number;
  /** Times a transaction is signed anew with a fresh blockhash after the previous one expired unlanded. Default 3. */
  readonly sendAttempts?: number;
  /**
   * WebSocket endpoint for account/program subscriptions ({@link Chain.subscribeAccountChanges}); derived from
   * the HTTP URL by default as the Solana CLI does ({@link deriveWebSocketUrl}); null disables subscriptions.
   */
  readonly wsUrl?: string | null;
};

/**
 * The WebSocket URL the Solana CLI pairs with an HTTP RPC URL: http→ws, https→wss, and an explicit port
 * moves up by one (`http://127.0.0.1:8899` → `ws://127.0.0.1:8900`). Null when `url` is not http(s).
 *
 * @example
 * deriveWebSocketUrl("https://api.devnet.solana.com"); // "wss://api.devnet.solana.com/"
 */
export function deriveWebSocketUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
  if (parsed.port !== "") parsed.port = String(Number(parsed.port) + 1);
  return parsed.toString();
}

/** A thrown value's own words, for an error's context. */
const causeMessage = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * The RPC endpoint could not be reached or answered with a transport error (after the retries):
 * `CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE`.
 *
 * @example
 * throw new RpcUnreachableError("http://127.0.0.1:8899", new Error("fetch failed"), 3);
 */
export class RpcUnreachableError extends ChainferenceClientError<typeof CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE> {
  constructor(url: string, cause: unknown, attempts = 1) {
    super(CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE, { url, attempts, reason: causeMessage(cause) }, { cause });
  }

  get url(): string {
    return this.context.url;
  }

  get attempts(): number {
    return this.context.attempts;
  }
}

/**
 * The endpoint kept answering one request with a server-side JSON-RPC error (internal error, node unhealthy...):
 * `CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED`.
 *
 * @example
 * throw new RpcRequestFailedError("http://127.0.0.1:8899", "getBalance", -32603, cause, 3);
 */
export class RpcRequestFailedError extends ChainferenceClientError<typeof CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED> {
  constructor(url: string, method: string, jsonRpcCode: number | null, cause: unknown, attempts: number) {
    super(CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED, { url, method, jsonRpcCode, attempts, reason: causeMessage(cause) }, { cause });
  }

  get url(): string {
    return this.context.url;
  }

  get method(): string {
    return this.context.method;
  }

  /** The JSON-RPC error code (`code` is the SDK's). */
  get jsonRpcCode(): number | null {
    return this.context.jsonRpcCode;
  }

  get attempts(): number {
    return this.context.attempts;
  }
}

/**
 * A sent transaction neither landed nor failed within the confirmation timeout; it may still land, so check its
 * signature: `CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED`.
 *
 * @example
 * throw new TransactionNotConfirmedError(url, signature, 30_000);
 */
export class TransactionNotConfirmedError extends ChainferenceClientError<typeof CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED> {
  constructor(url: string, signature: Signature, timeoutMs: number) {
    super(CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED, { url, signature, timeoutMs });
  }

  get url(): string {
    return this.context.url;
  }

  get signature(): Signature {
    return this.context.signature;
  }

  get timeoutMs(): number {
    return this.context.timeoutMs;
  }
}

/**
 * True when `e` says the RPC endpoint failed us (unreachable, or a request it kept failing), as opposed to a
 * verdict on what was asked.
 *
 * @example
 * if (isRpcFailure(e)) console.error("check --url");
 */
export function isRpcFailure(e: unknown): e is RpcUnreachableError | RpcRequestFailedError {
  return (
    isChainferenceClientError(e, CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE) ||
    isChainferenceClientError(e, CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED)
  );
}

const isTransportError = (e: unknown): boolean => {
  if (e instanceof SyntaxError) return true; // a truncated or garbled response body
  const text = `${e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e)}`;
  return /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up|other side closed|terminated|UND_ERR|HTTP error/i.test(
    text,
  );
};

/** JSON-RPC server errors a later try may not repeat: internal error, node unhealthy / behind, block or slot not there yet. */
const TRANSIENT_JSON_RPC = new Set([-32603, -32005, -32004, -32014, -32016]);

/** Why a failed RPC request is worth another try, or null when it is a verdict. */
function transientKind(e: unknown): "transport" | "json-rpc" | null {
  if (isSolanaError(e, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR)) {
    const status = e.context.statusCode;
    return status >= 500 || status === 429 || status === 408 ? "transport" : null;
  }
  if (isSolanaError(e)) return TRANSIENT_JSON_RPC.has(e.context.__code) ? "json-rpc" : null;
  return isTransportError(e) ? "transport" : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The runtime's own name for the transaction errors a caller acts on, as LiteSVM and the RPC's JSON spell
 * them: a validator's preflight arrives through kit with a prose message instead (e.g. "Attempt to debit an
 * account but found no record of a prior credit." for `AccountNotFound`).
 */
function runtimeErrorName(err: SolanaError): string | null {
  if (isSolanaError(err, SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND)) return "AccountNotFound";
  if (isSolanaError(err, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE)) return "InsufficientFundsForFee";
  if (isSolanaError(err, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT))
    return `InsufficientFundsForRent { account_index: ${err.context.accountIndex} }`;
  return null;
}

/**
 * A {@link Chain} backed by any Solana JSON-RPC endpoint (local validator, devnet, mainnet).
 *
 * @example
 * const chain = createRpcChain("http://127.0.0.1:8899");
 * const slot = await chain.getSlot();
 */
export function createRpcChain(url: string, options: RpcChainOptions = {}): Chain {
  const rpc = createSolanaRpc(url);
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 400;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 150;
  const resendMs = options.resendMs ?? 2_000;
  const sendAttempts = options.sendAttempts ?? 3;
  const b64 = getBase64Encoder();
  const b64d = getBase64Decoder();
  const b58 = getBase58Encoder();
  const wsUrl = options.wsUrl === undefined ? deriveWebSocketUrl(url) : options.wsUrl;
  let subscriptions: ReturnType<typeof createSolanaRpcSubscriptions> | null = null;
  const toFilters = (query: ProgramAccountsQuery = {}) => [
    ...(query.dataSize === undefined ? [] : [{ dataSize: BigInt(query.dataSize) }]),
    ...(query.memcmp ?? []).map((m) => ({
      memcmp: { offset: BigInt(m.offset), bytes: b64d.decode(m.bytes) as Base64EncodedBytes, encoding: "base64" as const },
    })),
  ];
  /** Best effort: any failure (no WebSocket endpoint, dropped connection) ends the subscription silently; callers poll. */
  const subscribeAccountChanges = (watch: AccountWatch, onChange: () => void): (() => void) => {
    const abort = new AbortController();
    const follow = async (subscribe: () => Promise<AsyncIterable<unknown>>) => {
      try {
        for await (const _ of await subscribe()) {
          if (abort.signal.aborted) return;
          try {
            onChange();
          } catch {
            // A subscriber's failure is its own.
          }
        }
      } catch {
        // Fall back to the caller's polling.
      }
    };
    try {
      subscriptions ??= createSolanaRpcSubscriptions(wsUrl!);
      const subs = subscriptions;
      if ("addresses" in watch) {
        for (const address of new Set(watch.addresses))
          void follow(() =>
            subs.accountNotifications(address, { commitment: "confirmed", encoding: "base64" }).subscribe({ abortSignal: abort.signal }),
          );
      } else {
        void follow(() =>
          subs
            .programNotifications(watch.program, { commitment: "confirmed", encoding: "base64", filters: toFilters(watch.query) })
            .subscribe({ abortSignal: abort.signal }),
        );
      }
    } catch {
      // Fall back to the caller's polling.
    }
    return () => abort.abort();
  };

  /** Sends one RPC request, again after transient failures (bounded); names the failure that stays. */
  const call = async <T>(method: string, request: () => { send(): Promise<T> }, maxRetries = retries): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request().send();
      } catch (e) {
        const kind = transientKind(e);
        if (kind !== null && attempt <= maxRetries) {
          await sleep(Math.min(2_000, retryDelayMs * 2 ** (attempt - 1)));
          continue;
        }
        // Any HTTP error status names the endpoint (a 401/403/404 is a wrong URL or key, not worth a retry).
        if (kind === "transport" || isSolanaError(e, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR))
          throw new RpcUnreachableError(url, e, attempt);
        if (kind === "json-rpc")
          throw new RpcRequestFailedError(url, method, isSolanaError(e) ? Number(e.context.__code) : null, e, attempt);
        throw e;
      }
    }
  };
  type RpcAccount = { lamports: bigint; owner: Address; executable: boolean; data: readonly [Base64EncodedBytes, "base64"] };
  const toAccount = (address: Address, value: RpcAccount | null): ChainAccount | null =>
    value === null
      ? null
      : { address, lamports: BigInt(value.lamports), owner: value.owner, executable: value.executable, data: b64.encode(value.data[0]) };
  /** `programs`: the program of each instruction of the failed transaction, to name the failing one. */
  const failure = (err: unknown, logs: readonly string[], programs: readonly Address[]) => {
    // A preflight failure arrives as kit's SolanaError (instruction errors carry `index`, custom ones `code`);
    // a failed confirmation as the raw RPC JSON (`{"InstructionError":[0,{"Custom":43}]}`).
    if (isSolanaError(err)) {
      const context = err.context as { index?: number; code?: number; errorName?: string };
      const instructionIndex = context.index ?? null;
      return new TransactionFailedError({
        instructionIndex,
        customCode: isSolanaError(err, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM) ? err.context.code : null,
        programAddress: failingProgram({ instructionIndex, logs, programs }),
        reason: runtimeErrorName(err) ?? context.errorName ?? err.message,
        logs,
      });
    }
    const text = JSON.stringify(err, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    const instructionIndex = parseInstructionIndex(text);
    return new TransactionFailedError({
      instructionIndex,
      customCode: parseCustomCode(text),
      programAddress: failingProgram({ instructionIndex, logs, programs }),
      reason: text,
      logs,
    });
  };

  return {
    kind: "rpc",
    label: url,
    ...(wsUrl ? { subscribeAccountChanges } : {}),
    async getSlot() {
      return call("getSlot", () => rpc.getSlot({ commitment: "confirmed" }));
    },
    async getAccount(address) {
      const { value } = await call("getAccountInfo", () => rpc.getAccountInfo(address, { encoding: "base64", commitment: "confirmed" }));
      return toAccount(address, value as RpcAccount | null);
    },
    async getAccounts(addresses) {
      const out: (ChainAccount | null)[] = [];
      for (let i = 0; i < addresses.length; i += 100) {
        const batch = addresses.slice(i, i + 100);
        const { value } = await call("getMultipleAccounts", () =>
          rpc.getMultipleAccounts(batch, { encoding: "base64", commitment: "confirmed" }),
        );
        value.forEach((v, j) => out.push(toAccount(batch[j]!, v as RpcAccount | null)));
      }
      return out;
    },
    async getProgramAccounts(program: Address, query: ProgramAccountsQuery = {}) {
      const filters = toFilters(query);
      const accounts = await call("getProgramAccounts", () =>
        rpc.getProgramAccounts(program, { encoding: "base64", commitment: "confirmed", filters }),
      );
      return (accounts as unknown as { pubkey: Address; account: RpcAccount }[]).map((a) => toAccount(a.pubkey, a.account)!);
    },
    async getBalance(address) {
      const { value } = await call("getBalance", () => rpc.getBalance(address, { commitment: "confirmed" }));
      return BigInt(value);
    },
    async getMinimumBalanceForRentExemption(dataLength) {
      return BigInt(await call("getMinimumBalanceForRentExemption", () => rpc.getMinimumBalanceForRentExemption(BigInt(dataLength))));
    },
    async sendInstructions(instructions, { feePayer, computeUnitLimit }: SendOptions): Promise<SentTransaction> {
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        const { value: lifetime } = await call("getLatestBlockhash", () => rpc.getLatestBlockhash({ commitment: "confirmed" }));
        const tx = await signInstructions(instructions, feePayer, lifetime, computeUnitLimit);
        const programs = instructionPrograms(tx);
        const signature = getSignatureFromTransaction(tx);
        const wire = getBase64EncodedWireTransaction(tx);
        const status = async (searchTransactionHistory = false) =>
          (await call("getSignatureStatuses", () => rpc.getSignatureStatuses([signature], { searchTransactionHistory }))).value[0] ?? null;
        /** "sent", or "expired" when the node no longer knows the blockhash. Transport failures are not final: the tx may have arrived. */
        const broadcast = async (): Promise<"sent" | "expired" | "unknown"> => {
          try {
            await call("sendTransaction", () => rpc.sendTransaction(wire, { encoding: "base64", preflightCommitment: "confirmed" }));
            return "sent";
          } catch (e) {
            if (isRpcFailure(e)) return "unknown";
            const cause = (e as { cause?: unknown }).cause;
            if (isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
              // A resend of bytes that already landed: the first send (whose answer was lost) went through.
              if (isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED)) return "sent";
              if (isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)) return "expired";
            }
            // Preflight simulation failed: the error context carries the runtime error and logs.
            const context = (e as { context?: { logs?: string[] } }).context;
            throw failure(cause ?? e, context?.logs ?? [], programs);
          }
        };

        let outcome = await broadcast();
        let lastSend = Date.now();
        let landed = false;
        while (outcome !== "expired") {
          const current = await status();
          if (current?.err) {
            const meta = await call("getTransaction", () =>
              rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }),
            );
            throw failure(current.err, meta?.meta?.logMessages ?? [], programs);
          }
          if (current && (current.confirmationStatus === "confirmed" || current.confirmationStatus === "finalized")) {
            landed = true;
            break;
          }
          if (Date.now() - started > confirmTimeoutMs) throw new TransactionNotConfirmedError(url, signature, confirmTimeoutMs);
          if (current === null && Date.now() - lastSend >= resendMs) {
            // Dropped on the way or still queued: broadcast the same bytes again (idempotent by signature);
            // past its last valid block height it can never land, and a fresh blockhash is safe.
            const height = await call("getBlockHeight", () => rpc.getBlockHeight({ commitment: "confirmed" }));
            outcome = height > lifetime.lastValidBlockHeight ? "expired" : await broadcast();
            lastSend = Date.now();
            if (outcome === "expired") break;
          }
          await sleep(pollMs);
        }
        if (!landed) {
          // Expired: one last look (it may have landed just before), then sign anew with a fresh blockhash.
          const last = await status(true);
          if (last?.err) throw failure(last.err, [], programs);
          if (!last) {
            if (attempt >= sendAttempts) throw new TransactionNotConfirmedError(url, signature, Date.now() - started);
            continue;
          }
        }
        // A validator reports a signature confirmed a moment before getTransaction can serve it: wait for the
        // record rather than report slot 0 and no fee.
        let confirmed = null;
        for (let tries = 0; confirmed === null && tries < 40; tries++) {
          if (tries > 0) await sleep(Math.max(pollMs, 50));
          confirmed = await call("getTransaction", () =>
            rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }),
          );
        }
        return {
          signature,
          slot: confirmed?.slot ?? 0n,
          computeUnits: confirmed?.meta?.computeUnitsConsumed ?? null,
          fee: BigInt(confirmed?.meta?.fee ?? 0n),
          logs: confirmed?.meta?.logMessages ?? [],
        };
      }
    },
    async getSignaturesForAddress(address, query) {
      const { before, until, limit } = signatureQuery(query);
      // Failed transactions are skipped, so page on past them (cursor: the last raw signature) until `limit`
      // successful ones or the end: a short page then always means no older signature is left.
      const found: Signature[] = [];
      for (let cursor = before; found.length < limit;) {
        const asked = limit - found.length;
        const page = await call("getSignaturesForAddress", () =>
          rpc.getSignaturesForAddress(address, {
            limit: asked,
            commitment: "confirmed",
            ...(cursor ? { before: cursor } : {}),
            ...(until ? { until } : {}),
          }),
        );
        found.push(...page.filter((s) => s.err === null).map((s) => s.signature));
        if (page.length < asked) break;
        cursor = page.at(-1)!.signature;
      }
      return found;
    },
    async getTransaction(signature: Signature): Promise<HistoricalTransaction | null> {
      const tx = await call("getTransaction", () =>
        rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }),
      );
      if (!tx) return null;
      const keys = [
        ...tx.transaction.message.accountKeys,
        ...(tx.meta?.loadedAddresses?.writable ?? []),
        ...(tx.meta?.loadedAddresses?.readonly ?? []),
      ] as Address[];
      return {
        signature,
        slot: tx.slot,
        instructions: tx.transaction.message.instructions.map((ix) => ({
          programAddress: keys[ix.programIdIndex]!,
          accounts: ix.accounts.map((i) => keys[i]!),
          data: b58.encode(ix.data),
        })),
      };
    },
    async airdrop(address, amount) {
      // Not retried: a faucet request whose answer was lost may still have paid.
      const signature = await call("requestAirdrop", () => rpc.requestAirdrop(address, lamports(amount), { commitment: "confirmed" }), 0);
      const started = Date.now();
      for (;;) {
        const { value } = await call("getSignatureStatuses", () => rpc.getSignatureStatuses([signature]));
        if (value[0]?.confirmationStatus === "confirmed" || value[0]?.confirmationStatus === "finalized") return;
        if (Date.now() - started > confirmTimeoutMs) throw new Error(`airdrop to ${address} not confirmed on ${url}`);
        await sleep(pollMs);
      }
    },
  };
}
