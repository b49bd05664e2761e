/**
 * Fixtures for the program tests and the CU benchmark: a default Config, fee vault addresses, default
 * model entries, a registered server, an open request and its lock. Fixtures land their transactions through `send` (which
 * checks lamport conservation) and never import vitest, so scripts can use them too.
 */
import type { Address, Instruction, KeyPairSigner } from "@solana/kit";
import {
  findConfigPda,
  findFeeVaultPda,
  findRequestPda,
  findResponsePda,
  findServerPda,
  getConfigDecoder,
  getCreateRequestInstructionAsync,
  getDepositBondInstructionAsync,
  getWithdrawBondInstructionAsync,
  getInitializeConfigInstructionAsync,
  getLockRequestInstructionAsync,
  getRegisterServerInstructionAsync,
  getServerDecoder,
  type Config,
  type CreateRequestAsyncInput,
  type InitializeConfigAsyncInput,
  type ModelInputArgs,
  type RegisterServerAsyncInput,
  type Server,
} from "../../clients/js/src/generated";
import { setUpgradeAuthority } from "../../clients/js/src/litesvm/upgrade-authority";
import { dataOf, freshAddress, fundedSigner, PROGRAM_ADDRESS, send, type TestSvm, type TxReport } from "./svm";

/** Protocol constants (docs/protocol.md § Constants). */
export const MAX_MODELS = 16;
export const MAX_HF_ID_LEN = 96;
export const MAX_REVISION_LEN = 40;
export const MAX_QUANT_LEN = 16;
export const MAX_ENDPOINT_LEN = 128;
export const MAX_PRICE_PER_M = 1_000_000_000_000n;
export const MAX_FEE_BPS = 2_500;
export const FEE_VAULT_SHARDS = 16;
export const CONFIG_SIZE = 150;
export const FEE_VAULT_SIZE = 4;
export const SERVER_HEADER_SIZE = 308;
export const MODEL_ENTRY_SIZE = 175;

export const serverSize = (models: number): number => SERVER_HEADER_SIZE + MODEL_ENTRY_SIZE * models;

/** Config values used unless a test overrides them. */
export const DEFAULT_LIMITS = {
  feeBps: 1_000,
  maxPromptBytes: 16_384,
  maxResponseBytes: 65_536,
  defaultResponseTimeout: 750n,
  maxResponseTimeout: 7_500n,
  openRequestSlots: 1_500n,
  closeGraceSlots: 9_000n,
  minStake: 100_000n,
  minResponseTimeout: 1n,
  // No bond by default: the bond tests (deposit_bond, withdraw_bond, lock_request, expire_request) set their own.
  minBond: 0n,
  abandonPenalty: 0n,
  bondCooldownSlots: 0n,
} as const;

export type ConfigValues = Omit<InitializeConfigAsyncInput, "admin" | "config" | "programData" | "systemProgram" | "feeVaults">;

export async function configAddress(): Promise<Address> {
  return (await findConfigPda())[0];
}

/** The 16 fee vault PDAs in shard order. */
export async function feeVaultAddresses(): Promise<Address[]> {
  return Promise.all(Array.from({ length: FEE_VAULT_SHARDS }, async (_, shard) => (await findFeeVaultPda({ shard }))[0]));
}

export async function initializeConfigInstruction(
  admin: KeyPairSigner,
  values: Partial<ConfigValues> & { treasury: Address },
  overrides: { config?: Address; feeVaults?: Address[] } = {},
): Promise<Instruction> {
  return getInitializeConfigInstructionAsync({
    admin,
    ...DEFAULT_LIMITS,
    ...values,
    ...(overrides.config ? { config: overrides.config } : {}),
    feeVaults: overrides.feeVaults ?? (await feeVaultAddresses()),
  });
}

export type InitializedConfig = {
  admin: KeyPairSigner;
  treasury: Address;
  config: Address;
  feeVaults: Address[];
  report: TxReport;
};

/** A funded signer made the program's upgrade authority: the only key `initialize_config` accepts as admin. */
export async function deployerSigner(t: TestSvm): Promise<KeyPairSigner> {
  const deployer = await fundedSigner(t.svm);
  setUpgradeAuthority(t.svm, PROGRAM_ADDRESS, deployer.address);
  return deployer;
}

/**
 * Initializes the Config (admin pays) with {@link DEFAULT_LIMITS} unless overridden. The admin is made the
 * program's upgrade authority first, as the deployer of a real deployment is.
 */
export async function initConfig(t: TestSvm, values: Partial<ConfigValues> = {}): Promise<InitializedConfig> {
  const admin = await deployerSigner(t);
  const treasury = values.treasury ?? (await freshAddress());
  const feeVaults = await feeVaultAddresses();
  const ix = await initializeConfigInstruction(admin, { ...values, treasury }, { feeVaults });
  const report = await send(t, ix, { feePayer: admin });
  return { admin, treasury, config: await configAddress(), feeVaults, report };
}

export function readConfig(t: TestSvm, address: Address): Config {
  const data = dataOf(t.svm, address);
  if (!data) throw new Error(`no Config account at ${address}`);
  return getConfigDecoder().decode(data);
}

/** A valid model entry; `i` varies the id so lists have no duplicates. */
export function model(i = 0, overrides: Partial<ModelInputArgs> = {}): ModelInputArgs {
  return {
    hfId: i === 0 ? "HuggingFaceTB/SmolLM2-135M-Instruct" : `org-${i}/model.v${i}`,
    revision: i === 0 ? "" : "main",
    quantization: "Q4_K_M",
    priceIn: 1_000n + BigInt(i),
    priceOut: 2_000n + BigInt(i),
    maxContext: 8_192,
    ...overrides,
  };
}

export const defaultModels = (count = 2): ModelInputArgs[] => Array.from({ length: count }, (_, i) => model(i));

/** A non-zero X25519 public key (the program only checks it is not all zeros). */
export const x25519Key = (fill = 7): Uint8Array => new Uint8Array(32).fill(fill);

export type ServerValues = Omit<RegisterServerAsyncInput, "operator" | "server" | "systemProgram">;

export const DEFAULT_SERVER: ServerValues = {
  x25519Key: x25519Key(),
  endpoint: "https://node.example.com/v1",
  models: defaultModels(),
};

export type RegisteredServer = { operator: KeyPairSigner; server: Address; report: TxReport };

export async function serverAddress(operator: Address): Promise<Address> {
  return (await findServerPda({ operator }))[0];
}

/** Registers a server for a fresh funded operator (or `operator`). */
export async function registerServer(t: TestSvm, values: Partial<ServerValues> = {}, operator?: KeyPairSigner): Promise<RegisteredServer> {
  const op = operator ?? (await fundedSigner(t.svm));
  const ix = await getRegisterServerInstructionAsync({ operator: op, ...DEFAULT_SERVER, ...values });
  const report = await send(t, ix, { feePayer: op });
  return { operator: op, server: await serverAddress(op.address), report };
}

/** The operator adds `amount` lamports to its server's bond. */
export async function depositBond(t: TestSvm, server: RegisteredServer, amount: bigint): Promise<TxReport> {
  const ix = await getDepositBondInstructionAsync({ operator: server.operator, server: server.server, amount });
  return send(t, ix, { feePayer: server.operator });
}

/** The operator takes `amount` lamports of its server's bond back. */
export async function withdrawBond(t: TestSvm, server: RegisteredServer, amount: bigint): Promise<TxReport> {
  const ix = await getWithdrawBondInstructionAsync({ operator: server.operator, server: server.server, amount });
  return send(t, ix, { feePayer: server.operator });
}

export function readServer(t: TestSvm, address: Address): Server {
  const data = dataOf(t.svm, address);
  if (!data) throw new Error(`no Server account at ${address}`);
  return getServerDecoder().decode(data);
}

export type OpenRequest = { client: KeyPairSigner; request: Address; nonce: bigint; report: TxReport };

/**
 * Creates a sealed Open request for `model(0)` allowing `server` (its current key epoch), with a
 * 40-byte placeholder prompt and a 0.01 SOL stake. Needs an initialized Config.
 */
export async function openRequest(
  t: TestSvm,
  server: Address,
  overrides: Partial<Omit<CreateRequestAsyncInput, "client" | "request" | "config" | "systemProgram">> = {},
): Promise<OpenRequest> {
  const client = await fundedSigner(t.svm);
  const nonce = overrides.nonce !== undefined ? BigInt(overrides.nonce) : 1n;
  const prompt = new Uint8Array(40).fill(5);
  const [request] = await findRequestPda({ client: client.address, nonce });
  const ix = await getCreateRequestInstructionAsync({
    client,
    nonce,
    responseBump: (await findResponsePda({ request }))[1],
    model: model(0).hfId,
    revision: "",
    stake: 10_000_000n,
    responseTimeout: 0n,
    maxPriceIn: 1_000_000n,
    maxPriceOut: 1_000_000n,
    minCompleted: 0n,
    minSuccessBps: 0,
    minAvgRating: 0,
    clientKey: new Uint8Array(32).fill(3),
    allowed: [{ server, keyEpoch: readServer(t, server).keyEpoch, wrappedKey: new Uint8Array(48).fill(9) }],
    promptLen: prompt.length,
    prompt,
    ...overrides,
  });
  const report = await send(t, ix, { feePayer: client });
  return { client, request, nonce, report };
}

/** The server's operator locks `request` with its current key (read from its Server account). */
export async function lockRequest(t: TestSvm, server: RegisteredServer, request: Address): Promise<TxReport> {
  const { x25519Key: key } = readServer(t, server.server);
  const ix = await getLockRequestInstructionAsync({ operator: server.operator, server: server.server, request, x25519Key: key });
  return send(t, ix, { feePayer: server.operator });
}
