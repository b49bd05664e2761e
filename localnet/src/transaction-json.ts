/** A landed transaction in the JSON form `getTransaction` answers with. */
import { getBase58Decoder } from "@solana/kit";
import type { LandedTransaction } from "@chainference/client/litesvm";
import type { Json } from "./json-rpc";

const b58d = getBase58Decoder();

/**
 * The `getTransaction` result for a transaction the chain recorded: its instructions, fee, logs and
 * compute units (balances, inner instructions and the message header are left empty).
 *
 * @example
 * const landed = chain.getLanded(signature);
 * if (landed) transactionJson(landed);
 */
export function transactionJson(landed: LandedTransaction): Json {
  const keys = landed.accountKeys;
  return {
    slot: Number(landed.slot),
    blockTime: null,
    version: 0,
    transaction: {
      signatures: [landed.signature],
      message: {
        accountKeys: [...keys],
        header: { numRequiredSignatures: 0, numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: 0 },
        recentBlockhash: "11111111111111111111111111111111",
        instructions: landed.history.instructions.map((ix) => ({
          programIdIndex: keys.indexOf(ix.programAddress),
          accounts: ix.accounts.map((a) => keys.indexOf(a)),
          data: b58d.decode(ix.data),
          stackHeight: null,
        })),
        addressTableLookups: [],
      },
    },
    meta: {
      err: null,
      status: { Ok: null },
      fee: Number(landed.fee),
      preBalances: [],
      postBalances: [],
      innerInstructions: [],
      logMessages: [...landed.logs],
      computeUnitsConsumed: Number(landed.computeUnits ?? 0n),
      loadedAddresses: { writable: [], readonly: [] },
      rewards: [],
    },
  };
}
