/** What a settled request cost, who got what, and the transactions that did it. */
import type { Address, Signature } from "@solana/kit";
import { BPS, findResponsePda, getServerDecoder, type ResponseAccount, type Server } from "@chainference/client";
import type { Session } from "../../shared/context/session";
import type { Output } from "../../shared/output/output";
import { formatInteger, formatSol } from "../../shared/output/units";
import { formatReputation } from "../../shared/output/format-server";
import { finishReason, type FinishReason } from "../../shared/finish-reason";
import { fetchTransactionLines, formatTransactionLines, totalCost, type TransactionLine } from "./transactions";

export type SettlementReport = {
  readonly request: Address;
  readonly server: Address;
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** The prompt's token limit, and whether the answer reached it (`length`: cut short). */
  readonly maxTokens: number;
  readonly finishReason: FinishReason;
  readonly stake: bigint;
  /** Lamports charged: what the server and the protocol share. */
  readonly cost: bigint;
  readonly feeBps: number;
  /** `floor(cost × feeBps / 10000)`, to the fee vault. */
  readonly fee: bigint;
  /** `cost − fee`, to the server's operator. */
  readonly serverPayout: bigint;
  /** `stake − cost`, back to the client (with the request account's rent). */
  readonly refund: bigint;
  readonly transactions: readonly TransactionLine[];
  /** The server account after settlement (its updated reputation). */
  readonly serverAccount: Server | null;
};

/**
 * How a settled cost splits: `floor(cost × feeBps / 10000)` to the fee vault, the rest to the server's
 * operator, and `stake − cost` back to the client.
 *
 * @example
 * splitCost(1_020n, 10_000_000n, 1000); // { fee: 102n, serverPayout: 918n, refund: 9_998_980n }
 */
export function splitCost(
  cost: bigint,
  stake: bigint,
  feeBps: number,
): { readonly fee: bigint; readonly serverPayout: bigint; readonly refund: bigint } {
  const fee = (cost * BigInt(feeBps)) / BPS;
  return { fee, serverPayout: cost - fee, refund: stake - cost };
}

/**
 * Builds the report from the settled response account and chain history.
 *
 * @example
 * const report = await buildSettlementReport(session, { request, stake, feeBps, response });
 */
export async function buildSettlementReport(
  session: Session,
  input: {
    readonly request: Address;
    readonly stake: bigint;
    readonly feeBps: number;
    readonly response: ResponseAccount;
    readonly maxTokens: number;
    readonly extraSignatures?: readonly Signature[];
  },
): Promise<SettlementReport> {
  const { response } = input;
  const { fee, serverPayout, refund } = splitCost(response.cost, input.stake, input.feeBps);
  const [responseAddress] = await findResponsePda({ request: input.request });
  const [transactions, serverAccount] = await Promise.all([
    fetchTransactionLines(session, [input.request, responseAddress], input.extraSignatures ?? []),
    session.chain.getAccount(response.server),
  ]);
  return {
    request: input.request,
    server: response.server,
    tokensIn: response.tokensIn,
    tokensOut: response.tokensOut,
    maxTokens: input.maxTokens,
    finishReason: finishReason(response.tokensOut, input.maxTokens),
    stake: input.stake,
    cost: response.cost,
    feeBps: input.feeBps,
    fee,
    serverPayout,
    refund,
    transactions,
    serverAccount: serverAccount ? getServerDecoder().decode(serverAccount.data) : null,
  };
}

const amount = (label: string, lamports: bigint, note = "") =>
  `  ${label.padEnd(14)} ${formatSol(lamports, { fixed: true }).padStart(13)} SOL  (${formatInteger(lamports)} lamports${note})`;

/**
 * Prints the settlement, the transactions with their compute units and the server's reputation.
 *
 * @example
 * printSettlement(out, report, session.transactionText);
 */
export function printSettlement(out: Output, report: SettlementReport, describe: (signature: Signature) => string): void {
  out.line("Settlement");
  out.line(`  ${"tokens".padEnd(14)} ${report.tokensIn} in, ${report.tokensOut} out`);
  if (report.finishReason === "length")
    out.line(`  ${"answer".padEnd(14)} cut at --max-tokens ${report.maxTokens}: the answer above is incomplete (raise --max-tokens)`);
  out.line(amount("stake", report.stake));
  out.line(amount("cost", report.cost));
  out.line(amount("protocol fee", report.fee, `, ${report.feeBps / 100} % of cost`));
  out.line(amount("server payout", report.serverPayout));
  out.line(amount("refund", report.refund, ", plus the request account's rent"));
  out.line();
  out.line("Transactions");
  for (const line of formatTransactionLines(report.transactions, describe)) out.line(line);
  out.line();
  if (report.serverAccount) out.line(`Server ${report.server} reputation: ${formatReputation(report.serverAccount)}`);
}

/** The report as JSON. */
export function settlementJson(report: SettlementReport) {
  const total = totalCost(report.transactions);
  return {
    request: report.request,
    server: report.server,
    tokensIn: report.tokensIn,
    tokensOut: report.tokensOut,
    maxTokens: report.maxTokens,
    finish_reason: report.finishReason,
    stake: report.stake,
    cost: report.cost,
    feeBps: report.feeBps,
    fee: report.fee,
    serverPayout: report.serverPayout,
    refund: report.refund,
    transactions: report.transactions,
    totalComputeUnits: total.computeUnits,
    totalFees: total.fees,
    reputation: report.serverAccount
      ? {
          completed: report.serverAccount.completed,
          expired: report.serverAccount.expired,
          ratingSum: report.serverAccount.ratingSum,
          ratingCount: report.serverAccount.ratingCount,
          tokensOut: report.serverAccount.tokensOut,
          lamportsEarned: report.serverAccount.lamportsEarned,
        }
      : null,
  };
}
