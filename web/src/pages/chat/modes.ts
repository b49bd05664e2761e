/**
 * How a question is paid and answered. Per request: an on-chain request account, the answer streamed through
 * the chain, settled by the program (./per-request.ts). Sessions (payment channels: one open, off-chain
 * vouchers per answer, one settle) plug in here as a second `AskMode` with the same callbacks once the SDK
 * ships them; the page already offers the switch.
 */
import type { Address, Signature } from "@solana/kit";
import type { Chain, ServerWithAddress } from "@chainference/client";
import type { WalletSigner } from "@chainference/client/wallet";
import type { MessagePartialSigner } from "@solana/kit";

export type AskTerms = {
  readonly model: string;
  readonly question: string;
  readonly maxTokens: number;
  /** The servers allowed to answer (eligible ones, best first, at most 8). */
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
  /** False while the SDK does not offer the mode yet. */
  readonly available: boolean;
};

export const ASK_MODES: readonly AskModeInfo[] = [
  {
    id: "per-request",
    label: "Per request",
    description: "Each answer is its own on-chain request: streamed through the chain, settled by the program.",
    available: true,
  },
  {
    id: "session",
    label: "Session",
    description: "Cheaper: one payment channel, answers streamed off-chain and paid by signed vouchers. Coming with sessions.",
    available: false,
  },
];
