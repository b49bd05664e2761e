import { beforeAll, describe, expect, it } from "vitest";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getTransactionMessageSize,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
  type Instruction,
  type KeyPairSigner,
  type TransactionSigner,
} from "@solana/kit";
import {
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
  CHAINFERENCE_PROGRAM_ADDRESS,
  TRANSACTION_SIZE_LIMIT,
  appendResponseChunk,
  cancelRequest,
  checkEligibility,
  checkResponseAddress,
  completeRequest,
  computeSettlement,
  decryptPrompt,
  defaultProtocolParameters,
  describeProgramFailure,
  deriveClientResponseKey,
  deriveServerResponseKey,
  encryptResponseChunk,
  expireRequest,
  fetchHistory,
  fetchLockedRequests,
  fetchOpenRequests,
  fetchRequestAccount,
  fetchResponseAccount,
  fetchServers,
  findFeeVaults,
  findResponsePda,
  findWrappedDataKey,
  generateX25519KeyPair,
  handOffUntilLocked,
  initializeProtocol,
  isTransactionFailed,
  lockRequest,
  postRequest,
  ensureBond,
  publishServer,
  unwrapDataKey,
  watchResponse,
  type PromptPayload,
  type RequestAccount,
  type ResponseEvent,
  type HandOff,
  type ServerWithAddress,
  type TransactionFailedError,
  type X25519KeyPair,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";
import { PROGRAM_SO } from "../helpers/svm";

const MODEL = "google/gemma-3-270m-it";
const PRICE_IN = 1_000_000n; // lamports per 1M tokens
const PRICE_OUT = 4_000_000n;
const SOL = 1_000_000_000n;

type Operator = { signer: KeyPairSigner; keys: X25519KeyPair; server: Address };

async function setup() {
  const chain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }] });
  const [admin, treasury, client] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner(), generateKeyPairSigner()]);
  for (const who of [admin, client]) await chain.airdrop(who.address, 10n * SOL);
  setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(chain, admin, defaultProtocolParameters(treasury.address));
  const operators: Operator[] = [];
  for (let i = 0; i < 2; i++) {
    const signer = await generateKeyPairSigner();
    await chain.airdrop(signer.address, 10n * SOL);
    const keys = generateX25519KeyPair();
    const { server } = await publishServer(chain, signer, {
      x25519Key: keys.publicKey,
      endpoint: "",
      models: [{ hfId: MODEL, revision: "", quantization: "Q4_K_M", priceIn: PRICE_IN, priceOut: PRICE_OUT, maxContext: 32_768 }],
    });
    await ensureBond(chain, signer); // the Config's minimum bond, so it may lock
    operators.push({ signer, keys, server });
  }
  return { chain, client, treasury, operators };
}

/** Wire size of one transaction carrying `instructions` (v0 message, as the chains send it). */
function wireSize(instructions: readonly Instruction[], feePayer: TransactionSigner): number {
  return getTransactionMessageSize(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(feePayer, m),
      (m) =>
        setTransactionMessageLifetimeUsingBlockhash(
          { blockhash: "11111111111111111111111111111111" as Blockhash, lastValidBlockHeight: 0n },
          m,
        ),
      (m) => appendTransactionMessageInstructions(instructions, m),
    ),
  );
}

const payload = (content: string): PromptPayload => ({ v: 1, messages: [{ role: "user", content }], maxTokens: 64 });

/** A test server: lock, decrypt with its keyring secret, answer in chunks, settle. */
async function serve(chain: LiteSvmChain, op: Operator, request: RequestAccount, answer: string[]) {
  const sent = [await lockRequest(chain, op.signer, request.address, op.keys.publicKey)];
  const entry = findWrappedDataKey({ allowed: request.allowed, server: op.server });
  const dataKey = unwrapDataKey({
    serverSecret: op.keys.secretKey,
    clientKey: request.clientKey,
    requestAddress: request.address,
    server: op.server,
    wrappedKey: entry.wrappedKey,
  });
  const prompt = decryptPrompt({ dataKey, requestAddress: request.address, ciphertext: request.promptCiphertext });
  const responseKey = deriveServerResponseKey({
    lockerSecret: op.keys.secretKey,
    clientKey: request.clientKey,
    dataKey,
    requestAddress: request.address,
  });
  const parts = [...answer, ""];
  for (const [index, text] of parts.entries()) {
    const isFinal = index === parts.length - 1;
    const ciphertext = encryptResponseChunk({
      responseKey,
      requestAddress: request.address,
      index,
      isFinal,
      plaintext: new TextEncoder().encode(text),
    });
    sent.push(
      await appendResponseChunk(chain, op.signer, { request: request.address, chunkIndex: index, isFinal, ciphertext, reserveBytes: 1024 }),
    );
  }
  const tokensOut = answer.join("").length; // one byte per token: within the on-chain bound
  sent.push(await completeRequest(chain, op.signer, { request, tokensIn: 10, tokensOut }));
  return { prompt, tokensOut, fees: sent.reduce((sum, t) => sum + t.fee, 0n) };
}

describe("SDK request flow against the real program", () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let servers: ServerWithAddress[];
  /** The listed server account of an operator (listing order is the chain's, not registration order). */
  const listed = (op: Operator) => servers.find((s) => s.address === op.server)!;
  beforeAll(async () => {
    ctx = await setup();
    servers = await fetchServers(ctx.chain, { model: MODEL, activeOnly: true });
  });

  it("lists both servers as eligible for a request they can serve", () => {
    // Given a draft asking for the served model at prices above theirs
    const draft = { model: MODEL, maxPriceIn: PRICE_IN, maxPriceOut: PRICE_OUT, promptBytes: 200, stake: 10_000_000n };
    // Then the preview says every server could lock it
    expect(servers).toHaveLength(2);
    for (const s of servers) expect(checkEligibility(draft, s.address, s.server).eligible).toBe(true);
  });

  it("names every reason a server cannot take a draft", () => {
    // Given a draft that pins another model price and demands history
    const s = servers[0]!;
    const verdict = checkEligibility(
      {
        model: "org/other-model",
        maxPriceIn: 0n,
        maxPriceOut: 0n,
        promptBytes: 10,
        stake: 10_000_000n,
        minCompleted: 5n,
        allowed: [servers[1]!.address],
      },
      s.address,
      s.server,
    );
    // Then it is ineligible for each named reason
    expect(verdict.eligible).toBe(false);
    if (!verdict.eligible)
      expect(verdict.reasons.map((r) => r.reason)).toEqual(["not-allowed", "model-not-offered", "not-enough-completed"]);
  });

  it("streams an encrypted answer from the locking server to the client and settles exactly", async () => {
    const { chain, client, operators, treasury } = ctx;
    const op = operators[0]!;
    const feeVaults = await findFeeVaults();
    const watched = [client.address, op.signer.address, treasury.address, ...feeVaults];
    const before = await Promise.all(watched.map((a) => chain.getBalance(a)));
    // Given a request for this server (the other eligible one standing by)
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("Why is the sky blue?"),
      servers: [listed(op), ...servers.filter((s) => s.address !== op.server)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const [open] = await fetchOpenRequests(chain, { model: MODEL });
    expect(open?.address).toBe(posted.address);
    // When the first server locks, decrypts and answers in three chunks
    const { prompt, tokensOut, fees: serverFees } = await serve(chain, op, open!, ["Rayleigh ", "scattering", "."]);
    // Then it read the client's prompt, and the client decrypts the whole answer
    expect(prompt.messages[0]?.content).toBe("Why is the sky blue?");
    const events: ResponseEvent[] = [];
    for await (const event of watchResponse(chain, posted.address, posted.keys, { pollMs: 1 })) events.push(event);
    const text = events.flatMap((e) => (e.type === "chunk" ? [e.text] : [])).join("");
    expect(text).toBe("Rayleigh scattering.");
    const settled = events.at(-1);
    expect(settled?.type).toBe("settled");
    // And the settlement is the program's formula, with every lamport accounted for
    const expected = computeSettlement({
      tokensIn: 10n,
      tokensOut: BigInt(tokensOut),
      priceIn: PRICE_IN,
      priceOut: PRICE_OUT,
      stake: 10_000_000n,
      feeBps: 1000,
    });
    if (settled?.type === "settled") expect(settled.response.cost).toBe(expected.cost);
    const after = await Promise.all(watched.map((a) => chain.getBalance(a)));
    const response = settled?.type === "settled" ? settled.response : null;
    const responseRent = response ? await chain.getBalance(response.address) : 0n;
    const fees = posted.transactions.reduce((s, t) => s + t.fee, 0n) + serverFees;
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    expect(sum(before) - sum(after)).toBe(fees + responseRent);
    expect(after[0]! - before[0]!).toBe(-expected.cost - sum(posted.transactions.map((t) => t.fee)));
  });

  it("with a fan-out of 2 keeps the answer from the other named server, which can unwrap the prompt but not the response", async () => {
    const { chain, client, operators } = ctx;
    const [locker, other] = [operators[0]!, operators[1]!];
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("secret question"),
      servers,
      fanOut: 2,
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const request = (await fetchRequestAccount(chain, posted.address))!;
    await serve(chain, locker, request, ["secret answer"]);
    // The other allowed server derives "its" response key: it differs from the client's
    const entry = findWrappedDataKey({ allowed: request.allowed, server: other.server });
    const dataKey = unwrapDataKey({
      serverSecret: other.keys.secretKey,
      clientKey: request.clientKey,
      requestAddress: request.address,
      server: other.server,
      wrappedKey: entry.wrappedKey,
    });
    const forged = deriveServerResponseKey({
      lockerSecret: other.keys.secretKey,
      clientKey: request.clientKey,
      dataKey,
      requestAddress: request.address,
    });
    const real = deriveClientResponseKey({
      ephSecret: posted.keys.ephSecret,
      dataKey: posted.keys.dataKey,
      lockerKey: locker.keys.publicKey,
      requestAddress: request.address,
    });
    expect(Buffer.from(forged).equals(Buffer.from(real))).toBe(false);
  });

  it("by default names one server: only it can decrypt the prompt; the other registered, eligible server cannot", async () => {
    const { chain, client, operators } = ctx;
    const [reader, other] = [operators[0]!, operators[1]!];
    // Given a default request with both servers eligible, the reader first
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("for one reader only"),
      servers: [listed(reader), listed(other)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    // Then the allow-list holds the reader's wrap alone, the other server stands by
    expect(posted.named).toEqual([reader.server]);
    expect(posted.standby.map((s) => s.address)).toEqual([other.server]);
    const request = (await fetchRequestAccount(chain, posted.address))!;
    expect(request.allowed.map((a) => a.server)).toEqual([reader.server]);
    const [wrap] = request.allowed;
    const unwrapWith = (op: Operator, server: Address) => () =>
      unwrapDataKey({
        serverSecret: op.keys.secretKey,
        clientKey: request.clientKey,
        requestAddress: request.address,
        server,
        wrappedKey: wrap!.wrappedKey,
      });
    // And the reader decrypts the prompt
    const dataKey = unwrapWith(reader, reader.server)();
    const prompt = decryptPrompt({ dataKey, requestAddress: request.address, ciphertext: request.promptCiphertext });
    expect(prompt.messages[0]?.content).toBe("for one reader only");
    // And the other server has no entry, and its secret opens the reader's wrap under neither address
    expect(() => findWrappedDataKey({ allowed: request.allowed, server: other.server })).toThrow();
    expect(unwrapWith(other, other.server)).toThrow(expect.objectContaining({ code: CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH }));
    expect(unwrapWith(other, reader.server)).toThrow(expect.objectContaining({ code: CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH }));
    await cancelRequest(chain, client, posted.address);
  });

  it("hands the request to the next server when the named one is offline: it locks, answers and settles exactly", async () => {
    const { chain, client, operators, treasury } = ctx;
    const [offline, next] = [operators[0]!, operators[1]!];
    const feeVaults = await findFeeVaults();
    const watched = [client.address, offline.signer.address, next.signer.address, treasury.address, ...feeVaults];
    const before = await Promise.all(watched.map((a) => chain.getBalance(a)));
    // Given a default request naming a server that never locks
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("anyone there?"),
      servers: [listed(offline), listed(next)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    // When the client waits its hand-off time (short here) and hands it on
    const handOffs: HandOff[] = [];
    const end = await handOffUntilLocked(chain, client, posted, { waitMs: 10, onHandOff: (h) => handOffs.push(h) });
    // Then exactly one hand-off went from the offline server to the next, and no stand-by is left
    expect(end).toBe("no-standby-left");
    expect(handOffs.map((h) => [h.from, h.to])).toEqual([[offline.server, next.server]]);
    const request = (await fetchRequestAccount(chain, posted.address))!;
    expect(request.allowed.map((a) => a.server)).toEqual([next.server]);
    // And the offline server's secret opens nothing new: the only wrap is the next server's
    expect(() =>
      unwrapDataKey({
        serverSecret: offline.keys.secretKey,
        clientKey: request.clientKey,
        requestAddress: request.address,
        server: offline.server,
        wrappedKey: request.allowed[0]!.wrappedKey,
      }),
    ).toThrow(expect.objectContaining({ code: CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH }));
    // When the next server locks, decrypts and answers
    const { prompt, tokensOut, fees: serverFees } = await serve(chain, next, request, ["yes"]);
    expect(prompt.messages[0]?.content).toBe("anyone there?");
    // Then the client reads the answer and pays the program's formula; every lamport is accounted for
    const events: ResponseEvent[] = [];
    for await (const event of watchResponse(chain, posted.address, posted.keys, { pollMs: 1 })) events.push(event);
    expect(events.flatMap((e) => (e.type === "chunk" ? [e.text] : [])).join("")).toBe("yes");
    const settled = events.at(-1);
    if (settled?.type !== "settled") throw new Error(`expected a settlement, got ${settled?.type}`);
    const expected = computeSettlement({
      tokensIn: 10n,
      tokensOut: BigInt(tokensOut),
      priceIn: PRICE_IN,
      priceOut: PRICE_OUT,
      stake: 10_000_000n,
      feeBps: 1000,
    });
    expect(settled.response.cost).toBe(expected.cost);
    const after = await Promise.all(watched.map((a) => chain.getBalance(a)));
    const clientFees = posted.transactions.reduce((s, t) => s + t.fee, 0n) + handOffs[0]!.transaction.fee;
    const responseRent = await chain.getBalance(settled.response.address);
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    expect(sum(before) - sum(after)).toBe(clientFees + serverFees + responseRent);
    expect(after[0]! - before[0]!).toBe(-expected.cost - clientFees);
    expect(after[1]).toBe(before[1]);
  });

  it("names the canonical response PDA when it posts, so the server's answer lands where the client reads it", async () => {
    const { chain, client, operators } = ctx;
    // Given a posted request
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("where does it land?"),
      servers: [listed(operators[0]!)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const request = (await fetchRequestAccount(chain, posted.address))!;
    // Then it stores the canonical response bump (the address the server must create the response at)
    const [canonical, canonicalBump] = await findResponsePda({ request: posted.address });
    expect(request.responseBump).toBe(canonicalBump);
    expect(await checkResponseAddress(request)).toEqual({ canonical, canonicalBump, named: canonical, canonicalNamed: true });
    // And when a server answers, the response is at that address, the one watchResponse reads
    await serve(chain, operators[0]!, request, ["here"]);
    expect(await fetchResponseAccount(chain, canonical)).toMatchObject({ request: posted.address, bump: canonicalBump, completed: true });
  });

  it("splits a large prompt over append_prompt transactions and the server reads it whole", async () => {
    const { chain, client, operators } = ctx;
    const long = "lorem ipsum ".repeat(400); // ~4.8 KB
    // (every transaction is measured: LiteSVM does not enforce the 1,232-byte packet limit, a cluster does)
    const sizes: number[] = [];
    const measuring: LiteSvmChain = {
      ...chain,
      sendInstructions: (instructions, options) => {
        sizes.push(wireSize(instructions, options.feePayer));
        return chain.sendInstructions(instructions, options);
      },
    };
    const posted = await postRequest(measuring, {
      client,
      model: MODEL,
      payload: payload(long),
      servers: [listed(operators[1]!)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    expect(posted.transactions.length).toBeGreaterThan(4);
    // Every transaction fits the packet, and all but the last are filled to the byte
    expect(sizes).toHaveLength(posted.transactions.length);
    expect(sizes.slice(0, -1).every((n) => n === TRANSACTION_SIZE_LIMIT)).toBe(true);
    expect(sizes.at(-1)).toBeLessThanOrEqual(TRANSACTION_SIZE_LIMIT);
    const request = (await fetchRequestAccount(chain, posted.address))!;
    expect(request.sealed).toBe(true);
    const { prompt } = await serve(chain, operators[1]!, request, ["ok"]);
    expect(prompt.messages[0]?.content).toBe(long);
  });

  it("decrypts the wallet's history from chain data and the wallet alone", async () => {
    // Given the settled requests above (their request accounts are closed)
    const history = await fetchHistory(ctx.chain, ctx.client);
    // Then prompts come back from transaction history and answers from the response accounts
    const byPrompt = new Map(history.map((h) => [h.decrypted.prompt?.messages[0]?.content, h]));
    const sky = byPrompt.get("Why is the sky blue?");
    expect(sky?.promptSource).toBe("transaction-history");
    expect(new TextDecoder().decode(sky?.decrypted.response?.plaintext)).toBe("Rayleigh scattering.");
    expect(new TextDecoder().decode(byPrompt.get("secret question")?.decrypted.response?.plaintext)).toBe("secret answer");
  });

  it("cancels an open request and refunds stake and rent", async () => {
    const { chain, client } = ctx;
    const before = await chain.getBalance(client.address);
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("never mind"),
      servers,
      stake: 50_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    const sent = await cancelRequest(chain, client, posted.address);
    expect(await chain.getAccount(posted.address)).toBeNull();
    const fees = posted.transactions.reduce((s, t) => s + t.fee, 0n) + sent.fee;
    expect(await chain.getBalance(client.address)).toBe(before - fees);
  });

  it("lets anyone expire a locked request past its deadline: full refund plus the abandon penalty from the server's bond, expired count up", async () => {
    const { chain, client, operators } = ctx;
    const op = operators[1]!;
    const before = await chain.getBalance(client.address);
    const posted = await postRequest(chain, {
      client,
      model: MODEL,
      payload: payload("too slow"),
      servers: [listed(op)],
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
      responseTimeoutSlots: 75n, // the default protocol minimum
    });
    await lockRequest(chain, op.signer, posted.address, op.keys.publicKey);
    expect((await fetchLockedRequests(chain, op.server)).map((r) => r.address)).toEqual([posted.address]);
    chain.warpSlots(76n);
    const stranger = await generateKeyPairSigner();
    await chain.airdrop(stranger.address, SOL);
    await expireRequest(chain, stranger, (await fetchRequestAccount(chain, posted.address))!);
    expect(await chain.getAccount(posted.address)).toBeNull();
    const fees = posted.transactions.reduce((s, t) => s + t.fee, 0n);
    const { abandonPenalty, minBond } = defaultProtocolParameters(ctx.treasury.address);
    expect(await chain.getBalance(client.address)).toBe(before - fees + abandonPenalty);
    const [server] = (await fetchServers(chain)).filter((s) => s.address === op.server);
    expect(server?.server.expired).toBe(1n);
    expect(server?.server.bond).toBe(minBond - abandonPenalty);
  });

  it("reports an underfunded stake as the System program's insufficient lamports, not as a Chainference error", async () => {
    // Given a wallet that can pay the fee and the request's rent but not a 1 SOL stake
    const { chain } = ctx;
    const poor = await generateKeyPairSigner();
    await chain.airdrop(poor.address, SOL / 10n);
    const before = await chain.getBalance(poor.address);
    // When it posts the request
    const error = await postRequest(chain, {
      client: poor,
      payload: payload("hi"),
      servers,
      model: MODEL,
      stake: SOL,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    }).catch((e: unknown) => e);
    // Then the failure is the System program's Custom(1), returned inside create_request's transfer
    expect(isTransactionFailed(error)).toBe(true);
    const failure = (error as TransactionFailedError).failure;
    expect(failure).toMatchObject({ customCode: 1, programAddress: "11111111111111111111111111111111" });
    expect(describeProgramFailure(failure)).toMatchObject({ program: "system", name: "RESULT_WITH_NEGATIVE_LAMPORTS" });
    // And no Chainference code matches it (Custom(1) was InvalidInstructionData's code before the 0x2000 base)
    expect(isTransactionFailed(error, CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA)).toBe(false);
    expect((error as Error).message).toMatch(/System program RESULT_WITH_NEGATIVE_LAMPORTS: insufficient lamports/);
    // And nothing was charged (the embedded chain preflights like an RPC node)
    expect(await chain.getBalance(poor.address)).toBe(before);
  });

  it("refuses bad input before sending anything, with named errors", async () => {
    const { chain, client } = ctx;
    const base = { client, payload: payload("hi"), servers, maxPriceIn: PRICE_IN, maxPriceOut: PRICE_OUT };
    await expect(postRequest(chain, { ...base, model: "not-a-model", stake: 10_000_000n })).rejects.toMatchObject({
      code: CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID,
    });
    await expect(postRequest(chain, { ...base, model: MODEL, stake: 1n })).rejects.toMatchObject({
      code: CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
    });
    await expect(
      postRequest(chain, { ...base, model: MODEL, stake: 10_000_000n, payload: payload("x".repeat(20_000)) }),
    ).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE });
  });
});
