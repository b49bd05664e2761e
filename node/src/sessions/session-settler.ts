import type { Signature } from "@solana/kit";

import type { SessionServeConfig } from "../config/node-config";
import { describeError } from "../provider/describe-error";
import type { SessionBook, SessionEntry } from "./session-book";
import type { SessionLedger, SessionView } from "./session-ledger";

/** What the settler reports. */
export type SettlerEvent =
  | Readonly<{ type: "session-settled"; session: string; lamports: bigint; delta: bigint; fee: bigint; reason: SettleReason }>
  | Readonly<{ type: "session-closed"; session: string; settledLamports: bigint; fee: bigint }>
  | Readonly<{ type: "error"; where: string; error: string }>;

/** Why a settle was sent. */
export type SettleReason = "threshold" | "interval" | "deadline" | "closing";

/**
 * Why the node should settle `entry` now, or null: its accepted voucher is above the settled amount, the session can
 * still be settled (`slot < settle deadline`), and the amount passed the threshold, the interval passed, the
 * deadline is within the margin, or the client asked to close.
 *
 * @example
 * settleReason({ entry, view, slot, nowMs: Date.now(), policy: config.sessions }); // "threshold" | … | null
 */
export function settleReason(input: {
  entry: SessionEntry;
  view: SessionView;
  slot: bigint;
  nowMs: number;
  policy: Pick<SessionServeConfig, "settleThresholdLamports" | "settleIntervalMs" | "settleMarginSlots">;
}): SettleReason | null {
  const { entry, view, slot, policy } = input;
  const voucher = entry.voucher?.voucher;
  if (!voucher || entry.closed || view.status === "closed") return null;
  const settled = entry.settledLamports > view.settledLamports ? entry.settledLamports : view.settledLamports;
  if (voucher.lamports <= settled || slot >= view.settleDeadlineSlot) return null;
  if (view.status === "closing") return "closing";
  if (slot + BigInt(policy.settleMarginSlots) >= view.settleDeadlineSlot) return "deadline";
  if (voucher.lamports - settled >= policy.settleThresholdLamports) return "threshold";
  if (entry.unsettledSince !== null && input.nowMs - entry.unsettledSince >= policy.settleIntervalMs) return "interval";
  return null;
}

/** A cooperative close sent: its transaction and the session's settled total after it. */
export type CloseReceipt = Readonly<{ signature: Signature; settledLamports: bigint }>;

/** The node's settle schedule. */
export type SessionSettler = Readonly<{
  /** Looks at every session with an unsettled voucher once and settles those due (what the timer runs). */
  tick(): Promise<void>;
  /** Cooperative close of every session this node served that is still open: final settle + close in one transaction. */
  closeAll(): Promise<void>;
  /**
   * Cooperative close of one session (the client asked for it): the final settle, when the latest voucher is above the
   * settled amount, and `close_session` in one transaction, after any settle in flight. Throws when it fails.
   */
  close(entry: SessionEntry, view: SessionView): Promise<CloseReceipt>;
  start(): void;
  stop(): Promise<void>;
}>;

/**
 * Settles on a schedule: every `tickMs` it reads the Session account of each entry with an unsettled voucher and
 * settles when {@link settleReason} says so. One tick at a time; failures are reported and retried next tick.
 *
 * @example
 * const settler = createSessionSettler({ ledger, book, policy: config.sessions, emit });
 * settler.start();
 */
export function createSessionSettler(input: {
  ledger: SessionLedger;
  book: SessionBook;
  policy: SessionServeConfig;
  emit: (event: SettlerEvent) => void;
  tickMs?: number;
}): SessionSettler {
  const { ledger, book, policy, emit } = input;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<void> = Promise.resolve();

  async function settleOne(entry: SessionEntry, slot: bigint): Promise<void> {
    const view = await ledger.fetchSession(entry.session);
    if (!view) return;
    const reason = settleReason({ entry, view, slot, nowMs: Date.now(), policy });
    if (reason === null || !entry.voucher) return;
    const voucher = entry.voucher;
    const settledBefore = entry.settledLamports > view.settledLamports ? entry.settledLamports : view.settledLamports;
    const receipt = await ledger.settle(view, voucher);
    entry.settledLamports = voucher.voucher.lamports;
    entry.unsettledSince = entry.voucher.voucher.lamports > entry.settledLamports ? Date.now() : null;
    await book.save(entry);
    emit({
      type: "session-settled",
      session: entry.session,
      lamports: voucher.voucher.lamports,
      delta: voucher.voucher.lamports - settledBefore,
      fee: receipt.fee,
      reason,
    });
  }

  async function tickOnce(): Promise<void> {
    const due = book.entries().filter((e) => !e.closed && e.voucher && e.voucher.voucher.lamports > e.settledLamports);
    if (due.length === 0) return;
    const slot = await ledger.getSlot();
    for (const entry of due) {
      try {
        await settleOne(entry, slot);
      } catch (error) {
        emit({ type: "error", where: `settling session ${entry.session}`, error: describeError(error) });
      }
    }
  }

  const tick = () => (running = running.then(tickOnce, tickOnce));

  async function closeOne(entry: SessionEntry): Promise<void> {
    const view = await ledger.fetchSession(entry.session);
    if (!view || view.status === "closed") {
      entry.closed = true;
      await book.save(entry);
      return;
    }
    await settleAndClose(entry, view);
  }

  async function settleAndClose(entry: SessionEntry, view: SessionView): Promise<CloseReceipt> {
    const settled = entry.settledLamports > view.settledLamports ? entry.settledLamports : view.settledLamports;
    const slot = await ledger.getSlot();
    const voucher = entry.voucher && entry.voucher.voucher.lamports > settled && slot < view.settleDeadlineSlot ? entry.voucher : null;
    const receipt = await ledger.settleAndClose(view, voucher);
    entry.closed = true;
    if (voucher) entry.settledLamports = voucher.voucher.lamports;
    entry.unsettledSince = null;
    await book.save(entry);
    const settledLamports = voucher ? voucher.voucher.lamports : settled;
    emit({ type: "session-closed", session: entry.session, settledLamports, fee: receipt.fee });
    return { signature: receipt.signature, settledLamports };
  }

  return {
    tick,
    async closeAll() {
      await running;
      for (const entry of book.entries().filter((e) => !e.closed)) {
        try {
          await closeOne(entry);
        } catch (error) {
          emit({ type: "error", where: `closing session ${entry.session}`, error: describeError(error) });
        }
      }
    },
    close(entry, view) {
      const closing = running.then(() => settleAndClose(entry, view));
      running = closing.then(
        () => undefined,
        () => undefined,
      );
      return closing;
    },
    start() {
      timer ??= setInterval(() => void tick(), input.tickMs ?? Math.min(2_000, policy.settleIntervalMs));
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
