/**
 * `initialize_config` attacks: the first-caller race. Only the program's upgrade authority (read from
 * the upgradeable loader's ProgramData account) may initialize, so nobody can front-run a fresh
 * deployment and become admin. LiteSVM deploys the program through the upgradeable loader; each test
 * sets the ProgramData's authority as a deployment would.
 */
import { generateKeyPairSigner, getAddressDecoder, type Address } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__INVALID_PROGRAM_DATA, CHAINFERENCE_ERROR__NOT_UPGRADE_AUTHORITY } from "../../../clients/js/src/generated";
import { setUpgradeAuthority } from "../../../clients/js/src/litesvm/upgrade-authority";
import { expectProgramError } from "../../helpers/errors";
import { configAddress, deployerSigner, initializeConfigInstruction, readConfig } from "../../helpers/fixtures";
import { replaceAccount } from "../../helpers/instructions";
import { PROGRAM_ADDRESS, fundedSigner, send } from "../../helpers/svm";
import { t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

/** Index of `program_data` in initialize_config's accounts. */
const PROGRAM_DATA = 2;

const programDataAddress = (): Address => {
  const program = t.svm.getAccount(PROGRAM_ADDRESS);
  if (!program.exists) throw new Error("program not loaded");
  return getAddressDecoder().decode(program.data, 4);
};

describe("initialize_config attacks", () => {
  it("front-run: a stranger initializing a fresh deployment → NotUpgradeAuthority; the deployer then initializes", async () => {
    // Given a fresh deployment whose upgrade authority is the deployer
    const deployer = await deployerSigner(t);
    const stranger = await fundedSigner(t.svm);
    // When a stranger races to initialize with itself as admin and treasury
    const raced = await initializeConfigInstruction(stranger, { treasury: stranger.address, feeBps: 2_500 });
    // Then the program refuses it (only the fee is charged) and no Config exists
    await expectProgramError(send(t, raced, { feePayer: stranger }), CHAINFERENCE_ERROR__NOT_UPGRADE_AUTHORITY);
    expect(t.svm.getAccount(await configAddress()).exists).toBe(false);
    // And the deployer still initializes, becoming admin
    await send(t, await initializeConfigInstruction(deployer, { treasury: deployer.address }), { feePayer: deployer });
    expect(readConfig(t, await configAddress()).admin).toBe(deployer.address);
  });

  it("an immutable program (no upgrade authority) → NotUpgradeAuthority", async () => {
    const admin = await fundedSigner(t.svm);
    setUpgradeAuthority(t.svm, PROGRAM_ADDRESS, null);
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address });
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__NOT_UPGRADE_AUTHORITY);
  });

  it("a look-alike ProgramData at another address naming the attacker → InvalidProgramData", async () => {
    // Given a copy of the ProgramData, owned by the loader, naming the attacker as authority, while
    // the real one names the deployer
    const attacker = await fundedSigner(t.svm);
    setUpgradeAuthority(t.svm, PROGRAM_ADDRESS, attacker.address);
    const copied = t.svm.getAccount(programDataAddress());
    if (!copied.exists) throw new Error("no ProgramData");
    const fake = (await generateKeyPairSigner()).address;
    t.svm.setAccount({ ...copied, address: fake });
    await deployerSigner(t);
    // When the attacker passes it in place of the real ProgramData
    const ix = replaceAccount(await initializeConfigInstruction(attacker, { treasury: attacker.address }), PROGRAM_DATA, fake);
    // Then the address check refuses it
    await expectProgramError(send(t, ix, { feePayer: attacker }), CHAINFERENCE_ERROR__INVALID_PROGRAM_DATA);
  });

  it("the ProgramData address holding an account of another owner → InvalidProgramData", async () => {
    // Given the ProgramData address overwritten with a system-owned account of the same bytes
    const admin = await deployerSigner(t);
    const address = programDataAddress();
    const real = t.svm.getAccount(address);
    if (!real.exists) throw new Error("no ProgramData");
    t.svm.setAccount({ ...real, programAddress: "11111111111111111111111111111111" as Address, executable: false });
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address });
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PROGRAM_DATA);
  });

  it("a ProgramData whose loader tag is not 3 → InvalidProgramData", async () => {
    const admin = await deployerSigner(t);
    const address = programDataAddress();
    const real = t.svm.getAccount(address);
    if (!real.exists) throw new Error("no ProgramData");
    const data = Uint8Array.from(real.data);
    data[0] = 1; // a buffer's tag
    t.svm.setAccount({ ...real, data });
    const ix = await initializeConfigInstruction(admin, { treasury: admin.address });
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__INVALID_PROGRAM_DATA);
  });
});
