/**
 * How a question is paid and answered. Per request: an on-chain request account, the answer streamed through
 * the chain, settled by the program (./per-request.ts). Session: one payment channel with one server, answers
 * streamed off-chain from its node and paid by vouchers, one close (./session-mode.ts, loaded on demand).
 */
import type { Address, Signature } from "@solana/kit";
import type { Chain, ServerWithAddress } from "@chainference/client";
import type { WalletSigner } from "@chainference/client/wallet";
import type { MessagePartialSigner } from "@solana/kit";

export type AskTerms = {
  readonly model: string;
  readonly question: string;
  readonly maxTokens: number;
  /** The eligible servers, best first, at most 8: the request names the first, the others stand by for hand-offs. */
  readonly servers: readonly ServerWithAddress[];
  readonly stake: bigint;
  readonly maxPriceIn: bigint;
  readonly maxPriceOut: bigint;
  readonly feeBps: number;
};

/** What an answer cost, as the program settled it. */
export type AnswerSettlement = {
  readonly server: Address;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly stake: bigint;
  readonly cost: bigint;
  readonly fee: bigint;
  readonly serverPayout: bigint;
  readonly refund: bigint;
  readonly transactions: readonly Signature[];
};

export type AskCallbacks = {
  /** The request is on-chain and open; `cancel` may be offered until a server locks it. */
  onPosted(request: Address, transactions: readonly Signature[]): void;
  /** Server `from` did not lock in time: the request now names `to` instead (the wallet's hand-off transaction). */
  onHandOff(from: Address, to: Address, transaction: Signature): void;
  onLocked(server: Address): void;
  /** One decrypted piece of the answer, in order. */
  onChunk(text: string, index: number): void;
  onSettled(settlement: AnswerSettlement): void;
  /** Cancelled (by the user) or expired before an answer. */
  onEnded(reason: "cancelled" | "expired"): void;
};

export type AskContext = {
  readonly chain: Chain;
  readonly signer: WalletSigner & MessagePartialSigner;
  readonly signal: AbortSignal;
};

export type AskModeId = "per-request" | "session";

export type AskModeInfo = {
  readonly id: AskModeId;
  readonly label: string;
  readonly description: string;
};

export const ASK_MODES: readonly AskModeInfo[] = [
  {
    id: "per-request",
    label: "Per request",
    description: "Each answer is its own on-chain request: streamed through the chain, settled by the program.",
  },
  {
    id: "session",
    label: "Session",
    description:
      "Cheaper and faster: one deposit opens a payment channel with one server; answers stream straight from its node, each paid by a voucher your browser signs; closing refunds the rest.",
  },
];
