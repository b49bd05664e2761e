/** A server's on-chain events (what moved its reputation counters), from the endpoint's transaction history. */
import type { Address, Signature } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, ChainferenceInstruction, identifyChainferenceInstruction, type Chain } from "@chainference/client";

const EVENT_NAMES: Partial<Record<ChainferenceInstruction, string>> = {
  [ChainferenceInstruction.RegisterServer]: "registered",
  [ChainferenceInstruction.UpdateServer]: "updated its listing",
  [ChainferenceInstruction.LockRequest]: "locked a request",
  [ChainferenceInstruction.CompleteRequest]: "completed a request",
  [ChainferenceInstruction.ExpireRequest]: "missed a deadline (expired)",
  [ChainferenceInstruction.RateServer]: "was rated",
};

export type ServerEvent = { readonly signature: Signature; readonly slot: bigint; readonly what: string };

/** The server's recent program events, newest first (what moved its counters). */
export async function serverEvents(chain: Chain, server: Address): Promise<ServerEvent[]> {
  const signatures = await chain.getSignaturesForAddress(server, 50);
  const events: ServerEvent[] = [];
  for (const signature of signatures) {
    const tx = await chain.getTransaction(signature);
    for (const ix of tx?.instructions ?? []) {
      if (ix.programAddress !== CHAINFERENCE_PROGRAM_ADDRESS) continue;
      let what: string | undefined;
      try {
        what = EVENT_NAMES[identifyChainferenceInstruction(ix.data)];
      } catch {
        what = undefined;
      }
      if (what) events.push({ signature, slot: tx!.slot, what });
    }
  }
  return events;
}
