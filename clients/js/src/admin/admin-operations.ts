import type { Address, TransactionSigner } from "@solana/kit";
import type { Chain, SentTransaction } from "../chain";
import {
  findConfigPda,
  findFeeVaultPda,
  getInitializeConfigInstructionAsync,
  getUpdateConfigInstructionAsync,
  getWithdrawFeesInstructionAsync,
  type Config,
} from "../generated";
import { fetchProtocolConfig } from "../protocol-config";
import { findProgramDataAddress } from "./program-data";

/** Fee vault shards: settlement spreads fees over 16 accounts so no single account is write-locked. */
export const FEE_VAULT_SHARDS = 16;

/** The protocol's tunable limits (everything in Config but admin, bump and the paused flag). */
export type ProtocolParameters = {
  readonly treasury: Address;
  readonly feeBps: number;
  readonly maxPromptBytes: number;
  readonly maxResponseBytes: number;
  readonly defaultResponseTimeout: bigint;
  readonly maxResponseTimeout: bigint;
  readonly openRequestSlots: bigint;
  readonly closeGraceSlots: bigint;
  readonly minStake: bigint;
  /** Shortest response timeout a request may ask for (slots): shorter deadlines are traps no server can meet. */
  readonly minResponseTimeout: bigint;
  /** Lamports a server must hold as bond to lock a request. */
  readonly minBond: bigint;
  /** Lamports moved from a server's bond to the client when a request it locked expires (≤ `minBond`). */
  readonly abandonPenalty: bigint;
  /** Slots after a server's last lock or settlement before its bond can be withdrawn. */
  readonly bondCooldownSlots: bigint;
};

/**
 * Defaults: 10 % fee, 5-minute answers (750 slots of 400 ms) and at least 30 s (75 slots), requests lockable for 5 minutes,
 * 8 KiB prompts (a request account is created by CPI, capped at 10 KiB), 64 KiB answers, a day of grace before anyone may close a response;
 * servers bond 0.001 SOL, lose 20,000 lamports to the client per abandoned lock (the client's create and expire fees and 10,000
 * lamports on top) and wait 750 slots after their last lock before withdrawing.
 */
export function defaultProtocolParameters(treasury: Address): ProtocolParameters {
  return {
    treasury,
    feeBps: 1_000,
    maxPromptBytes: 8 * 1024,
    maxResponseBytes: 64 * 1024,
    defaultResponseTimeout: 750n,
    maxResponseTimeout: 9_000n,
    openRequestSlots: 750n,
    closeGraceSlots: 216_000n,
    minStake: 10_000n,
    minResponseTimeout: 75n,
    minBond: 1_000_000n,
    abandonPenalty: 20_000n,
    bondCooldownSlots: 750n,
  };
}

/** The 16 fee vault addresses in shard order (of the program at `programAddress`, by default the generated one). */
export async function findFeeVaults(programAddress?: Address): Promise<Address[]> {
  return Promise.all(
    Array.from({ length: FEE_VAULT_SHARDS }, async (_, shard) => (await findFeeVaultPda({ shard }, { programAddress }))[0]),
  );
}

/**
 * Initializes the protocol once per deployment: Config plus the 16 fee vaults. `admin` must be the
 * program's upgrade authority (the program checks it against the ProgramData account, so nobody can
 * front-run the deployer). `programAddress` targets a deployment at another address than the
 * generated one (`scripts/deploy` with a new program id).
 *
 * @example
 * await initializeProtocol(chain, admin, defaultProtocolParameters(treasury));
 */
export async function initializeProtocol(
  chain: Chain,
  admin: TransactionSigner,
  parameters: ProtocolParameters,
  options: { readonly programAddress?: Address } = {},
): Promise<SentTransaction> {
  const { programAddress } = options;
  const [config] = await findConfigPda({ programAddress });
  const instruction = await getInitializeConfigInstructionAsync(
    {
      admin,
      config,
      ...(programAddress ? { programData: await findProgramDataAddress(programAddress) } : {}),
      ...parameters,
      feeVaults: await findFeeVaults(programAddress),
    },
    programAddress ? { programAddress } : {},
  );
  return chain.sendInstructions([instruction], { feePayer: admin, computeUnitLimit: 400_000 });
}

/**
 * Changes Config: reads the current values and applies `changes` (fee, limits, pause, treasury, admin).
 *
 * @example
 * await updateProtocol(chain, admin, { paused: true });
 */
export async function updateProtocol(
  chain: Chain,
  admin: TransactionSigner,
  changes: Partial<ProtocolParameters> & { readonly paused?: boolean; readonly newAdmin?: Address },
): Promise<SentTransaction> {
  const current: Config = await fetchProtocolConfig(chain);
  const instruction = await getUpdateConfigInstructionAsync({
    admin,
    newAdmin: changes.newAdmin ?? current.admin,
    treasury: changes.treasury ?? current.treasury,
    feeBps: changes.feeBps ?? current.feeBps,
    paused: changes.paused ?? current.paused,
    maxPromptBytes: changes.maxPromptBytes ?? current.maxPromptBytes,
    maxResponseBytes: changes.maxResponseBytes ?? current.maxResponseBytes,
    defaultResponseTimeout: changes.defaultResponseTimeout ?? current.defaultResponseTimeout,
    maxResponseTimeout: changes.maxResponseTimeout ?? current.maxResponseTimeout,
    openRequestSlots: changes.openRequestSlots ?? current.openRequestSlots,
    closeGraceSlots: changes.closeGraceSlots ?? current.closeGraceSlots,
    minStake: changes.minStake ?? current.minStake,
    minResponseTimeout: changes.minResponseTimeout ?? current.minResponseTimeout,
    minBond: changes.minBond ?? current.minBond,
    abandonPenalty: changes.abandonPenalty ?? current.abandonPenalty,
    bondCooldownSlots: changes.bondCooldownSlots ?? current.bondCooldownSlots,
  });
  return chain.sendInstructions([instruction], { feePayer: admin });
}

/**
 * Sweeps every fee vault's fees (lamports above rent) to the treasury.
 *
 * @example
 * await withdrawFees(chain, admin);
 */
export async function withdrawFees(chain: Chain, admin: TransactionSigner): Promise<SentTransaction> {
  const { treasury } = await fetchProtocolConfig(chain);
  const instruction = await getWithdrawFeesInstructionAsync({ admin, treasury, feeVaults: await findFeeVaults() });
  return chain.sendInstructions([instruction], { feePayer: admin });
}
