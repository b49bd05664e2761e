/**
 * Generated account-shape negatives of the registry instructions (signer, writability, read-only
 * accounts, owner, discriminator, data shape, account counts; flags from program/interface.json).
 */
import {
  getCloseServerInstructionAsync,
  getDepositBondInstructionAsync,
  getWithdrawBondInstructionAsync,
  getRegisterServerInstructionAsync,
  getUpdateConfigInstructionAsync,
  getUpdateServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
  type UpdateConfigAsyncInput,
} from "../../../clients/js/src/generated";
import { generateNegativeTests, type NegativeCase } from "../../helpers/attacks";
import {
  DEFAULT_LIMITS,
  DEFAULT_SERVER,
  depositBond,
  initConfig,
  deployerSigner,
  initializeConfigInstruction,
  registerServer,
  type InitializedConfig,
} from "../../helpers/fixtures";
import { LAMPORTS_PER_SOL, freshAddress, fundedSigner, setSystemAccount } from "../../helpers/svm";
import { t, useRegistryFixture } from "../fixtures/registry";

useRegistryFixture();

// ---------------------------------------------------------------------------------------------
// Generated per-instruction negatives (signer, writability, read-only accounts, owner, discriminator,
// system program, data shape, too few and too many accounts; flags from program/interface.json).
// Every `build` returns a valid instruction on the test's fresh chain.
// ---------------------------------------------------------------------------------------------

const updateConfigValues = (cfg: InitializedConfig): UpdateConfigAsyncInput => ({
  admin: cfg.admin,
  newAdmin: cfg.admin.address,
  treasury: cfg.treasury,
  feeBps: DEFAULT_LIMITS.feeBps,
  paused: false,
  maxPromptBytes: DEFAULT_LIMITS.maxPromptBytes,
  maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
  defaultResponseTimeout: DEFAULT_LIMITS.defaultResponseTimeout,
  maxResponseTimeout: DEFAULT_LIMITS.maxResponseTimeout,
  minResponseTimeout: DEFAULT_LIMITS.minResponseTimeout,
  openRequestSlots: DEFAULT_LIMITS.openRequestSlots,
  closeGraceSlots: DEFAULT_LIMITS.closeGraceSlots,
  minStake: DEFAULT_LIMITS.minStake,
  minBond: DEFAULT_LIMITS.minBond,
  abandonPenalty: DEFAULT_LIMITS.abandonPenalty,
  bondCooldownSlots: DEFAULT_LIMITS.bondCooldownSlots,
});

const REGISTRY_CASES: NegativeCase[] = [
  {
    name: "initialize_config",
    instruction: "initialize_config",
    programOwned: [],
    build: async (t) => initializeConfigInstruction(await deployerSigner(t), { treasury: await freshAddress() }),
  },
  {
    name: "update_config",
    instruction: "update_config",
    programOwned: [1],
    build: async (t) => getUpdateConfigInstructionAsync(updateConfigValues(await initConfig(t))),
  },
  {
    name: "register_server",
    instruction: "register_server",
    programOwned: [],
    build: async (t) => getRegisterServerInstructionAsync({ operator: await fundedSigner(t.svm), ...DEFAULT_SERVER }),
  },
  {
    name: "update_server",
    instruction: "update_server",
    programOwned: [1],
    build: async (t) => {
      const reg = await registerServer(t);
      return getUpdateServerInstructionAsync({ operator: reg.operator, ...DEFAULT_SERVER, active: true });
    },
  },
  {
    name: "close_server",
    instruction: "close_server",
    programOwned: [1],
    build: async (t) => getCloseServerInstructionAsync({ operator: (await registerServer(t)).operator }),
  },
  {
    name: "deposit_bond",
    instruction: "deposit_bond",
    programOwned: [1],
    build: async (t) => getDepositBondInstructionAsync({ operator: (await registerServer(t)).operator, amount: 1_000n }),
  },
  {
    name: "withdraw_bond",
    instruction: "withdraw_bond",
    programOwned: [1, 2],
    build: async (t) => {
      await initConfig(t); // no cooldown in the default test limits
      const reg = await registerServer(t);
      await depositBond(t, reg, 1_000n);
      return getWithdrawBondInstructionAsync({ operator: reg.operator, amount: 1_000n });
    },
  },
  {
    name: "withdraw_fees (all 16 vaults)",
    instruction: "withdraw_fees",
    programOwned: [1, 3],
    build: async (t) => {
      const cfg = await initConfig(t);
      setSystemAccount(t.svm, cfg.treasury, LAMPORTS_PER_SOL);
      return getWithdrawFeesInstructionAsync({ admin: cfg.admin, treasury: cfg.treasury, feeVaults: cfg.feeVaults });
    },
  },
];

for (const c of REGISTRY_CASES) generateNegativeTests(c, () => t);
