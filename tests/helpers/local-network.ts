/**
 * A local network for fault tests: the real program on the in-process LiteSVM chain, served over
 * Solana JSON-RPC on 127.0.0.1 (`startLocalRpcServer`), the protocol initialized, and the SDK calls a
 * test server makes (lock, stream encrypted chunks, complete) through any {@link Chain}.
 */
import { generateKeyPairSigner, type Address, type KeyPairSigner } from "@solana/kit";
import {
  appendResponseChunk,
  CHAINFERENCE_PROGRAM_ADDRESS,
  completeRequest,
  decryptPrompt,
  defaultProtocolParameters,
  deriveServerResponseKey,
  encryptResponseChunk,
  fetchRequestAccount,
  fetchServers,
  findWrappedDataKey,
  generateX25519KeyPair,
  initializeProtocol,
  lockRequest,
  ensureBond,
  publishServer,
  unwrapDataKey,
  type Chain,
  type PromptPayload,
  type SentTransaction,
  type ServerWithAddress,
  type X25519KeyPair,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";
import { startLocalRpcServer, type LocalRpcServer } from "@chainference/localnet";
import { PROGRAM_SO } from "./svm";

export const SOL = 1_000_000_000n;
export const TEST_MODEL = "chainference/fault-test-model";
export const PRICE_IN = 1_000_000n;
export const PRICE_OUT = 4_000_000n;

export type LocalNetwork = {
  readonly chain: LiteSvmChain;
  readonly rpc: LocalRpcServer;
  readonly admin: KeyPairSigner;
  readonly treasury: Address;
  close(): Promise<void>;
};

/** The program deployed, Config initialized, served at http://127.0.0.1:<free port>. Slots move only by warp unless `slotDurationMs`. */
export async function startLocalNetwork(options: { slotDurationMs?: number } = {}): Promise<LocalNetwork> {
  const chain = createLiteSvmChain({
    programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }],
    slotDurationMs: options.slotDurationMs ?? 0,
  });
  const admin = await generateKeyPairSigner();
  const treasury = (await generateKeyPairSigner()).address;
  await chain.airdrop(admin.address, 10n * SOL);
  setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(chain, admin, defaultProtocolParameters(treasury));
  const rpc = await startLocalRpcServer(chain, 0);
  return { chain, rpc, admin, treasury, close: () => rpc.close() };
}

export async function fundedSigner(chain: LiteSvmChain, lamports = 10n * SOL): Promise<KeyPairSigner> {
  const signer = await generateKeyPairSigner();
  await chain.airdrop(signer.address, lamports);
  return signer;
}

/** A registered server: operator wallet, its X25519 keys, its server account. */
export type TestOperator = { readonly signer: KeyPairSigner; readonly keys: X25519KeyPair; readonly server: Address };

export async function registerOperator(network: LocalNetwork, chain: Chain = network.chain): Promise<TestOperator> {
  const signer = await fundedSigner(network.chain);
  const keys = generateX25519KeyPair();
  const { server } = await publishServer(chain, signer, {
    x25519Key: keys.publicKey,
    endpoint: "",
    models: [{ hfId: TEST_MODEL, revision: "", quantization: "Q4_1", priceIn: PRICE_IN, priceOut: PRICE_OUT, maxContext: 8_192 }],
  });
  await ensureBond(chain, signer); // the Config's minimum bond, so it may lock
  return { signer, keys, server };
}

/** The listings of `operators` as a client reads them (allow-list input for postRequest). */
export async function listingsOf(chain: Chain, operators: readonly TestOperator[]): Promise<ServerWithAddress[]> {
  const all = await fetchServers(chain, { model: TEST_MODEL });
  return operators.map((op) => {
    const found = all.find((s) => s.address === op.server);
    if (!found) throw new Error(`server ${op.server} not listed`);
    return found;
  });
}

export const payload = (content: string): PromptPayload => ({ v: 1, messages: [{ role: "user", content }], maxTokens: 16 });

/** Locks (unless already locked by `op`), decrypts the prompt, streams `parts` and a final empty chunk, completes. */
export async function answerWithSdk(
  chain: Chain,
  op: TestOperator,
  request: Address,
  parts: readonly string[],
  /** finalChunk: true (default) adds an empty final chunk, "last" marks the last part final (as the node does), false sends none. */
  options: { lock?: boolean; complete?: boolean; finalChunk?: boolean | "last"; tokensOut?: number } = {},
): Promise<{ sent: SentTransaction[]; prompt: string; tokensOut: number }> {
  const sent: SentTransaction[] = [];
  if (options.lock !== false) sent.push(await lockRequest(chain, op.signer, request, op.keys.publicKey));
  const account = await fetchRequestAccount(chain, request);
  if (!account) throw new Error(`request ${request} not found`);
  const entry = findWrappedDataKey({ allowed: account.allowed, server: op.server });
  const dataKey = unwrapDataKey({
    serverSecret: op.keys.secretKey,
    clientKey: account.clientKey,
    requestAddress: request,
    server: op.server,
    wrappedKey: entry.wrappedKey,
  });
  const prompt = decryptPrompt({ dataKey, requestAddress: request, ciphertext: account.promptCiphertext });
  const responseKey = deriveServerResponseKey({
    lockerSecret: op.keys.secretKey,
    clientKey: account.clientKey,
    dataKey,
    requestAddress: request,
  });
  const finalChunk = options.finalChunk ?? true;
  const chunks = finalChunk === true ? [...parts, ""] : [...parts];
  for (const [index, text] of chunks.entries()) {
    const isFinal = finalChunk !== false && index === chunks.length - 1;
    const ciphertext = encryptResponseChunk({
      responseKey,
      requestAddress: request,
      index,
      isFinal,
      plaintext: new TextEncoder().encode(text),
    });
    sent.push(await appendResponseChunk(chain, op.signer, { request, chunkIndex: index, isFinal, ciphertext, reserveBytes: 512 }));
  }
  const tokensOut = options.tokensOut ?? parts.join("").length;
  if (options.complete !== false) sent.push(await completeRequest(chain, op.signer, { request: account, tokensIn: 4, tokensOut }));
  return { sent, prompt: prompt.messages[0]?.content ?? "", tokensOut };
}

export const feesOf = (sent: readonly SentTransaction[]): bigint => sent.reduce((sum, t) => sum + t.fee, 0n);

/** Σ lamports over `addresses` (0 for missing accounts), read from the in-process chain itself. */
export async function lamportSum(chain: LiteSvmChain, addresses: readonly Address[]): Promise<bigint> {
  return (await chain.getAccounts(addresses)).reduce((sum, a) => sum + (a?.lamports ?? 0n), 0n);
}
