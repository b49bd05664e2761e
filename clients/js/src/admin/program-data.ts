/** Where the upgradeable loader keeps a program's upgrade authority (initialize_config checks it). */
import { address, getAddressEncoder, getProgramDerivedAddress, type Address } from "@solana/kit";

/** The upgradeable BPF loader (loader-v3), which `solana program deploy` uses. */
export const LOADER_V3_PROGRAM_ADDRESS = address("BPFLoaderUpgradeab1e11111111111111111111111");

/**
 * The program's ProgramData account: PDA `[program]` of the loader.
 *
 * @example
 * const programData = await findProgramDataAddress(programAddress);
 */
export async function findProgramDataAddress(program: Address): Promise<Address> {
  const [programData] = await getProgramDerivedAddress({
    programAddress: LOADER_V3_PROGRAM_ADDRESS,
    seeds: [getAddressEncoder().encode(program)],
  });
  return programData;
}
