import { getAddressDecoder, getAddressEncoder, type Address } from "@solana/kit";
import type { LiteSVM } from "litesvm";

const LOADER_V3 = "BPFLoaderUpgradeab1e11111111111111111111111" as Address;
/** Program account: u32 tag 2, then the ProgramData address. */
const PROGRAM_DATA_ADDRESS_OFFSET = 4;
/** ProgramData header: u32 tag 3, u64 slot, then `Option<Address>`: a flag byte at 12, the authority at 13..45. */
const AUTHORITY_FLAG_OFFSET = 12;
const AUTHORITY_OFFSET = 13;

/**
 * Makes `authority` the upgrade authority of a program LiteSVM loaded with `addProgramFromFile` (which
 * deploys through the upgradeable loader with a placeholder authority), as a deployment by `authority`
 * would; null makes the program immutable. Chainference's `initialize_config` accepts only the upgrade
 * authority as admin.
 *
 * @example
 * svm.addProgramFromFile(CHAINFERENCE_PROGRAM_ADDRESS, "target/deploy/chainference.so");
 * setUpgradeAuthority(svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
 */
export function setUpgradeAuthority(svm: LiteSVM, program: Address, authority: Address | null): void {
  const programAccount = svm.getAccount(program);
  if (!programAccount.exists || programAccount.programAddress !== LOADER_V3)
    throw new Error(`${program} is not deployed through the upgradeable loader`);
  const programData = getAddressDecoder().decode(programAccount.data, PROGRAM_DATA_ADDRESS_OFFSET);
  const account = svm.getAccount(programData);
  if (!account.exists || account.programAddress !== LOADER_V3) throw new Error(`${program} has no ProgramData at ${programData}`);
  const data = Uint8Array.from(account.data);
  data[AUTHORITY_FLAG_OFFSET] = authority === null ? 0 : 1;
  data.set(authority === null ? new Uint8Array(32) : getAddressEncoder().encode(authority), AUTHORITY_OFFSET);
  svm.setAccount({ ...account, data });
}
