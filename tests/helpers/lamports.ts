/**
 * Exact lamport accounting. Every transaction the harness sends records the balance of every account
 * it referenced before and after; the only lamports that may leave that set are the transaction fee,
 * which LiteSVM burns (see `LAMPORTS_PER_SIGNATURE` in svm.ts). So for every transaction:
 *
 *     Σ before − Σ after == fee        (exactly, success or failure)
 *
 * and a failed transaction changes nothing but the fee payer's balance (by −fee).
 */
import type { Address } from "@solana/kit";
import type { LiteSVM } from "litesvm";
import { expect } from "vitest";
import { balanceOf, type Balances, type TxReport } from "./svm";

const sum = (balances: Balances): bigint => [...balances.values()].reduce((a, b) => a + b, 0n);

/** Σ before − Σ after == fee over every account the transaction referenced; returns the report. */
export function expectLamportsConserved(report: TxReport): TxReport {
  const burned = sum(report.before) - sum(report.after);
  expect(burned, `lamports leaving the transaction's accounts (expected exactly the ${report.fee} fee)`).toBe(report.fee);
  return report;
}

/** A failed transaction: only the fee payer moved, by exactly −fee. */
export function expectOnlyFeeCharged(report: TxReport): void {
  expectLamportsConserved(report);
  for (const [address, before] of report.before) {
    const expected = address === report.feePayer ? before - report.fee : before;
    expect(report.after.get(address), `balance of ${address} after the failed transaction`).toBe(expected);
  }
}

/** after − before for one account of the transaction (throws if the transaction did not touch it). */
export function lamportDelta(report: TxReport, address: Address): bigint {
  const before = report.before.get(address);
  const after = report.after.get(address);
  if (before === undefined || after === undefined) throw new Error(`${address} is not an account of the transaction`);
  return after - before;
}

/** Balances of chosen accounts, for checks that span several transactions. */
export type LamportSnapshot = { readonly svm: LiteSVM; readonly balances: Balances };

export function snapshotLamports(svm: LiteSVM, addresses: readonly Address[]): LamportSnapshot {
  return { svm, balances: new Map(addresses.map((a) => [a, balanceOf(svm, a)])) };
}

/** Σ(snapshot) − Σ(now) over the snapshot's accounts equals `expectedOutflow` (e.g. the fees paid). */
export function expectSumChange(snapshot: LamportSnapshot, expectedOutflow: bigint): void {
  const now = new Map([...snapshot.balances.keys()].map((a) => [a, balanceOf(snapshot.svm, a)]));
  expect(sum(snapshot.balances) - sum(now)).toBe(expectedOutflow);
}
