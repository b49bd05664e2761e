import type { TransactionSigner } from "@solana/kit";
import type { Chain, SentTransaction } from "../chain";
import { getDepositBondInstructionAsync, getWithdrawBondInstructionAsync } from "../generated";
import { CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, ChainferenceClientError } from "../errors";
import { fetchProtocolConfig } from "../protocol-config";
import { fetchOwnServer } from "./server-operations";

/**
 * Adds `amount` lamports from the operator's wallet to its server's bond. A server needs
 * `min_bond` (and `abandon_penalty` per lock it holds) to lock requests; each request it locks
 * and abandons moves `abandon_penalty` from the bond to that request's client.
 *
 * @example
 * await depositBond(chain, operator, 1_000_000n);
 */
export async function depositBond(chain: Chain, operator: TransactionSigner, amount: bigint): Promise<SentTransaction> {
  return chain.sendInstructions([await getDepositBondInstructionAsync({ operator, amount })], { feePayer: operator });
}

/**
 * Takes `amount` lamports of the server's bond back to the operator. The program refuses while the
 * server holds a lock (`BondLocked`) and until `bond_cooldown_slots` after its last lock or
 * settlement (`BondCooldown`).
 *
 * @example
 * await withdrawBond(chain, operator, 1_000_000n);
 */
export async function withdrawBond(chain: Chain, operator: TransactionSigner, amount: bigint): Promise<SentTransaction> {
  return chain.sendInstructions([await getWithdrawBondInstructionAsync({ operator, amount })], { feePayer: operator });
}

/**
 * Tops the registered server's bond up to `target` lamports (default: the Config's `min_bond`);
 * returns the lamports deposited (0 when the bond already suffices) and the transaction, if any.
 *
 * @example
 * const { deposited } = await ensureBond(chain, operator);
 */
export async function ensureBond(
  chain: Chain,
  operator: TransactionSigner,
  target?: bigint,
): Promise<{ readonly deposited: bigint; readonly bond: bigint; readonly sent?: SentTransaction }> {
  const own = await fetchOwnServer(chain, operator.address);
  if (!own)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, {
      address: operator.address,
      account: "server of this operator (register before bonding)",
    });
  const wanted = target ?? (await fetchProtocolConfig(chain)).minBond;
  const shortfall = wanted - own.server.bond;
  if (shortfall <= 0n) return { deposited: 0n, bond: own.server.bond };
  const sent = await depositBond(chain, operator, shortfall);
  return { deposited: shortfall, bond: wanted, sent };
}
