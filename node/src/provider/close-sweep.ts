import { getAddressDecoder, getAddressEncoder, type Address, type ReadonlyUint8Array, type TransactionSigner } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  RESPONSE_DISCRIMINATOR,
  RESPONSE_SERVER_OFFSET,
  TRANSACTION_SIZE_LIMIT,
  closeResponseInstructions,
  fetchProtocolConfig,
  getResponseDecoder,
  measureTransactionSize,
  type Chain,
} from "@chainference/client";

import { describeError } from "./describe-error";
import type { NodeEvent } from "./node-events";
import type { RetryPolicy } from "./send-retry";
import { sendWithRetry } from "./send-retry";

/** setTimeout's longest delay: a longer interval sweeps this often. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A response account of this server as the sweep sees it. */
export type SweptResponse = Readonly<{
  address: Address;
  /** The account's balance: all of it goes back to the operator at close. */
  lamports: bigint;
  completed: boolean;
  completedSlot: bigint;
}>;

/**
 * The responses `close_response` accepts from anyone but the client now: completed, and `slot` past
 * `completedSlot + graceSlots` (the program's rule; a grace of u64::MAX saturates: never), oldest first.
 *
 * @example
 * closableResponses(responses, 300_000n, 216_000n); // those completed before slot 84,000
 */
export function closableResponses(responses: readonly SweptResponse[], slot: bigint, graceSlots: bigint): SweptResponse[] {
  const U64_MAX = 2n ** 64n - 1n;
  const due = (r: SweptResponse) => {
    const end = r.completedSlot + graceSlots;
    return slot > (end > U64_MAX ? U64_MAX : end);
  };
  return responses
    .filter((r) => r.completed && due(r))
    .sort((a, b) => (a.completedSlot < b.completedSlot ? -1 : a.completedSlot > b.completedSlot ? 1 : 0));
}

/** Distinct placeholder addresses (the size depends on how many distinct accounts, not which): `i + 1` in the last bytes. */
function placeholder(i: number): Address {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(28, i + 1);
  return getAddressDecoder().decode(bytes);
}

/**
 * How many `close_response` instructions one transaction of the operator holds under Solana's 1,232-byte
 * limit (v0 message, the operator signing and receiving, the config shared): each close adds its response's
 * address (32 bytes) and an 8-byte instruction, so 25 fit.
 *
 * @example
 * const perTransaction = await getMaxClosesPerTransaction(operator); // 25
 */
export async function getMaxClosesPerTransaction(operator: TransactionSigner): Promise<number> {
  let count = 1;
  for (;;) {
    const next = await closeResponseInstructions(
      operator,
      Array.from({ length: count + 1 }, (_, i) => placeholder(i)),
    );
    if (measureTransactionSize(next, operator) > TRANSACTION_SIZE_LIMIT) return count;
    count += 1;
  }
}

/**
 * This server's response accounts (memcmp on the discriminator and `response.server`), with what the sweep
 * needs of each.
 */
export async function fetchServerResponses(chain: Chain, server: Address): Promise<SweptResponse[]> {
  const accounts = await chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, {
    memcmp: [
      { offset: 0, bytes: Uint8Array.of(RESPONSE_DISCRIMINATOR) },
      { offset: RESPONSE_SERVER_OFFSET, bytes: getAddressEncoder().encode(server) },
    ],
  });
  return accounts.map((account) => sweptResponse(account.address, account));
}

/** What the sweep needs of one response account. */
function sweptResponse(
  address: Address,
  account: Readonly<{ lamports: bigint; data: ReadonlyUint8Array }>,
): SweptResponse & { server: Address } {
  const response = getResponseDecoder().decode(account.data);
  return {
    address,
    lamports: account.lamports,
    completed: response.completed,
    completedSlot: response.completedSlot,
    server: response.server,
  };
}

/** What one sweep did: responses closed, rent returned to the operator, fees paid, transactions sent. */
export type SweepResult = Readonly<{ closed: number; rentLamports: bigint; fee: bigint; transactions: number }>;

/** A response due for `close_response`, taken for one settlement's transaction. */
export type TakenClose = Readonly<{ address: Address; lamports: bigint }>;

/**
 * Closes riding along: the responses of this server past the grace period, for the spare room of a settlement's
 * transaction (`close_response` after `complete_request`: no transaction of their own).
 */
export type ClosesAlong = Readonly<{
  /** Up to `max` due responses, oldest first, checked on-chain; each is taken by one transaction at a time. */
  take(max: number): Promise<TakenClose[]>;
  /**
   * What became of taken responses: `closed` (reported as `responses-closed` beside `request`'s settlement),
   * `retry` (back to the backlog: the transaction failed or its fate is unknown), `drop` (a close failed: left
   * to the next sweep's fresh read).
   */
  release(taken: readonly TakenClose[], outcome: "closed" | "retry" | "drop", request?: Address): void;
  /** This node completed `response` at `slot`: it is due once the grace period has passed. */
  completed(response: Address, slot: bigint): void;
}>;

/** The close sweep of a running node (docs/provider-node.md "Close sweep"). */
export type CloseSweep = Readonly<{
  /** Closes every response of this server past the grace period, up to {@link getMaxClosesPerTransaction} per transaction. */
  sweep(): Promise<SweepResult>;
  /** The backlog settlements close along with them (filled by this node's completions and the sweep's reads). */
  along: ClosesAlong;
  /** Reads this server's responses into the backlog, and arms the sweep timer (when an interval is set). */
  start(): void;
  stop(): void;
}>;

/**
 * Creates the close sweep of one node: every `intervalMs` it reads this server's responses, and those completed
 * and past the Config's `close_grace_slots` are closed in as few transactions as possible (the operator signs
 * as caller and receives the rent), each reported as a `responses-closed` event. A failed batch is reported and
 * left for the next sweep; sweeps never overlap.
 *
 * @example
 * const sweeper = createCloseSweep({ chain, operator, server, emit, retry, intervalMs: 3_600_000 });
 */
export function createCloseSweep(input: {
  readonly chain: Chain;
  readonly operator: TransactionSigner;
  readonly server: Address;
  readonly emit: (event: NodeEvent) => void;
  readonly retry: RetryPolicy;
  /** Sweep every this many ms; null = only on demand (and at a drained stop). */
  readonly intervalMs: number | null;
}): CloseSweep {
  const { chain, operator, server, emit, retry } = input;
  let perTransaction: Promise<number> | null = null;
  let running: Promise<SweepResult> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** Completed responses not closed yet, by completion slot: what settlements close along. */
  const backlog = new Map<Address, bigint>();
  /** Taken by a settlement's transaction in flight: neither taken again nor swept meanwhile. */
  const inFlight = new Set<Address>();
  let graceSlots: bigint | null = null;

  const remember = (responses: readonly SweptResponse[]): void => {
    for (const r of responses) if (r.completed && !inFlight.has(r.address)) backlog.set(r.address, r.completedSlot);
  };

  const sweepOnce = async (): Promise<SweepResult> => {
    perTransaction ??= getMaxClosesPerTransaction(operator);
    const [responses, slot, config, max] = await Promise.all([
      fetchServerResponses(chain, server),
      chain.getSlot(),
      fetchProtocolConfig(chain),
      perTransaction,
    ]);
    graceSlots = config.closeGraceSlots;
    remember(responses);
    const due = closableResponses(
      responses.filter((r) => !inFlight.has(r.address)),
      slot,
      config.closeGraceSlots,
    );
    let result = { closed: 0, rentLamports: 0n, fee: 0n, transactions: 0 };
    for (let start = 0; start < due.length; start += max) {
      const batch = due.slice(start, start + max);
      try {
        const instructions = await closeResponseInstructions(
          operator,
          batch.map((r) => r.address),
        );
        const sent = await sendWithRetry(() => chain.sendInstructions(instructions, { feePayer: operator }), retry("close_response", null));
        const rentLamports = batch.reduce((sum, r) => sum + r.lamports, 0n);
        for (const r of batch) backlog.delete(r.address);
        emit({ type: "responses-closed", responses: batch.map((r) => r.address), rentLamports, fee: sent.fee });
        result = {
          closed: result.closed + batch.length,
          rentLamports: result.rentLamports + rentLamports,
          fee: result.fee + sent.fee,
          transactions: result.transactions + 1,
        };
      } catch (error) {
        emit({ type: "error", where: `closing ${batch.length} response(s)`, error: describeError(error) });
      }
    }
    return result;
  };

  const sweep = (): Promise<SweepResult> => {
    running ??= sweepOnce().finally(() => (running = null));
    return running;
  };

  const along: ClosesAlong = {
    async take(max) {
      if (max <= 0 || backlog.size === 0) return [];
      const [slot, grace] = await Promise.all([
        chain.getSlot(),
        graceSlots ?? fetchProtocolConfig(chain).then((config) => (graceSlots = config.closeGraceSlots)),
      ]);
      const candidates = closableResponses(
        [...backlog].map(([address, completedSlot]) => ({ address, lamports: 0n, completed: true, completedSlot })),
        slot,
        grace,
      ).slice(0, max);
      if (candidates.length === 0) return [];
      for (const c of candidates) backlog.delete(c.address);
      // The chain has the last word: a response closed meanwhile (by its client, a sweep of another run) is gone.
      const accounts = await chain.getAccounts(candidates.map((c) => c.address));
      const onChain = candidates.flatMap((c, i) => {
        const account = accounts[i];
        if (!account || account.data[0] !== RESPONSE_DISCRIMINATOR) return [];
        const response = sweptResponse(c.address, account);
        return response.server === server ? [response] : [];
      });
      const due = closableResponses(onChain, slot, grace);
      remember(onChain.filter((r) => !due.includes(r)));
      for (const r of due) inFlight.add(r.address);
      return due.map((r) => ({ address: r.address, lamports: r.lamports }));
    },
    release(taken, outcome, request) {
      for (const t of taken) inFlight.delete(t.address);
      if (outcome === "retry") for (const t of taken) backlog.set(t.address, 0n);
      if (outcome === "closed" && taken.length > 0)
        emit({
          type: "responses-closed",
          responses: taken.map((t) => t.address),
          rentLamports: taken.reduce((sum, t) => sum + t.lamports, 0n),
          fee: 0n,
          ...(request ? { alongWith: request } : {}),
        });
    },
    completed(response, slot) {
      if (!inFlight.has(response)) backlog.set(response, slot);
    },
  };

  const arm = (): void => {
    if (input.intervalMs === null) return;
    timer = setTimeout(
      () => {
        sweep()
          .catch((error: unknown) => emit({ type: "error", where: "sweeping closable responses", error: describeError(error) }))
          .finally(() => {
            if (timer !== null) arm();
          });
      },
      Math.min(input.intervalMs, MAX_TIMER_MS),
    );
    timer.unref?.();
  };

  return {
    sweep,
    along,
    start() {
      fetchServerResponses(chain, server)
        .then(remember)
        .catch((error: unknown) => emit({ type: "error", where: "reading this server's responses", error: describeError(error) }));
      arm();
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
