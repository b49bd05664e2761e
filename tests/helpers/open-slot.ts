/** Waiting on a real-time chain until a session's open slot is out of the program's window. Never imports vitest. */
import type { Address } from "@solana/kit";
import { type Chain } from "@chainference/client";
import { requireSessionAccount } from "@chainference/client/sessions";

/** The program's OPEN_SLOT_WINDOW (docs/sessions.md § 1). */
const OPEN_SLOT_WINDOW = 150n;

/** Resolves once `slot > open_slot + OPEN_SLOT_WINDOW`: from then on a close frees the account and returns the rent. */
export async function untilOpenSlotExpired(chain: Chain, session: Address, pollMs = 50): Promise<void> {
  const { openSlot } = await requireSessionAccount(chain, session);
  while ((await chain.getSlot()) <= openSlot + OPEN_SLOT_WINDOW) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
