/**
 * Fixtures for the request lifecycle (create_request … close_response): a market (Config + servers),
 * instruction builders with every field overridable (tests craft malicious inputs through them), a
 * `Ledger` that checks lamport conservation across a whole scenario, and account readers.
 *
 * Like fixtures.ts this never imports vitest, so scripts (the CU benchmark) use it too.
 */
import { createHash } from "node:crypto";
import {
  getAddressDecoder,
  getAddressEncoder,
  isOffCurveAddress,
  type Address,
  type Instruction,
  type KeyPairSigner,
  type ProgramDerivedAddress,
} from "@solana/kit";
import {
  findRequestPda,
  findResponsePda,
  getAppendPromptInstruction,
  getAppendResponseInstruction,
  getCancelRequestInstruction,
  getCloseResponseInstruction,
  getCompleteRequestInstruction,
  getCreateRequestInstruction,
  getExpireRequestInstruction,
  getLockRequestInstruction,
  getHandOffRequestInstruction,
  getRateServerInstruction,
  getRequestDecoder,
  getResponseDecoder,
  type AllowedServerArgs,
  type CreateRequestInput,
  type ModelInputArgs,
  type Request,
  type Response,
} from "../../clients/js/src/generated";
import {
  DEFAULT_SERVER,
  configAddress,
  initConfig,
  model,
  registerServer,
  type ConfigValues,
  type InitializedConfig,
  type RegisteredServer,
  type ServerValues,
  x25519Key,
} from "./fixtures";
import {
  PROGRAM_ADDRESS,
  TransactionFailedError,
  balanceOf,
  dataOf,
  fundedSigner,
  send,
  type SendOptions,
  type TestSvm,
  type TxReport,
} from "./svm";

/** Protocol constants and sizes (docs/protocol.md). */
export const REQUEST_HEADER_SIZE = 393;
export const ALLOWED_SERVER_SIZE = 84;
export const RESPONSE_HEADER_SIZE = 228;
export const FRAME_HEADER_SIZE = 2;
export const CHUNK_OVERHEAD_LEN = 40;
export const WRAPPED_KEY_LEN = 48;
export const MAX_ALLOWED_SERVERS = 8;
export const MAX_RATING = 5;
export const MAX_U16_CHUNK = 0xffff;
/**
 * The largest append_response ciphertext that fits a 1,232-byte v0 transaction (as the SDK sends it)
 * with the 5 accounts and the operator paying (915 as a legacy message). LiteSVM does not enforce
 * the packet limit, so tests must stay under it themselves.
 */
export const MAX_CHUNK_IN_TX = 913;

export const requestSize = (allowedCount: number, promptLen: number): number =>
  REQUEST_HEADER_SIZE + ALLOWED_SERVER_SIZE * allowedCount + promptLen;
export const responseSize = (streamLen: number): number => RESPONSE_HEADER_SIZE + streamLen;
export const frameSize = (ciphertextLen: number): number => FRAME_HEADER_SIZE + ciphertextLen;

/** A model entry priced so settlements move visible amounts (1,000 / 3,000 lamports per token). */
export const PRICED_MODEL = { ...model(0), priceIn: 1_000_000_000n, priceOut: 3_000_000_000n } satisfies ModelInputArgs;
export const MODEL_ID = PRICED_MODEL.hfId;

/** `⌈tokens × pricePerM / 10^6⌉`. */
export const tokenCost = (tokens: bigint | number, pricePerM: bigint): bigint => {
  const product = BigInt(tokens) * pricePerM;
  return (product + 999_999n) / 1_000_000n;
};

/** The settlement split of complete_request (docs/protocol.md § complete_request). */
export function settlement(input: {
  stake: bigint;
  tokensIn: number;
  tokensOut: number;
  priceIn: bigint;
  priceOut: bigint;
  feeBps: number;
}): { cost: bigint; fee: bigint; operatorShare: bigint } {
  const raw = tokenCost(input.tokensIn, input.priceIn) + tokenCost(input.tokensOut, input.priceOut);
  const cost = raw < input.stake ? raw : input.stake;
  const fee = (cost * BigInt(input.feeBps)) / 10_000n;
  return { cost, fee, operatorShare: cost - fee };
}

export type Market = {
  cfg: InitializedConfig;
  servers: RegisteredServer[];
};

/** Config (defaults unless overridden) and `servers` registered servers offering {@link PRICED_MODEL}. */
export async function setupMarket(
  t: TestSvm,
  options: { servers?: number; config?: Partial<ConfigValues>; server?: Partial<ServerValues> } = {},
): Promise<Market> {
  const cfg = await initConfig(t, options.config);
  const servers: RegisteredServer[] = [];
  for (let i = 0; i < (options.servers ?? 1); i++) {
    servers.push(
      await registerServer(t, {
        models: [PRICED_MODEL, model(1)],
        x25519Key: DEFAULT_SERVER.x25519Key,
        ...options.server,
      }),
    );
  }
  return { cfg, servers };
}

/** An allow-list entry for `server` (the wrapped key is opaque to the program). */
export const allowed = (server: Address, keyEpoch = 0, fill = 0xab): AllowedServerArgs => ({
  server,
  keyEpoch,
  wrappedKey: new Uint8Array(WRAPPED_KEY_LEN).fill(fill),
});

export type RequestParams = Omit<CreateRequestInput, "client" | "request" | "config" | "systemProgram" | "nonce" | "bump" | "responseBump">;

export const DEFAULT_PROMPT_LEN = 200;

export const DEFAULT_REQUEST = {
  model: MODEL_ID,
  revision: "",
  stake: 10_000_000n,
  responseTimeout: 0n,
  maxPriceIn: 1_000_000_000n,
  maxPriceOut: 3_000_000_000n,
  minCompleted: 0n,
  minSuccessBps: 0,
  minAvgRating: 0,
  clientKey: new Uint8Array(32).fill(3),
  allowed: [],
  promptLen: DEFAULT_PROMPT_LEN,
  prompt: new Uint8Array(DEFAULT_PROMPT_LEN).fill(0x5a),
} satisfies RequestParams;

let nextNonce = 1n;
/** A fresh nonce (process-wide counter: tests never collide on a request address). */
export const freshNonce = (): bigint => nextNonce++;

export const requestPda = (client: Address, nonce: bigint): Promise<ProgramDerivedAddress> => findRequestPda({ client, nonce });
export const responsePda = (request: Address): Promise<ProgramDerivedAddress> => findResponsePda({ request });

/** `create_program_address`: the PDA of `seeds ‖ [bump]`, or null when it lands on the curve. */
export async function pdaWithBump(seeds: Uint8Array[], bump: number): Promise<Address | null> {
  const hash = createHash("sha256");
  for (const s of seeds) hash.update(s);
  hash.update(Uint8Array.of(bump));
  hash.update(getAddressEncoder().encode(PROGRAM_ADDRESS) as Uint8Array);
  hash.update("ProgramDerivedAddress");
  const candidate = getAddressDecoder().decode(hash.digest());
  return (await isOffCurveAddress(candidate)) ? candidate : null;
}

/** The highest valid bump below the canonical one, with its address. */
export async function nonCanonicalPda(seeds: Uint8Array[], canonicalBump: number): Promise<ProgramDerivedAddress> {
  for (let bump = canonicalBump - 1; bump >= 0; bump--) {
    const address = await pdaWithBump(seeds, bump);
    if (address) return [address, bump] as unknown as ProgramDerivedAddress;
  }
  throw new Error("no non-canonical bump");
}

/** A bump whose seeds land on the curve (no PDA exists for it): every bump above the canonical one. */
export async function onCurveBump(seeds: Uint8Array[]): Promise<number> {
  for (let bump = 255; bump >= 0; bump--) if ((await pdaWithBump(seeds, bump)) === null) return bump;
  throw new Error("every bump is off the curve");
}

export const serverSeeds = (operator: Address): Uint8Array[] => [
  new TextEncoder().encode("server"),
  getAddressEncoder().encode(operator) as Uint8Array,
];

export const requestSeeds = (client: Address, nonce: bigint): Uint8Array[] => {
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, nonce, true);
  return [new TextEncoder().encode("request"), getAddressEncoder().encode(client) as Uint8Array, n];
};
export const responseSeeds = (request: Address): Uint8Array[] => [
  new TextEncoder().encode("response"),
  getAddressEncoder().encode(request) as Uint8Array,
];

export type CreateOverrides = {
  /** Request account (and bump) to pass instead of the canonical PDA. */
  request?: ProgramDerivedAddress;
  /** Bump written into the data (defaults to the request's). */
  bump?: number;
  /** Response bump the request stores (defaults to the canonical one of the request address passed). */
  responseBump?: number;
  config?: Address;
};

export async function createRequestInstruction(
  client: KeyPairSigner,
  nonce: bigint,
  params: Partial<RequestParams> = {},
  overrides: CreateOverrides = {},
): Promise<Instruction> {
  const request = overrides.request ?? (await requestPda(client.address, nonce));
  const ix = getCreateRequestInstruction({
    client,
    request,
    config: overrides.config ?? (await configAddress()),
    nonce,
    responseBump: overrides.responseBump ?? (await responsePda(request[0]))[1],
    ...DEFAULT_REQUEST,
    ...params,
  });
  // The generated builder treats bump 0 as "derive it": write the requested bump ourselves.
  const bump = overrides.bump ?? request[1];
  const data = new Uint8Array(ix.data);
  data[1 + 8] = bump;
  return { ...ix, data };
}

export type OpenRequest = {
  client: KeyPairSigner;
  address: Address;
  bump: number;
  nonce: bigint;
  params: RequestParams;
  report: TxReport;
};

/** Creates a request (client pays rent + stake; a fresh funded client unless given). */
export async function createRequest(
  t: TestSvm,
  params: Partial<RequestParams> = {},
  options: { client?: KeyPairSigner; nonce?: bigint; ledger?: Ledger; responseBump?: number } = {},
): Promise<OpenRequest> {
  const client = options.client ?? (await fundedSigner(t.svm));
  const nonce = options.nonce ?? freshNonce();
  const [address, bump] = await requestPda(client.address, nonce);
  const ix = await createRequestInstruction(
    client,
    nonce,
    params,
    options.responseBump === undefined ? {} : { responseBump: options.responseBump },
  );
  const report = await (options.ledger ?? plainSender(t)).send(ix, { feePayer: client });
  return { client, address, bump, nonce, params: { ...DEFAULT_REQUEST, ...params }, report };
}

export const appendPromptInstruction = (client: KeyPairSigner, request: Address, offset: number, data: Uint8Array): Instruction =>
  getAppendPromptInstruction({ client, request, offset, data });

export const cancelInstruction = (client: KeyPairSigner, request: Address): Instruction => getCancelRequestInstruction({ client, request });

/** lock_request naming `key` (default: the fixture servers' registered key, {@link x25519Key}). */
export const lockInstruction = (
  operator: KeyPairSigner,
  server: Address,
  request: Address,
  config: Address,
  key: Uint8Array = x25519Key(),
): Instruction => getLockRequestInstruction({ operator, server, request, config, x25519Key: key });

/** A chunk of `len` ciphertext bytes (the program only sees opaque bytes ending in a tag). */
export const chunk = (len: number, fill = 0xc3): Uint8Array => new Uint8Array(len).fill(fill);

export type AppendInput = {
  chunkIndex: number;
  isFinal: boolean;
  ciphertext: Uint8Array;
  reserveBytes?: number;
  /** Response account to pass instead of the canonical PDA (the program creates the response at the
   * address the request names with its `response_bump`; append_response carries no bump). */
  response?: Address;
  server?: Address;
};

export async function appendResponseInstruction(
  operator: KeyPairSigner,
  server: Address,
  request: Address,
  input: AppendInput,
): Promise<Instruction> {
  const response = input.response ?? (await responsePda(request))[0];
  return getAppendResponseInstruction({
    operator,
    server: input.server ?? server,
    request,
    response,
    chunkIndex: input.chunkIndex,
    isFinal: input.isFinal,
    reserveBytes: input.reserveBytes ?? 0,
    ciphertext: input.ciphertext,
  });
}

export const completeInstruction = (input: {
  operator: KeyPairSigner;
  server: Address;
  request: Address;
  response: Address;
  client: Address;
  feeVault: Address;
  tokensIn: number;
  tokensOut: number;
}): Instruction => getCompleteRequestInstruction(input);

/** The Config PDA (derived once: `expire_request` takes it for the abandon penalty). */
const CONFIG_ADDRESS: Address = await configAddress();

export const expireInstruction = (input: {
  request: Address;
  client: Address;
  config?: Address;
  server?: Address;
  response?: Address;
  operator?: Address;
}): Instruction => getExpireRequestInstruction({ ...input, config: input.config ?? CONFIG_ADDRESS });

export const rateInstruction = (client: KeyPairSigner, response: Address, server: Address, rating: number): Instruction =>
  getRateServerInstruction({ client, response, server, rating });

export const closeResponseInstruction = (caller: KeyPairSigner, response: Address, operator: Address, config: Address): Instruction =>
  getCloseResponseInstruction({ caller, response, operator, config });

export function readRequest(t: TestSvm, address: Address): Request {
  const data = dataOf(t.svm, address);
  if (!data) throw new Error(`no Request account at ${address}`);
  return getRequestDecoder().decode(data);
}

export function readResponse(t: TestSvm, address: Address): Response {
  const data = dataOf(t.svm, address);
  if (!data) throw new Error(`no Response account at ${address}`);
  return getResponseDecoder().decode(data);
}

export const accountExists = (t: TestSvm, address: Address): boolean => t.svm.getAccount(address).exists;

/**
 * Lamport conservation across a whole scenario. Every account a ledger transaction touches is
 * tracked from its balance just before the first transaction that referenced it; transaction fees
 * (landed or failed) are summed. `expectConserved()` checks
 *
 *     Σ tracked balances now == Σ tracked balances at first sight − Σ fees
 *
 * which holds only if nothing but fees left the set of accounts the scenario touched.
 */
export class Ledger {
  private readonly initial = new Map<Address, bigint>();
  fees = 0n;
  transactions = 0;

  constructor(private readonly t: TestSvm) {}

  /** Starts tracking `address` at its current balance (for accounts funded before any transaction). */
  track(...addresses: Address[]): this {
    for (const a of addresses) if (!this.initial.has(a)) this.initial.set(a, balanceOf(this.t.svm, a));
    return this;
  }

  private record(report: TxReport): void {
    for (const [address, before] of report.before) if (!this.initial.has(address)) this.initial.set(address, before);
    this.fees += report.fee;
    this.transactions++;
  }

  /** `send` through the harness (which checks the transaction's own conservation), recorded. */
  async send(instructions: readonly Instruction[] | Instruction, options: SendOptions = {}): Promise<TxReport> {
    try {
      const report = await send(this.t, instructions, options);
      this.record(report);
      return report;
    } catch (error) {
      if (error instanceof TransactionFailedError) this.record(error.report);
      throw error;
    }
  }

  /** Σ initial − Σ now − fees (0 when conserved). */
  imbalance(): bigint {
    let initial = 0n;
    let now = 0n;
    for (const [address, balance] of this.initial) {
      initial += balance;
      now += balanceOf(this.t.svm, address);
    }
    return initial - now - this.fees;
  }

  /** Throws unless lamports were conserved across every tracked account. */
  expectConserved(): void {
    const imbalance = this.imbalance();
    if (imbalance !== 0n) {
      throw new Error(
        `lamports not conserved across the scenario: Σ before − Σ after − fees = ${imbalance} ` +
          `over ${this.initial.size} accounts and ${this.transactions} transactions`,
      );
    }
  }
}

/** A sender without scenario tracking (same interface as Ledger.send). */
export const plainSender = (t: TestSvm) => ({
  send: (instructions: readonly Instruction[] | Instruction, options: SendOptions = {}) => send(t, instructions, options),
});

/** Anything that lands transactions: a {@link Ledger} or {@link plainSender}. */
export type Sender = {
  send: (instructions: readonly Instruction[] | Instruction, options?: SendOptions) => Promise<TxReport>;
};

/** The client replaces allow-list entry `replaceIndex` with `entry` (naming `server` unless told). */
export const handOffInstruction = (
  client: KeyPairSigner,
  request: Address,
  replaceIndex: number,
  entry: AllowedServerArgs,
  server: Address = entry.server,
): Instruction => getHandOffRequestInstruction({ client, request, server, replaceIndex, entry });

/** The server's operator locks the request with `key` (default: the fixture servers' registered key). */
export async function lock(
  sender: Sender,
  market: Market,
  request: Address,
  server: RegisteredServer = market.servers[0]!,
  key?: Uint8Array,
): Promise<TxReport> {
  return sender.send(lockInstruction(server.operator, server.server, request, market.cfg.config, key), {
    feePayer: server.operator,
  });
}

/** Streams chunks of the given ciphertext lengths starting at `from`; the last one is final unless told. */
export async function stream(
  sender: Sender,
  server: RegisteredServer,
  request: Address,
  lengths: number[],
  options: { from?: number; final?: boolean; reserveBytes?: number } = {},
): Promise<TxReport[]> {
  const reports: TxReport[] = [];
  const from = options.from ?? 0;
  for (const [i, len] of lengths.entries()) {
    const ix = await appendResponseInstruction(server.operator, server.server, request, {
      chunkIndex: from + i,
      isFinal: (options.final ?? true) && i === lengths.length - 1,
      ciphertext: chunk(len, (from + i) & 0xff),
      reserveBytes: options.reserveBytes ?? 0,
    });
    reports.push(await sender.send(ix, { feePayer: server.operator }));
  }
  return reports;
}

/** The server settles the request it answered. */
export async function complete(
  sender: Sender,
  market: Market,
  server: RegisteredServer,
  request: { address: Address; client: Address; feeShard: number },
  tokensIn: number,
  tokensOut: number,
): Promise<TxReport> {
  const [response] = await responsePda(request.address);
  return sender.send(
    completeInstruction({
      operator: server.operator,
      server: server.server,
      request: request.address,
      response,
      client: request.client,
      feeVault: market.cfg.feeVaults[request.feeShard]!,
      tokensIn,
      tokensOut,
    }),
    { feePayer: server.operator },
  );
}

/** `nonce % 16`, the request's fee vault shard. */
export const feeShardOf = (nonce: bigint): number => Number(nonce % 16n);
