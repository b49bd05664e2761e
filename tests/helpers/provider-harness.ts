/**
 * Set-up for the provider node tests and `scripts/bench-node.ts`: the real program on the SDK's in-process
 * LiteSVM chain (slots advancing with the wall clock), an initialized protocol, funded wallets, a client
 * that asks and reads the answer, and lamport sums over the accounts a request touches.
 *
 * Never imports vitest (the benchmark uses it too). Setup errors propagate.
 */
import { setMaxListeners } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { generateKeyPairSigner, type Address, type Instruction, type KeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  CREATE_REQUEST_DISCRIMINATOR,
  defaultProtocolParameters,
  fetchServers,
  findFeeVaultPda,
  findRequestPda,
  findResponsePda,
  initializeProtocol,
  postRequest,
  watchResponse,
  type PostedRequest,
  type PromptMessage,
  type ResponseAccount,
  type Chain,
  type ServerWithAddress,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";
import {
  DEFAULT_MODEL,
  createDefaultLlamaBackend,
  defaultNodeConfig,
  startProviderNode,
  type InferenceBackend,
  type LlamaBackend,
  type NodeConfig,
  type ProviderNode,
} from "@chainference/node";

import { PROGRAM_SO } from "./svm";

export const LAMPORTS_PER_SOL = 1_000_000_000n;

/** A chain with the protocol initialized (default parameters: 10 % fee, 750-slot answers). */
export type TestMarket = Readonly<{ chain: LiteSvmChain; admin: KeyPairSigner; treasury: Address }>;

/** Wall-clock slots like a cluster (400 ms), so deadlines and time to first chunk are real. */
export async function createTestMarket(options: { slotDurationMs?: number } = {}): Promise<TestMarket> {
  const chain = createLiteSvmChain({
    programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }],
    slotDurationMs: options.slotDurationMs ?? 400,
  });
  const admin = await fundedWallet(chain);
  const treasury = (await generateKeyPairSigner()).address;
  setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(chain, admin, defaultProtocolParameters(treasury));
  return { chain, admin, treasury };
}

export async function fundedWallet(chain: LiteSvmChain, lamports: bigint = 10n * LAMPORTS_PER_SOL): Promise<KeyPairSigner> {
  const signer = await generateKeyPairSigner();
  await chain.airdrop(signer.address, lamports);
  return signer;
}

let nonces = BigInt(Date.now()) * 1000n;
/** A fresh request nonce. */
export const nextNonce = (): bigint => (nonces += 1n);

/** A TCP port free on 127.0.0.1 right now (for a metrics endpoint under test). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function scratchDir(prefix = "chainference-node-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Node settings for tests: a realistic first speed estimate, no recovery quiet period (nothing can be in
 * flight across a restart on the in-process chain).
 */
export function testNodeConfig(overrides: Partial<NodeConfig> = {}): NodeConfig {
  return { ...defaultNodeConfig(), estimatedTokensPerSecond: 20, concurrency: 2, recoveryQuietSlots: 0, ...overrides };
}

/** Options of {@link ProviderTestBed.startNode}; each one defaults to what most provider node tests use. */
export type TestNodeOptions = Readonly<{
  /** Default: the market's in-process chain. */
  chain?: Chain;
  /** Default: a fresh funded wallet. */
  operator?: KeyPairSigner;
  /** Default: {@link testNodeConfig}(). */
  config?: NodeConfig;
  /** Keyring file name inside the scratch directory; default `keyring.json`. */
  keyringFile?: string;
  /** Default: the bed's embedded model for {@link DEFAULT_MODEL} (`{}` lets the config build every backend). */
  backends?: Readonly<Record<string, InferenceBackend>>;
  /** Default: `null` (no log lines). */
  log?: ((line: string) => void) | null;
}>;

/**
 * What every provider node test starts from: the real embedded model (one thread), a {@link TestMarket} and a
 * scratch directory for keyrings. Nodes started with `startNode` are stopped by `close`.
 */
export type ProviderTestBed = Readonly<{
  llama: LlamaBackend;
  market: TestMarket;
  scratch: string;
  startNode(options?: TestNodeOptions): Promise<ProviderNode>;
  /** Stops the nodes started here, then closes `services` (in order: they may use the model), the model, and removes the scratch directory. */
  close(...services: readonly ({ close(): Promise<unknown> } | undefined)[]): Promise<void>;
}>;

/**
 * Loads the embedded model, creates the market and the scratch directory (on a failure, what was created is
 * released before the error propagates).
 *
 * @example
 * bed = await openProviderTestBed();
 * node = await bed.startNode({ config: testNodeConfig({ concurrency: 1 }) });
 * // afterAll: await bed?.close();
 */
export async function openProviderTestBed(): Promise<ProviderTestBed> {
  const llama = await createDefaultLlamaBackend({ threads: 1 });
  let market: TestMarket;
  let scratch: string;
  try {
    market = await createTestMarket();
    scratch = await scratchDir();
  } catch (error) {
    await llama.close();
    throw error;
  }
  const nodes: ProviderNode[] = [];
  return {
    llama,
    market,
    scratch,
    async startNode(options = {}) {
      const node = await startProviderNode({
        chain: options.chain ?? market.chain,
        operator: options.operator ?? (await fundedWallet(market.chain)),
        config: options.config ?? testNodeConfig(),
        keyringPath: `${scratch}/${options.keyringFile ?? "keyring.json"}`,
        backends: options.backends ?? { [DEFAULT_MODEL.hfId]: llama },
        log: options.log === undefined ? null : options.log,
      });
      nodes.push(node);
      return node;
    },
    async close(...services) {
      await Promise.all(nodes.map((n) => n.stop()));
      for (const service of services) await service?.close();
      await llama.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The server account as a client sees it (to put it on an allow-list). */
export async function serverListingFor(market: TestMarket, server: Address): Promise<ServerWithAddress> {
  const found = (await fetchServers(market.chain)).find((s) => s.address === server);
  if (!found) throw new Error(`server ${server} is not registered`);
  return found;
}

export type AskInput = Readonly<{
  client: KeyPairSigner;
  servers: readonly ServerWithAddress[];
  model: string;
  revision?: string;
  messages: readonly PromptMessage[];
  maxTokens: number;
  temperature?: number;
  stake?: bigint;
  responseTimeoutSlots?: bigint;
  nonce?: bigint;
}>;

/** Posts a request the way `chainference ask` does (prices capped at 1 SOL per million tokens). */
export async function ask(market: TestMarket, input: AskInput): Promise<PostedRequest> {
  return postRequest(market.chain, {
    client: input.client,
    model: input.model,
    ...(input.revision ? { revision: input.revision } : {}),
    servers: input.servers,
    stake: input.stake ?? 10_000_000n,
    maxPriceIn: LAMPORTS_PER_SOL,
    maxPriceOut: LAMPORTS_PER_SOL,
    ...(input.responseTimeoutSlots ? { responseTimeoutSlots: input.responseTimeoutSlots } : {}),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    payload: {
      v: 1,
      messages: input.messages,
      maxTokens: input.maxTokens,
      ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    },
  });
}

/** Offset of `response_bump` in create_request data: discriminator u8, nonce u64, bump u8. */
const CREATE_REQUEST_RESPONSE_BUMP_OFFSET = 1 + 8 + 1;

/**
 * Posts like {@link ask}, but the request stores `responseBump(request address, canonical bump)` as its
 * response bump instead of the canonical one the SDK sends (a client naming another response address, by
 * mistake or to make a server miss its deadline). The prompt is encrypted as usual.
 */
export async function askNamingResponseBump(
  market: TestMarket,
  input: AskInput,
  responseBump: (request: Address, canonicalBump: number) => Promise<number>,
): Promise<PostedRequest> {
  const patch = async (ix: Instruction): Promise<Instruction> => {
    if (ix.programAddress !== CHAINFERENCE_PROGRAM_ADDRESS || ix.data?.[0] !== CREATE_REQUEST_DISCRIMINATOR) return ix;
    const request = ix.accounts![1]!.address;
    const data = new Uint8Array(ix.data);
    data[CREATE_REQUEST_RESPONSE_BUMP_OFFSET] = await responseBump(request, (await findResponsePda({ request }))[1]);
    return { ...ix, data };
  };
  const chain: LiteSvmChain = {
    ...market.chain,
    sendInstructions: async (instructions, options) => market.chain.sendInstructions(await Promise.all(instructions.map(patch)), options),
  };
  return ask({ ...market, chain }, input);
}

/** The answer as the client decrypts it from the chain, once settled (or ended). */
export type ClientAnswer = Readonly<{ text: string; chunks: number; outcome: "settled" | "ended"; response: ResponseAccount | null }>;

export async function readAnswer(market: TestMarket, posted: PostedRequest, timeoutMs = 180_000, pollMs = 100): Promise<ClientAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  // watchResponse adds an abort listener per poll and keeps it (SDK issue): no warning for this bounded signal.
  setMaxListeners(0, signal);
  let text = "";
  let chunks = 0;
  for await (const event of watchResponse(market.chain, posted.address, posted.keys, { pollMs, signal })) {
    if (event.type === "chunk") {
      text += event.text;
      chunks += 1;
    } else if (event.type === "settled") return { text, chunks, outcome: "settled", response: event.response };
    else if (event.type === "ended") return { text, chunks, outcome: "ended", response: event.response };
  }
  throw new Error(`request ${posted.address} neither settled nor ended within ${timeoutMs} ms`);
}

/**
 * Every account a request's life can move lamports between (the client's and operator's wallets included),
 * known before the request is posted (its nonce is chosen up front).
 */
export async function requestAccounts(input: {
  client: Address;
  operator: Address;
  server: Address;
  nonce: bigint;
  others?: readonly Address[];
}): Promise<Address[]> {
  const [request] = await findRequestPda({ client: input.client, nonce: input.nonce });
  const [response] = await findResponsePda({ request });
  const [feeVault] = await findFeeVaultPda({ shard: Number(input.nonce % 16n) });
  return [input.client, input.operator, input.server, request, response, feeVault, ...(input.others ?? [])];
}

/** Σ lamports over `addresses` (0 for accounts that do not exist). */
export async function lamportSum(market: TestMarket, addresses: readonly Address[]): Promise<bigint> {
  const accounts = await market.chain.getAccounts(addresses);
  return accounts.reduce((sum, a) => sum + (a?.lamports ?? 0n), 0n);
}
