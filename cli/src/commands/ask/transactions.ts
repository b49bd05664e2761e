/** The transactions of one request, read back from chain history, with compute units and fees. */
import type { Address, Signature } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, ChainferenceInstruction, identifyChainferenceInstruction } from "@chainference/client";
import type { Session } from "../../shared/context/session";
import { formatInteger, formatSol } from "../../shared/output/units";

/** One landed transaction, named after its Chainference instruction. */
export type TransactionLine = {
  readonly signature: Signature;
  readonly slot: bigint;
  /** snake_case instruction name, e.g. `append_response`; `other` for non-Chainference transactions. */
  readonly instruction: string;
  /** Who sent it: the client, the server's operator, or anyone (expire). */
  readonly by: "client" | "server" | "admin" | "anyone";
  readonly computeUnits: bigint | null;
  readonly fee: bigint | null;
  /** Explorer link on real clusters. */
  readonly link: string | null;
};

const SENDER: Partial<Record<ChainferenceInstruction, TransactionLine["by"]>> = {
  [ChainferenceInstruction.CreateRequest]: "client",
  [ChainferenceInstruction.AppendPrompt]: "client",
  [ChainferenceInstruction.CancelRequest]: "client",
  [ChainferenceInstruction.RateServer]: "client",
  [ChainferenceInstruction.CloseResponse]: "client",
  [ChainferenceInstruction.LockRequest]: "server",
  [ChainferenceInstruction.AppendResponse]: "server",
  [ChainferenceInstruction.CompleteRequest]: "server",
  [ChainferenceInstruction.RegisterServer]: "server",
  [ChainferenceInstruction.UpdateServer]: "server",
  [ChainferenceInstruction.InitializeConfig]: "admin",
  [ChainferenceInstruction.UpdateConfig]: "admin",
  [ChainferenceInstruction.WithdrawFees]: "admin",
};

/** The order instructions happen in over a request's life (ties within one slot). */
const LIFECYCLE: readonly ChainferenceInstruction[] = [
  ChainferenceInstruction.CreateRequest,
  ChainferenceInstruction.AppendPrompt,
  ChainferenceInstruction.CancelRequest,
  ChainferenceInstruction.LockRequest,
  ChainferenceInstruction.AppendResponse,
  ChainferenceInstruction.CompleteRequest,
  ChainferenceInstruction.ExpireRequest,
  ChainferenceInstruction.RateServer,
  ChainferenceInstruction.CloseResponse,
];

/** `CreateRequest` → `create_request`. */
export function instructionName(kind: ChainferenceInstruction): string {
  return ChainferenceInstruction[kind].replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}

/**
 * Every transaction that touched `addresses` (oldest first, each once), named and costed.
 *
 * @example
 * const lines = await fetchTransactionLines(session, [request, response]);
 */
export async function fetchTransactionLines(
  session: Session,
  addresses: readonly Address[],
  extra: readonly Signature[] = [],
): Promise<TransactionLine[]> {
  // History lists are newest first: a signature's recency orders transactions that share a slot.
  const recency = new Map<Signature, number>();
  for (const address of addresses) {
    const list = await session.chain.getSignaturesForAddress(address);
    list.forEach((s, i) => recency.set(s, Math.max(recency.get(s) ?? 0, list.length - i)));
  }
  for (const s of extra) if (!recency.has(s)) recency.set(s, 0);
  const lines = await Promise.all(
    [...recency.keys()].map(async (signature): Promise<TransactionLine & { rank: number }> => {
      const [tx, cost] = await Promise.all([session.chain.getTransaction(signature), session.transactionCost(signature)]);
      // A transaction may carry several of the program's instructions (the node sends lock_request with the first
      // chunk and the final chunk with complete_request): named by all of them, sent by the first's sender,
      // ordered by the last's place in the lifecycle.
      const ixs = tx?.instructions.filter((i) => i.programAddress === CHAINFERENCE_PROGRAM_ADDRESS) ?? [];
      let instruction = "other";
      let by: TransactionLine["by"] = "anyone";
      let rank = LIFECYCLE.length;
      if (ixs.length > 0) {
        try {
          const kinds = ixs.map((i) => identifyChainferenceInstruction(i.data));
          instruction = kinds.map(instructionName).join(" + ");
          by = SENDER[kinds[0]!] ?? "anyone";
          const last = LIFECYCLE.indexOf(kinds.at(-1)!);
          rank = last === -1 ? LIFECYCLE.length : last;
        } catch {
          instruction = "unknown";
        }
      }
      return {
        signature,
        slot: tx?.slot ?? 0n,
        instruction,
        by,
        computeUnits: cost.computeUnits,
        fee: cost.fee,
        link: session.explorerLink(signature),
        rank,
      };
    }),
  );
  // Slot first; within a slot the request's lifecycle order, then recency.
  return lines
    .sort((a, b) =>
      a.slot !== b.slot
        ? a.slot < b.slot
          ? -1
          : 1
        : a.rank !== b.rank
          ? a.rank - b.rank
          : (recency.get(a.signature) ?? 0) - (recency.get(b.signature) ?? 0),
    )
    .map(({ rank: _rank, ...line }) => line);
}

/** Sums over transaction lines (unknown values count as zero). */
export function totalCost(lines: readonly TransactionLine[]): { readonly computeUnits: bigint; readonly fees: bigint } {
  return lines.reduce((t, l) => ({ computeUnits: t.computeUnits + (l.computeUnits ?? 0n), fees: t.fees + (l.fee ?? 0n) }), {
    computeUnits: 0n,
    fees: 0n,
  });
}

/**
 * Text lines for a transaction list: instruction, sender, CU, fee, then the transaction as `describe` names it
 * (the session's {@link Session.transactionText}: a link on public clusters, a short signature on local ones).
 */
export function formatTransactionLines(lines: readonly TransactionLine[], describe: (signature: Signature) => string): string[] {
  const width = Math.max(...lines.map((l) => l.instruction.length), 11);
  const rows = lines.map((l) => {
    const cu = l.computeUnits === null ? "? CU" : `${formatInteger(l.computeUnits)} CU`;
    const fee = l.fee === null ? "" : `fee ${formatSol(l.fee)} SOL`;
    return `  ${l.instruction.padEnd(width)}  ${l.by.padEnd(6)}  ${cu.padStart(10)}  ${fee.padEnd(20)}  ${describe(l.signature)}`;
  });
  const total = totalCost(lines);
  rows.push(
    `  ${"total".padEnd(width)}  ${`${lines.length} tx`.padEnd(6)}  ${`${formatInteger(total.computeUnits)} CU`.padStart(10)}  fee ${formatSol(total.fees)} SOL`,
  );
  return rows;
}
