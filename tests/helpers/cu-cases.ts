/**
 * The compute-unit benchmark cases, shared by `scripts/bench-cu.ts` (best/avg/worst table, docs/cu.md)
 * and `tests/program/cu.test.ts` (ceilings). One entry per instruction: its cases prepare state on a
 * fresh TestSvm and return the report of the one transaction to measure; `ceiling` is the CU limit
 * the test enforces, with the last measured worst case in `lastKnown`.
 *
 * Lifecycle instructions are added by appending entries to CU_BENCHES.
 */
import {
  getCloseServerInstructionAsync,
  getUpdateConfigInstructionAsync,
  getUpdateServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
  type ModelInputArgs,
} from "../../clients/js/src/generated";
import {
  DEFAULT_LIMITS,
  DEFAULT_SERVER,
  FEE_VAULT_SHARDS,
  depositBond,
  initConfig,
  deployerSigner,
  initializeConfigInstruction,
  model,
  registerServer,
  withdrawBond,
  x25519Key,
} from "./fixtures";
import { systemTransfer } from "./instructions";
import {
  LAMPORTS_PER_SOL,
  PROGRAM_SO,
  REPO_ROOT,
  createTestSvm,
  freshAddress,
  fundedSigner,
  send,
  setSystemAccount,
  type TestSvm,
  type TxReport,
} from "./svm";

export type CuCase = { label: string; run: (t: TestSvm) => Promise<TxReport> };
export type CuBench = {
  instruction: string;
  /** CU limit enforced by tests/program/cu.test.ts for every case. */
  ceiling: number;
  /** Worst case measured when the ceiling was last set (documentation only). */
  lastKnown: number;
  cases: CuCase[];
};

/** `n` short, distinct model entries (16 of them fit one transaction). */
const shortModels = (n: number): ModelInputArgs[] =>
  Array.from({ length: n }, (_, i) => model(i, { hfId: `org/model-${i}`, revision: "", quantization: "Q4_K_M" }));

async function withFees(t: TestSvm, shards: number) {
  const cfg = await initConfig(t);
  setSystemAccount(t.svm, cfg.treasury, LAMPORTS_PER_SOL);
  const funder = await fundedSigner(t.svm, 100n * LAMPORTS_PER_SOL);
  for (let i = 0; i < shards; i += 8) {
    const ixs = cfg.feeVaults.slice(i, Math.min(i + 8, shards)).map((v, j) => systemTransfer(funder, v, 10_000n * BigInt(i + j + 1)));
    await send(t, ixs, { feePayer: funder });
  }
  return cfg;
}

export const CU_BENCHES: CuBench[] = [
  {
    instruction: "initialize_config",
    ceiling: 90_000,
    lastKnown: 83_763,
    cases: [
      {
        label: "config + 16 fee vaults",
        run: async (t) => {
          const admin = await deployerSigner(t);
          return send(t, await initializeConfigInstruction(admin, { treasury: await freshAddress() }), {
            feePayer: admin,
          });
        },
      },
    ],
  },
  {
    instruction: "update_config",
    ceiling: 500,
    lastKnown: 193,
    cases: [
      {
        label: "all values",
        run: async (t) => {
          const cfg = await initConfig(t);
          const ix = await getUpdateConfigInstructionAsync({
            admin: cfg.admin,
            newAdmin: cfg.admin.address,
            treasury: cfg.treasury,
            paused: true,
            ...DEFAULT_LIMITS,
          });
          return send(t, ix, { feePayer: cfg.admin });
        },
      },
    ],
  },
  {
    instruction: "register_server",
    ceiling: 8_000,
    lastKnown: 6_852,
    cases: [1, 4, 16].map((n) => ({
      label: `${n} model${n > 1 ? "s" : ""}`,
      run: async (t: TestSvm) => (await registerServer(t, { models: shortModels(n) })).report,
    })),
  },
  {
    instruction: "update_server",
    ceiling: 8_000,
    lastKnown: 6_610,
    cases: [
      { label: "same size (2 → 2), key rotated", from: 2, to: 2, key: x25519Key(9) },
      { label: "grow 1 → 16 models", from: 1, to: 16, key: DEFAULT_SERVER.x25519Key },
      { label: "shrink 16 → 1 model", from: 16, to: 1, key: DEFAULT_SERVER.x25519Key },
    ].map(({ label, from, to, key }) => ({
      label,
      run: async (t: TestSvm) => {
        const reg = await registerServer(t, { models: shortModels(from) });
        const ix = await getUpdateServerInstructionAsync({
          operator: reg.operator,
          x25519Key: key,
          endpoint: DEFAULT_SERVER.endpoint,
          active: true,
          models: shortModels(to),
        });
        return send(t, ix, { feePayer: reg.operator });
      },
    })),
  },
  {
    instruction: "close_server",
    ceiling: 500,
    lastKnown: 146,
    cases: [
      {
        label: "2 models",
        run: async (t) => {
          const reg = await registerServer(t);
          return send(t, await getCloseServerInstructionAsync({ operator: reg.operator }), { feePayer: reg.operator });
        },
      },
    ],
  },
  {
    instruction: "deposit_bond",
    ceiling: 3_000,
    lastKnown: 1_321,
    cases: [
      {
        label: "operator → server (System transfer)",
        run: async (t) => {
          const reg = await registerServer(t);
          return depositBond(t, reg, 1_000_000n);
        },
      },
    ],
  },
  {
    instruction: "withdraw_bond",
    ceiling: 3_000,
    lastKnown: 312,
    cases: [
      {
        label: "part of the bond, no locks, cooldown passed",
        run: async (t) => {
          await initConfig(t);
          const reg = await registerServer(t);
          await depositBond(t, reg, 1_000_000n);
          return withdrawBond(t, reg, 400_000n);
        },
      },
    ],
  },
  {
    instruction: "withdraw_fees",
    ceiling: 2_500,
    lastKnown: 1_343,
    cases: [1, FEE_VAULT_SHARDS].map((n) => ({
      label: `${n} vault${n > 1 ? "s" : ""} with fees`,
      run: async (t: TestSvm) => {
        const cfg = await withFees(t, n);
        const ix = await getWithdrawFeesInstructionAsync({
          admin: cfg.admin,
          treasury: cfg.treasury,
          feeVaults: cfg.feeVaults.slice(0, n),
        });
        return send(t, ix, { feePayer: cfg.admin });
      },
    })),
  },
  // Lifecycle instructions: add { instruction: 'create_request', ceiling, lastKnown, cases: [...] } here.
];
