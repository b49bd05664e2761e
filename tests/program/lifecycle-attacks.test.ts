/**
 * Adversarial tests of the request lifecycle against the real target/deploy/chainference.so. Each
 * test is named after the attack and asserts the exact custom program error (or, for attacks the
 * runtime stops, the exact runtime error), and that a failed transaction moved nothing but its fee.
 *
 * The first half are named attacks on the rules (who may do what, when, with which values); the
 * second half is generated per instruction by `generateNegativeTests` (drop each signer, make each
 * writable account read-only and each read-only account writable, swap each program account for a
 * look-alike owned by another program or carrying another discriminator, fake system program,
 * truncated / trailing data, one account too few or too many).
 */
import { generateKeyPairSigner, type Address, type Instruction, type KeyPairSigner } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__ALREADY_RATED,
  CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH,
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
  CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER,
  CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH,
  CHAINFERENCE_ERROR__GRACE_PERIOD_ACTIVE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_CHUNK_LENGTH,
  CHAINFERENCE_ERROR__INVALID_FILTER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_RATING,
  CHAINFERENCE_ERROR__INVALID_REVISION,
  CHAINFERENCE_ERROR__INVALID_TIMEOUT,
  CHAINFERENCE_ERROR__MISSING_ACCOUNT,
  CHAINFERENCE_ERROR__MODEL_NOT_OFFERED,
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED,
  CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__PRICE_ABOVE_MAX,
  CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
  CHAINFERENCE_ERROR__PROMPT_NOT_SEALED,
  CHAINFERENCE_ERROR__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__PROTOCOL_PAUSED,
  CHAINFERENCE_ERROR__RATING_TOO_LOW,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__REQUEST_NOT_LOCKED,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  CHAINFERENCE_ERROR__RESPONSE_FINAL,
  CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
  CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL,
  CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE,
  CHAINFERENCE_ERROR__SERVER_INACTIVE,
  CHAINFERENCE_ERROR__SERVER_MISMATCH,
  CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED,
  CHAINFERENCE_ERROR__STAKE_BELOW_PROMPT_COST,
  CHAINFERENCE_ERROR__STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW,
  CHAINFERENCE_ERROR__TOKENS_IN_ABOVE_BOUND,
  CHAINFERENCE_ERROR__TOKENS_OUT_ABOVE_BOUND,
  CHAINFERENCE_ERROR__TOO_MANY_ALLOWED_SERVERS,
  getUpdateConfigInstructionAsync,
  getUpdateServerInstructionAsync,
} from "../../clients/js/src/generated";
import { expectRejected, expectRuntimeError, generateNegativeTests, type NegativeCase } from "../helpers/attacks";
import { expectProgramError } from "../helpers/errors";
import { DEFAULT_LIMITS, readServer, registerServer, type RegisteredServer } from "../helpers/fixtures";
import { setDataByte, systemTransfer } from "../helpers/instructions";
import { lamportDelta } from "../helpers/lamports";
import {
  CHUNK_TAG_LEN,
  DEFAULT_REQUEST,
  MAX_ALLOWED_SERVERS,
  PRICED_MODEL,
  REQUEST_HEADER_SIZE,
  accountExists,
  allowed,
  appendPromptInstruction,
  appendResponseInstruction,
  cancelInstruction,
  chunk,
  closeResponseInstruction,
  complete,
  completeInstruction,
  createRequest,
  createRequestInstruction,
  expireInstruction,
  feeShardOf,
  freshNonce,
  lock,
  lockInstruction,
  nonCanonicalPda,
  onCurveBump,
  plainSender,
  rateInstruction,
  readRequest,
  readResponse,
  requestPda,
  requestSeeds,
  responsePda,
  responseSeeds,
  setupMarket,
  stream,
  type Market,
  type OpenRequest,
  type RequestParams,
} from "../helpers/lifecycle";
import {
  balanceOf,
  createTestSvm,
  currentSlot,
  fundedSigner,
  rentExempt,
  send,
  warpSlots,
  type TestSvm,
} from "../helpers/svm";

let t: TestSvm;
let market: Market;
let A: RegisteredServer;
let B: RegisteredServer;

beforeEach(async () => {
  t = await createTestSvm();
  market = await setupMarket(t, { servers: 2 });
  [A, B] = market.servers as [RegisteredServer, RegisteredServer];
});

const sender = () => plainSender(t);
const open = (params: Partial<RequestParams> = {}, client?: KeyPairSigner): Promise<OpenRequest> =>
  createRequest(t, params, client ? { client } : {});

async function locked(params: Partial<RequestParams> = {}, server: RegisteredServer = A) {
  const req = await open(params);
  await lock(sender(), market, req.address, server);
  const [response] = await responsePda(req.address);
  return { req, response };
}

/** Locked by A, its client having stored `responseBump(request address)` instead of the canonical bump. */
async function lockedNaming(responseBump: (request: Address) => Promise<number>) {
  const client = await fundedSigner(t.svm);
  const nonce = freshNonce();
  const [address] = await requestPda(client.address, nonce);
  const req = await createRequest(t, {}, { client, nonce, responseBump: await responseBump(address) });
  await lock(sender(), market, req.address, A);
  const [response] = await responsePda(req.address);
  return { req, response };
}

/** Locked by `server` and answered (final unless told) with chunks of `lengths`. */
async function answered(
  lengths = [200],
  params: Partial<RequestParams> = {},
  server: RegisteredServer = A,
  final = true,
) {
  const r = await locked(params, server);
  await stream(sender(), server, r.req.address, lengths, { final });
  return r;
}

const target = (req: OpenRequest) => ({
  address: req.address,
  client: req.client.address,
  feeShard: feeShardOf(req.nonce),
});

async function completed(params: Partial<RequestParams> = {}, server: RegisteredServer = A) {
  const r = await answered([200], params, server);
  await complete(sender(), market, server, target(r.req), 10, 10);
  return r;
}

const completeIx = (
  r: { req: OpenRequest; response: Address },
  overrides: Partial<Parameters<typeof completeInstruction>[0]> = {},
  server: RegisteredServer = A,
): Instruction =>
  completeInstruction({
    operator: server.operator,
    server: server.server,
    request: r.req.address,
    response: r.response,
    client: r.req.client.address,
    feeVault: market.cfg.feeVaults[feeShardOf(r.req.nonce)]!,
    tokensIn: 10,
    tokensOut: 10,
    ...overrides,
  });

const appendIx = (
  server: RegisteredServer,
  request: Address,
  input: Partial<Parameters<typeof appendResponseInstruction>[3]> = {},
  signer: KeyPairSigner = server.operator,
) =>
  appendResponseInstruction(signer, server.server, request, {
    chunkIndex: 0,
    isFinal: false,
    ciphertext: chunk(100),
    ...input,
  });

async function pause(): Promise<void> {
  await send(
    t,
    await getUpdateConfigInstructionAsync({
      admin: market.cfg.admin,
      newAdmin: market.cfg.admin.address,
      treasury: market.cfg.treasury,
      paused: true,
      ...DEFAULT_LIMITS,
    }),
    { feePayer: market.cfg.admin },
  );
}

/** Gives `server` history through real transactions: `completions` completed (rated), `expiries` expired. */
async function history(server: RegisteredServer, completions: number, expiries: number, rating?: number) {
  for (let i = 0; i < completions; i++) {
    const { req, response } = await completed({}, server);
    if (rating !== undefined)
      await send(t, rateInstruction(req.client, response, server.server, rating), { feePayer: req.client });
  }
  for (let i = 0; i < expiries; i++) {
    const { req } = await locked({ responseTimeout: 1n }, server);
    warpSlots(t.svm, 2n);
    await send(t, expireInstruction({ request: req.address, client: req.client.address, server: server.server }));
  }
}

describe("create_request attacks", () => {
  it("create with a stake below min_stake → StakeTooLow", async () => {
    // Given a stake one lamport below the minimum / When created / Then StakeTooLow
    await expectProgramError(open({ stake: DEFAULT_LIMITS.minStake - 1n }), CHAINFERENCE_ERROR__STAKE_TOO_LOW);
  });

  it("create with a response timeout above max_response_timeout → InvalidTimeout", async () => {
    await expectProgramError(
      open({ responseTimeout: DEFAULT_LIMITS.maxResponseTimeout + 1n }),
      CHAINFERENCE_ERROR__INVALID_TIMEOUT,
    );
  });

  it("create declaring a prompt above max_prompt_bytes → PromptTooLarge", async () => {
    await expectProgramError(
      open({ promptLen: DEFAULT_LIMITS.maxPromptBytes + 1, prompt: new Uint8Array(10) }),
      CHAINFERENCE_ERROR__PROMPT_TOO_LARGE,
    );
  });

  it("create sending more prompt bytes than prompt_len → PromptLengthMismatch", async () => {
    await expectProgramError(
      open({ promptLen: 10, prompt: new Uint8Array(11) }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });

  it.each([
    ["no slash", "noslash"],
    ["a double dot", "org/na..me"],
    ["a space", "org/na me"],
  ])("create for a model id with %s → InvalidModelId", async (_label, id) => {
    await expectProgramError(open({ model: id }), CHAINFERENCE_ERROR__INVALID_MODEL_ID);
  });

  it("create pinning a revision with invalid characters → InvalidRevision", async () => {
    await expectProgramError(open({ revision: "main branch" }), CHAINFERENCE_ERROR__INVALID_REVISION);
  });

  it("create listing the same server twice → DuplicateAllowedServer", async () => {
    await expectProgramError(
      open({ allowed: [allowed(A.server), allowed(B.server), allowed(A.server, 1)] }),
      CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER,
    );
  });

  it("create with 9 allowed servers → TooManyAllowedServers", async () => {
    const list = await Promise.all(
      Array.from({ length: MAX_ALLOWED_SERVERS + 1 }, async () => allowed((await fundedSigner(t.svm)).address)),
    );
    await expectProgramError(
      open({ allowed: list, promptLen: 0, prompt: new Uint8Array() }),
      CHAINFERENCE_ERROR__TOO_MANY_ALLOWED_SERVERS,
    );
  });

  it.each([
    ["min_success_bps = 10,001", { minSuccessBps: 10_001 }],
    ["min_avg_rating = 501", { minAvgRating: 501 }],
  ])("create with %s → InvalidFilter", async (_label, params) => {
    await expectProgramError(open(params), CHAINFERENCE_ERROR__INVALID_FILTER);
  });

  it("create while the protocol is paused → ProtocolPaused", async () => {
    await pause();
    await expectProgramError(open(), CHAINFERENCE_ERROR__PROTOCOL_PAUSED);
  });

  it("create whose account would exceed the 10 KiB CPI growth limit → PromptTooLarge", async () => {
    // Given a config allowing 16 KiB prompts and a 10,000-byte prompt (393 + 10,000 > 10,240)
    await expectProgramError(
      open({ promptLen: 10_000, prompt: new Uint8Array(10) }),
      CHAINFERENCE_ERROR__PROMPT_TOO_LARGE,
    );
  });

  it("create again over an existing request (same client and nonce) → AlreadyInitialized", async () => {
    // Given an open request
    const req = await open();
    // When the client creates with the same nonce / Then AlreadyInitialized
    await expectProgramError(
      createRequest(t, {}, { client: req.client, nonce: req.nonce }),
      CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
    );
  });

  it("create with another valid bump than the canonical address's → the CPI fails (PrivilegeEscalation)", async () => {
    // Given the canonical address with a valid but non-canonical bump in the data
    const client = await fundedSigner(t.svm);
    const nonce = freshNonce();
    const [address, canonical] = await requestPda(client.address, nonce);
    const [, other] = await nonCanonicalPda(requestSeeds(client.address, nonce), canonical);
    const ix = await createRequestInstruction(client, nonce, {}, { bump: other });
    // When / Then the runtime refuses to sign for an address the seeds do not derive
    await expectRuntimeError(send(t, ix, { feePayer: client }), /PrivilegeEscalation/);
    expect(accountExists(t, address)).toBe(false);
  });

  it("create with a bump whose seeds land on the curve → the CPI fails (no program address)", async () => {
    // Given a bump for which no program address exists
    const client = await fundedSigner(t.svm);
    const nonce = freshNonce();
    const bump = await onCurveBump(requestSeeds(client.address, nonce));
    const ix = await createRequestInstruction(client, nonce, {}, { bump });
    // When / Then
    const error = await expectRuntimeError(send(t, ix, { feePayer: client }), /ProgramFailedToComplete/);
    expect(error.report.logs.join("\n")).toMatch(/Could not create program address with signer seeds/);
  });

  // Accepted by design (docs/design-decisions.md): the client picks its own request address; a
  // non-canonical one only affects the client's own lookups, and nodes work from the account they
  // find, so nothing any other party relies on depends on the request bump being canonical.
  it("create at a non-canonical request PDA lands: it only changes the client's own lookup", async () => {
    // Given the highest valid bump below the canonical one, and the address it derives
    const client = await fundedSigner(t.svm);
    const nonce = freshNonce();
    const [, canonical] = await requestPda(client.address, nonce);
    const nonCanonical = await nonCanonicalPda(requestSeeds(client.address, nonce), canonical);
    const ix = await createRequestInstruction(client, nonce, {}, { request: nonCanonical });
    // When the client creates its request there / Then it lands (lamports checked by the harness)
    await send(t, ix, { feePayer: client });
  });

  it("create with a keypair account signing as the request → InvalidPda", async () => {
    // Given a keypair in the request slot that also signs
    const client = await fundedSigner(t.svm);
    const fake = await generateKeyPairSigner();
    const nonce = freshNonce();
    const ix = await createRequestInstruction(client, nonce, {}, { request: [fake.address, 255] as never });
    const accounts = ix.accounts!.map((m, i) => (i === 1 ? { ...m, role: 3, signer: fake } : m));
    // When / Then
    await expectProgramError(
      send(t, { ...ix, accounts } as Instruction, { feePayer: client }),
      CHAINFERENCE_ERROR__INVALID_PDA,
    );
  });

  it("a pre-funded request address (griefer sent lamports first) still lets the client create", async () => {
    // Given a griefer sent 1,000,000 lamports to the future request address
    const client = await fundedSigner(t.svm);
    const nonce = freshNonce();
    const [address] = await requestPda(client.address, nonce);
    const griefer = await fundedSigner(t.svm);
    await send(t, systemTransfer(griefer, address, 1_000_000n), { feePayer: griefer });
    // When the client creates the request
    const req = await createRequest(t, {}, { client, nonce });
    // Then it exists, holding rent + stake (the client paid only the shortfall)
    const need = rentExempt(t.svm, REQUEST_HEADER_SIZE + DEFAULT_REQUEST.promptLen) + DEFAULT_REQUEST.stake;
    expect(balanceOf(t.svm, address)).toBe(need);
    expect(lamportDelta(req.report, client.address)).toBe(-(need - 1_000_000n + req.report.fee));
    expect(readRequest(t, address).status).toBe(0);
  });
});

describe("append_prompt attacks", () => {
  const unsealed = () => open({ promptLen: 500, prompt: new Uint8Array(100) });

  it("append_prompt by a stranger → ClientMismatch", async () => {
    const req = await unsealed();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, appendPromptInstruction(stranger, req.address, 100, new Uint8Array(10)), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it.each([
    ["rewriting already written bytes (offset 0)", 0],
    ["leaving a gap (offset 101)", 101],
  ])("append_prompt %s → PromptLengthMismatch", async (_label, offset) => {
    const req = await unsealed();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, offset, new Uint8Array(10)), { feePayer: req.client }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });

  it("append_prompt overflowing prompt_len → PromptLengthMismatch", async () => {
    const req = await unsealed();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, 100, new Uint8Array(401)), { feePayer: req.client }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });

  it("append_prompt to a sealed request → PromptLengthMismatch", async () => {
    const req = await open();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, DEFAULT_REQUEST.promptLen, new Uint8Array(1)), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });
});

describe("cancel_request attacks", () => {
  it("cancel after lock (stealing the stake back from the server) → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(
      send(t, cancelInstruction(req.client, req.address), { feePayer: req.client }),
      CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
    );
  });

  it("cancel by a stranger → ClientMismatch", async () => {
    const req = await open();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, cancelInstruction(stranger, req.address), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });
});

describe("lock_request attacks", () => {
  it("lock by a server not on the allow-list → ServerNotAllowed", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await expectProgramError(lock(sender(), market, req.address, B), CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED);
  });

  it("double lock by a second server → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(lock(sender(), market, req.address, B), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
  });

  it("double lock by the same server (inflating active_locks) → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
    expect(readServer(t, A.server).activeLocks).toBe(1);
  });

  it("lock after open_until → RequestExpired", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
  });

  it("lock of an unsealed request → PromptNotSealed", async () => {
    const req = await open({ promptLen: 500, prompt: new Uint8Array(100) });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PROMPT_NOT_SEALED);
  });

  it("lock with the server's price above the client's max → PriceAboveMax", async () => {
    const req = await open({ maxPriceOut: PRICED_MODEL.priceOut - 1n });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PRICE_ABOVE_MAX);
  });

  it("lock by a server that does not offer the model (or the pinned revision) → ModelNotOffered", async () => {
    const other = await open({ model: "org/other-model" });
    await expectProgramError(lock(sender(), market, other.address, A), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
    const pinned = await open({ revision: "v9" });
    await expectProgramError(lock(sender(), market, pinned.address, A), CHAINFERENCE_ERROR__MODEL_NOT_OFFERED);
  });

  it("lock without the required completed count → NotEnoughCompleted", async () => {
    await history(A, 1, 0);
    const req = await open({ minCompleted: 2n });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED);
  });

  it("lock without the required success rate (1 completed, 1 expired = 50 %) → SuccessRateTooLow", async () => {
    await history(A, 1, 1);
    const req = await open({ minSuccessBps: 5_001 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW);
    // And exactly 50 % passes
    const ok = await open({ minSuccessBps: 5_000 });
    await lock(sender(), market, ok.address, A);
  });

  it("lock without the required average rating (3.00 < 3.01) → RatingTooLow", async () => {
    await history(A, 1, 0, 3);
    const req = await open({ minAvgRating: 301 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__RATING_TOO_LOW);
  });

  it("lock by an unrated server when any rating is required → RatingTooLow", async () => {
    const req = await open({ minAvgRating: 1 });
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__RATING_TOO_LOW);
  });

  it("lock with a stake below the prompt's cost at the server's price → StakeBelowPromptCost", async () => {
    // Given a server charging 10^12 per million input tokens: 200 prompt bytes cost 200,000,000
    const pricey = await registerServer(t, { models: [{ ...PRICED_MODEL, priceIn: 1_000_000_000_000n }] });
    const req = await open({ maxPriceIn: 1_000_000_000_000n, stake: 199_999_999n });
    await expectProgramError(lock(sender(), market, req.address, pricey), CHAINFERENCE_ERROR__STAKE_BELOW_PROMPT_COST);
    // And a stake of exactly the prompt cost passes
    const ok = await open({ maxPriceIn: 1_000_000_000_000n, stake: 200_000_000n });
    await lock(sender(), market, ok.address, pricey);
  });

  it("lock signed by someone other than the server's operator → OperatorMismatch", async () => {
    const req = await open();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, lockInstruction(stranger, A.server, req.address, market.cfg.config), { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("lock while the protocol is paused → ProtocolPaused", async () => {
    const req = await open();
    await pause();
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__PROTOCOL_PAUSED);
  });

  it("lock by a deactivated server → ServerInactive", async () => {
    const req = await open();
    await send(
      t,
      await getUpdateServerInstructionAsync({
        operator: A.operator,
        x25519Key: new Uint8Array(32).fill(7),
        endpoint: "",
        active: false,
        models: [PRICED_MODEL],
      }),
      { feePayer: A.operator },
    );
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__SERVER_INACTIVE);
  });

  it("lock passing the request as the server (one account, two roles) → InvalidAccountData", async () => {
    const req = await open();
    await expectProgramError(
      send(t, lockInstruction(A.operator, req.address, req.address, market.cfg.config), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
    );
  });
});

describe("append_response attacks", () => {
  it("append by another (registered) server than the locking one → NotLockedByServer", async () => {
    const { req } = await locked();
    await expectProgramError(
      send(t, await appendIx(B, req.address), { feePayer: B.operator }),
      CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER,
    );
  });

  it("append signed by someone other than the operator → OperatorMismatch", async () => {
    const { req } = await locked();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, await appendIx(A, req.address, {}, stranger), { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("append to an Open (unlocked) request → RequestNotLocked", async () => {
    const req = await open();
    await expectProgramError(
      send(t, await appendIx(A, req.address), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__REQUEST_NOT_LOCKED,
    );
  });

  it("append after the final chunk → ResponseFinal", async () => {
    const { req } = await answered([100, 100]);
    await expectProgramError(
      send(t, await appendIx(A, req.address, { chunkIndex: 2 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_FINAL,
    );
  });

  it.each([
    ["a replayed chunk (index 1 again)", 1],
    ["a skipped index (3 after 0..1)", 3],
  ])("append with %s → ChunkIndexMismatch", async (_label, chunkIndex) => {
    const { req } = await answered([100, 100], {}, A, false);
    await expectProgramError(
      send(t, await appendIx(A, req.address, { chunkIndex }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH,
    );
  });

  it("a first chunk claiming index 1 → ChunkIndexMismatch", async () => {
    const { req } = await locked();
    await expectProgramError(
      send(t, await appendIx(A, req.address, { chunkIndex: 1 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH,
    );
  });

  it.each([
    ["15 bytes (shorter than the 16-byte tag)", 15],
    ["0 bytes", 0],
  ])("append a chunk of %s → InvalidChunkLength", async (_label, len) => {
    const { req } = await locked();
    await expectProgramError(
      send(t, await appendIx(A, req.address, { ciphertext: chunk(len) }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_CHUNK_LENGTH,
    );
  });

  it("append growing the stream beyond max_response_bytes → ResponseTooLarge", async () => {
    // Given a config capping responses at 1,024 bytes and a request snapshotting it
    const t2 = await createTestSvm();
    t = t2;
    market = await setupMarket(t, { servers: 1, config: { maxResponseBytes: 1_024 } });
    [A] = market.servers as [RegisteredServer];
    const { req } = await answered([900], {}, A, false); // 902 bytes streamed
    // When a 121-byte chunk (123-byte frame, total 1,025) is appended / Then ResponseTooLarge
    await expectProgramError(
      send(t, await appendIx(A, req.address, { chunkIndex: 1, ciphertext: chunk(121) }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE,
    );
    // And exactly 1,024 passes
    await send(t, await appendIx(A, req.address, { chunkIndex: 1, ciphertext: chunk(120) }), { feePayer: A.operator });
  });

  it("a first chunk larger than max_response_bytes → ResponseTooLarge", async () => {
    market = await (async () => {
      t = await createTestSvm();
      return setupMarket(t, { servers: 1, config: { maxResponseBytes: 500 } });
    })();
    [A] = market.servers as [RegisteredServer];
    const { req } = await locked();
    await expectProgramError(
      send(t, await appendIx(A, req.address, { ciphertext: chunk(499) }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE,
    );
  });

  it("append after the deadline → RequestExpired", async () => {
    const { req } = await locked({ responseTimeout: 10n });
    warpSlots(t.svm, 11n);
    await expectProgramError(
      send(t, await appendIx(A, req.address), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__REQUEST_EXPIRED,
    );
  });

  it("append with is_final = 2 (not a boolean) → InvalidInstructionData", async () => {
    const { req } = await locked();
    const ix = setDataByte(await appendIx(A, req.address), 5, 2);
    await expectProgramError(send(t, ix, { feePayer: A.operator }), CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA);
  });

  it("append passing the request as the response (first chunk) → AlreadyInitialized", async () => {
    const { req } = await locked();
    const ix = await appendIx(A, req.address, { response: req.address });
    await expectProgramError(send(t, ix, { feePayer: A.operator }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
  });

  it("append passing the request as the response (later chunk) → InvalidAccountData", async () => {
    const { req } = await answered([100], {}, A, false);
    const ix = await appendIx(A, req.address, { chunkIndex: 1, response: req.address });
    await expectProgramError(send(t, ix, { feePayer: A.operator }), CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA);
  });

  it("append writing into another request's response → ResponseMismatch", async () => {
    const mine = await answered([100], {}, A, false);
    const theirs = await answered([100], {}, A, false);
    const ix = await appendIx(A, mine.req.address, { chunkIndex: 1, response: theirs.response });
    await expectProgramError(send(t, ix, { feePayer: A.operator }), CHAINFERENCE_ERROR__RESPONSE_MISMATCH);
  });

  // The response address is the client's choice (`response_bump`, stored at create), never the
  // server's: append_response carries no bump, and its first chunk signs with the stored one.
  it("server cannot choose the response address: a non-canonical PDA (valid lower bump) → the CPI fails (PrivilegeEscalation), nothing is created", async () => {
    // Given a request naming the canonical response, and the highest valid bump below it with its address
    const { req, response } = await locked();
    const [, canonical] = await responsePda(req.address);
    const [nonCanonical] = await nonCanonicalPda(responseSeeds(req.address), canonical);
    // When the server passes the non-canonical address for the first chunk
    const ix = await appendIx(A, req.address, { response: nonCanonical });
    // Then the runtime refuses to sign for an address the stored bump does not derive
    await expectRuntimeError(send(t, ix, { feePayer: A.operator }), /PrivilegeEscalation/);
    expect(accountExists(t, nonCanonical)).toBe(false);
    expect(accountExists(t, response)).toBe(false);
    expect(readRequest(t, req.address).hasResponse).toBe(false);
  });

  it("server cannot choose the response address: the response lands at the address the request names", async () => {
    // Given a request naming the canonical response PDA (what the SDK stores)
    const { req, response } = await locked();
    const [, canonical] = await responsePda(req.address);
    expect(readRequest(t, req.address).responseBump).toBe(canonical);
    // When the server appends its first chunk
    await send(t, await appendIx(A, req.address, { isFinal: true }), { feePayer: A.operator });
    // Then the response is at the canonical PDA, with the canonical bump, and it settles there
    expect(readResponse(t, response)).toMatchObject({ bump: canonical, request: req.address, chunkCount: 1, isFinal: true });
    await send(t, completeIx({ req, response }), { feePayer: A.operator });
    expect(accountExists(t, req.address)).toBe(false);
  });

  it("a request naming a non-canonical response bump: the first chunk at the canonical PDA → the CPI fails (PrivilegeEscalation)", async () => {
    // Given a client that stored the highest valid bump below the canonical one
    const { req, response } = await lockedNaming(
      async (request) => (await nonCanonicalPda(responseSeeds(request), (await responsePda(request))[1]))[1],
    );
    // When the server appends at the canonical address (where clients read) / Then the CPI fails
    await expectRuntimeError(send(t, await appendIx(A, req.address), { feePayer: A.operator }), /PrivilegeEscalation/);
    expect(accountExists(t, response)).toBe(false);
    // (and the response could only land at the address the request names, where no client looks:
    // provider nodes skip such a request before locking, see tests/node)
    const [named] = await nonCanonicalPda(responseSeeds(req.address), (await responsePda(req.address))[1]);
    await send(t, await appendIx(A, req.address, { response: named }), { feePayer: A.operator });
    expect(readResponse(t, named)).toMatchObject({ request: req.address, bump: readRequest(t, req.address).responseBump });
  });

  it("a request naming a response bump whose seeds land on the curve → the first chunk's CPI fails (no program address)", async () => {
    const { req } = await lockedNaming((request) => onCurveBump(responseSeeds(request)));
    const error = await expectRuntimeError(send(t, await appendIx(A, req.address), { feePayer: A.operator }), /ProgramFailedToComplete/);
    expect(error.report.logs.join("\n")).toMatch(/Could not create program address with signer seeds/);
  });

  it("a keypair signing as the response → InvalidPda", async () => {
    const { req } = await locked();
    const fake = await generateKeyPairSigner();
    const ix = await appendIx(A, req.address, { response: fake.address });
    const accounts = ix.accounts!.map((m, i) => (i === 3 ? { ...m, role: 3, signer: fake } : m));
    await expectProgramError(
      send(t, { ...ix, accounts } as Instruction, { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_PDA,
    );
  });

  it("a pre-funded response address (attacker sent lamports first) still lets the server create the response", async () => {
    // Given an attacker sent 5,000,000 lamports to the response PDA
    const { req, response } = await locked();
    const attacker = await fundedSigner(t.svm);
    await send(t, systemTransfer(attacker, response, 5_000_000n), { feePayer: attacker });
    // When the server appends the first chunk reserving 1,024 bytes
    const report = await send(t, await appendIx(A, req.address, { reserveBytes: 1_024 }), { feePayer: A.operator });
    // Then the response exists, owned by the program; the operator paid only the shortfall
    expect(readResponse(t, response)).toMatchObject({ chunkCount: 1, request: req.address });
    const need = rentExempt(t.svm, 228 + 1_024);
    expect(balanceOf(t.svm, response)).toBe(need > 5_000_000n ? need : 5_000_000n);
    expect(lamportDelta(report, A.operator.address)).toBe(-((need > 5_000_000n ? need - 5_000_000n : 0n) + report.fee));
  });
});

describe("complete_request attacks", () => {
  it("complete twice (the request is closed after the first) → InvalidAccountOwner", async () => {
    const r = await answered();
    await send(t, completeIx(r), { feePayer: A.operator });
    await expectProgramError(
      send(t, completeIx(r), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("complete before the final chunk → ResponseNotFinal", async () => {
    const r = await answered([100], {}, A, false);
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL);
  });

  it("complete without any response (the PDA was never created) → InvalidAccountOwner", async () => {
    const r = await locked();
    await expectProgramError(
      send(t, completeIx(r), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("complete charging tokens_in above prompt_len → TokensInAboveBound", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { tokensIn: DEFAULT_REQUEST.promptLen + 1 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__TOKENS_IN_ABOVE_BOUND,
    );
  });

  it("complete charging tokens_out above the plaintext bytes → TokensOutAboveBound", async () => {
    const r = await answered([200]);
    await expectProgramError(
      send(t, completeIx(r, { tokensOut: 200 - CHUNK_TAG_LEN + 1 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__TOKENS_OUT_ABOVE_BOUND,
    );
  });

  it("complete paying the fee into another shard → FeeVaultMismatch", async () => {
    const r = await answered();
    const wrong = market.cfg.feeVaults[(feeShardOf(r.req.nonce) + 1) % 16]!;
    await expectProgramError(
      send(t, completeIx(r, { feeVault: wrong }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH,
    );
  });

  it("complete sending the client's refund to another wallet → ClientMismatch", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { client: A.operator.address }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("complete passing the fee vault as the client (one account, two roles) → ClientMismatch", async () => {
    const r = await answered();
    const vault = market.cfg.feeVaults[feeShardOf(r.req.nonce)]!;
    await expectProgramError(
      send(t, completeIx(r, { client: vault }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("complete passing the request as the response (one account, two roles) → InvalidAccountData", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, { response: r.req.address }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
    );
  });

  it("complete with another request's final response → ResponseMismatch", async () => {
    const mine = await answered([100], {}, A, false);
    const theirs = await answered([300]);
    await expectProgramError(
      send(t, completeIx(mine, { response: theirs.response, tokensOut: 200 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  it("complete after the deadline → RequestExpired", async () => {
    const r = await answered([100], { responseTimeout: 10n });
    warpSlots(t.svm, 11n);
    await expectProgramError(send(t, completeIx(r), { feePayer: A.operator }), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
  });

  it("complete exactly at the deadline slot succeeds (boundary)", async () => {
    const r = await answered([100], { responseTimeout: 10n });
    const deadline = readRequest(t, r.req.address).deadlineSlot;
    warpSlots(t.svm, deadline - currentSlot(t.svm));
    await send(t, completeIx(r), { feePayer: A.operator });
  });

  it("complete by another server's operator (its own server account) → NotLockedByServer", async () => {
    const r = await answered();
    await expectProgramError(
      send(t, completeIx(r, {}, B), { feePayer: B.operator }),
      CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER,
    );
  });

  it("complete signed by a stranger for the locking server → OperatorMismatch", async () => {
    const r = await answered();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, completeIx(r, { operator: stranger }), { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("a server answering its own operator's request (operator == client) settles exactly", async () => {
    // Given A's operator is also the client
    const req = await open({}, A.operator);
    await lock(sender(), market, req.address, A);
    await stream(sender(), A, req.address, [200]);
    const held = balanceOf(t.svm, req.address);
    // When it completes
    const report = await complete(sender(), market, A, target(req), 100, 100);
    // Then the wallet gets everything but the fee (and pays the tx fee)
    const fee = ((100n * 1_000n + 100n * 3_000n) * 1_000n) / 10_000n;
    expect(lamportDelta(report, A.operator.address)).toBe(held - fee - report.fee);
  });
});

describe("expire_request attacks", () => {
  it("expire a Locked request before its deadline → DeadlineNotReached", async () => {
    const { req } = await locked({ responseTimeout: 10n });
    warpSlots(t.svm, 10n); // exactly the deadline: still the server's slot
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: A.server })),
      CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
    );
  });

  it("expire an Open request before open_until → DeadlineNotReached", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address })),
      CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED,
    );
  });

  it("expire a Locked request without passing the server (dodging the expiry count) → MissingAccount", async () => {
    const { req } = await locked({ responseTimeout: 1n });
    warpSlots(t.svm, 2n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address })),
      CHAINFERENCE_ERROR__MISSING_ACCOUNT,
    );
  });

  it("expire a Locked request with a partial response, omitting the response → MissingAccount", async () => {
    const { req } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: A.server })),
      CHAINFERENCE_ERROR__MISSING_ACCOUNT,
    );
  });

  it("expire counting the miss against another server → ServerMismatch", async () => {
    const { req } = await locked({ responseTimeout: 1n });
    warpSlots(t.svm, 2n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.client.address, server: B.server })),
      CHAINFERENCE_ERROR__SERVER_MISMATCH,
    );
  });

  it("expire sending the refund to another wallet → ClientMismatch", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const thief = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: thief.address }), { feePayer: thief }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("expire passing the request as its own client → ClientMismatch", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await expectProgramError(
      send(t, expireInstruction({ request: req.address, client: req.address })),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("expire diverting the partial response's rent to another wallet → OperatorMismatch", async () => {
    const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    const thief = await fundedSigner(t.svm);
    await expectProgramError(
      send(
        t,
        expireInstruction({
          request: req.address,
          client: req.client.address,
          server: A.server,
          response,
          operator: thief.address,
        }),
        { feePayer: thief },
      ),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("expire closing another request's response → ResponseMismatch", async () => {
    const mine = await answered([100], { responseTimeout: 5n }, A, false);
    const theirs = await answered([100], {}, A, false);
    warpSlots(t.svm, 6n);
    await expectProgramError(
      send(
        t,
        expireInstruction({
          request: mine.req.address,
          client: mine.req.client.address,
          server: A.server,
          response: theirs.response,
          operator: A.operator.address,
        }),
      ),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  it("expire twice (the request is closed after the first) → InvalidAccountOwner", async () => {
    const req = await open();
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const ix = expireInstruction({ request: req.address, client: req.client.address });
    await send(t, ix);
    await expectProgramError(send(t, ix), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });

  it("a client who is also the operator gets both the refund and the response rent back exactly", async () => {
    // Given A's operator requested, A locked, streamed partially, and missed the deadline
    const req = await open({ responseTimeout: 5n }, A.operator);
    await lock(sender(), market, req.address, A);
    await stream(sender(), A, req.address, [100], { final: false });
    const [response] = await responsePda(req.address);
    const held = balanceOf(t.svm, req.address) + balanceOf(t.svm, response);
    warpSlots(t.svm, 6n);
    // When anyone expires it passing the same wallet as client and operator
    const report = await send(
      t,
      expireInstruction({
        request: req.address,
        client: A.operator.address,
        server: A.server,
        response,
        operator: A.operator.address,
      }),
    );
    // Then the wallet received both accounts' lamports
    expect(lamportDelta(report, A.operator.address)).toBe(held);
  });
});

describe("rate_server attacks", () => {
  it("rate twice → AlreadyRated", async () => {
    const { req, response } = await completed();
    await send(t, rateInstruction(req.client, response, A.server, 5), { feePayer: req.client });
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 5), { feePayer: req.client }),
      CHAINFERENCE_ERROR__ALREADY_RATED,
    );
  });

  it("rate by a stranger → ClientMismatch", async () => {
    const { response } = await completed();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, rateInstruction(stranger, response, A.server, 1), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it.each([0, 6, 255])("rate %i → InvalidRating", async (rating) => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, rating), { feePayer: req.client }),
      CHAINFERENCE_ERROR__INVALID_RATING,
    );
  });

  it("rate a response that was never completed → ResponseNotCompleted", async () => {
    const { req, response } = await answered();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
    );
  });

  it("rate an expired request (its partial response was closed) → InvalidAccountOwner", async () => {
    const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    await send(
      t,
      expireInstruction({
        request: req.address,
        client: req.client.address,
        server: A.server,
        response,
        operator: A.operator.address,
      }),
    );
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("rate crediting (or blaming) another server → ServerMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, B.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__SERVER_MISMATCH,
    );
  });
});

describe("close_response attacks", () => {
  it("close early by a stranger (grace period active) → GracePeriodActive", async () => {
    const { response } = await completed();
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots); // exactly completed + grace: still protected
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, closeResponseInstruction(stranger, response, A.operator.address, market.cfg.config), {
        feePayer: stranger,
      }),
      CHAINFERENCE_ERROR__GRACE_PERIOD_ACTIVE,
    );
  });

  it("close a response before completion → ResponseNotCompleted", async () => {
    const { req, response } = await answered();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, A.operator.address, market.cfg.config), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
    );
  });

  it("close diverting the rent to another wallet → OperatorMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, req.client.address, market.cfg.config), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("close passing the response as its own operator (one account, two roles) → OperatorMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, response, market.cfg.config), { feePayer: req.client }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });
});

describe("nonce reuse attacks (a request re-created at the address of a settled one)", () => {
  /** A request completed by A whose response the client leaves open, then re-created (same nonce). */
  async function recreatedOverStaleResponse() {
    const first = await completed();
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    expect(again.address).toBe(first.req.address);
    await lock(sender(), market, again.address, A);
    return { req: again, response: first.response };
  }

  // The response PDA is derived from the request address alone, so a response the client never
  // closed still sits at the PDA when the client re-creates the request with the same nonce, and it
  // names the same request address. complete_request therefore also requires request.has_response,
  // which only this request's own first chunk sets.
  it("complete without this request's response (re-created over the previous request's stale final response, same slot) → ResponseMismatch", async () => {
    // Given the old response (completed, final, 184 plaintext bytes) still open at the same PDA
    const r = await recreatedOverStaleResponse();
    expect(readRequest(t, r.req.address).hasResponse).toBe(false);
    expect(readResponse(t, r.response)).toMatchObject({ request: r.req.address, isFinal: true, completed: true });
    const before = readServer(t, A.server);
    // When the server completes the new request without appending anything / Then it is refused
    await expectProgramError(
      send(t, completeIx(r, { tokensIn: 100, tokensOut: 184 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
    // and nothing was paid or counted: the request is still locked, the server's record unchanged
    expect(readRequest(t, r.req.address).status).toBe(1);
    expect(readServer(t, A.server)).toMatchObject({ completed: before.completed, lamportsEarned: before.lamportsEarned });
  });

  it("complete without this request's response (stale response from an earlier slot) → ResponseMismatch", async () => {
    // Given the stale response's first chunk lies slots before the new lock
    const first = await completed();
    warpSlots(t.svm, 3n);
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    await lock(sender(), market, again.address, A);
    // When the server completes against it / Then has_response rejects it (before any slot arithmetic)
    await expectProgramError(
      send(t, completeIx({ req: again, response: first.response }, { tokensOut: 184 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  // The stale response also blocks the new request's first chunk (the program never writes over an
  // initialized account). A server that locked it could only let it expire and take an `expired`
  // mark, so provider nodes screen such requests out before locking (`stale-response`, tests/node).
  it("first chunk of a request re-created over a response the client never closed → AlreadyInitialized", async () => {
    // Given the re-created, locked request
    const r = await recreatedOverStaleResponse();
    // When the server appends its first chunk / Then the occupied PDA refuses it
    await expectProgramError(
      send(t, await appendIx(A, r.req.address, { isFinal: true }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
    );
    expect(readResponse(t, r.response)).toMatchObject({ chunkCount: 1, completed: true });
  });

  it("a request re-created over a stale response that no server locks expires Open: full refund, no server penalized", async () => {
    // Given a request re-created over a stale response, left Open (screened out by every node)
    const first = await completed();
    const before = readServer(t, A.server);
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    const stakeAndRent = balanceOf(t.svm, again.address);
    // When its open window passes and anyone expires it
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const report = await send(t, expireInstruction({ request: again.address, client: again.client.address }), {
      feePayer: again.client,
    });
    // Then the client got everything back and no server's record changed
    expect(lamportDelta(report, again.client.address)).toBe(stakeAndRent - report.fee);
    expect(readServer(t, A.server)).toMatchObject({ completed: before.completed, expired: before.expired, activeLocks: 0 });
    expect(accountExists(t, again.address)).toBe(false);
  });

  it("re-creating a request after its response was closed works end to end", async () => {
    // Given a settled request whose response the client closed
    const first = await completed();
    await send(t, closeResponseInstruction(first.req.client, first.response, A.operator.address, market.cfg.config), {
      feePayer: first.req.client,
    });
    // When the client re-creates it with the same nonce and A serves it
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    await lock(sender(), market, again.address, A);
    await stream(sender(), A, again.address, [100]);
    await complete(sender(), market, A, target(again), 10, 10);
    // Then it settled, and A has two completions
    expect(readServer(t, A.server).completed).toBe(2n);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated per-instruction negatives (signer, writability, read-only accounts, owner, discriminator,
// system program, data shape, too few and too many accounts; flags from program/interface.json).
// Every `build` returns a valid instruction on a fresh chain.
// ---------------------------------------------------------------------------------------------

const CASES: NegativeCase[] = [
  {
    name: "create_request",
    instruction: "create_request",
    programOwned: [2],
    build: async (t) => createRequestInstruction(await fundedSigner(t.svm), freshNonce()),
  },
  {
    name: "append_prompt",
    instruction: "append_prompt",
    programOwned: [1],
    build: async () => {
      const req = await open({ promptLen: 500, prompt: new Uint8Array(100) });
      return appendPromptInstruction(req.client, req.address, 100, new Uint8Array(50));
    },
  },
  {
    name: "cancel_request",
    instruction: "cancel_request",
    programOwned: [1],
    build: async () => {
      const req = await open();
      return cancelInstruction(req.client, req.address);
    },
  },
  {
    name: "lock_request",
    instruction: "lock_request",
    programOwned: [1, 2, 3],
    build: async () => {
      const req = await open();
      return lockInstruction(A.operator, A.server, req.address, market.cfg.config);
    },
  },
  {
    name: "append_response (first chunk, creates the response)",
    instruction: "append_response",
    programOwned: [1, 2],
    build: async () => {
      const { req } = await locked();
      return appendIx(A, req.address, { reserveBytes: 512 });
    },
  },
  {
    name: "append_response (later chunk, resizes)",
    instruction: "append_response",
    programOwned: [1, 2, 3],
    build: async () => {
      const { req } = await answered([100], {}, A, false);
      return appendIx(A, req.address, { chunkIndex: 1 });
    },
  },
  {
    name: "complete_request",
    instruction: "complete_request",
    programOwned: [1, 2, 3, 5],
    build: async () => completeIx(await answered()),
  },
  {
    name: "expire_request (Open)",
    instruction: "expire_request",
    absent: [2, 3, 4],
    programOwned: [0],
    build: async () => {
      const req = await open();
      warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
      return expireInstruction({ request: req.address, client: req.client.address });
    },
  },
  {
    name: "expire_request (Locked, partial response)",
    instruction: "expire_request",
    programOwned: [0, 2, 3],
    build: async () => {
      const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
      warpSlots(t.svm, 6n);
      return expireInstruction({
        request: req.address,
        client: req.client.address,
        server: A.server,
        response,
        operator: A.operator.address,
      });
    },
  },
  {
    name: "rate_server",
    instruction: "rate_server",
    programOwned: [1, 2],
    build: async () => {
      const { req, response } = await completed();
      return rateInstruction(req.client, response, A.server, 4);
    },
  },
  {
    name: "close_response",
    instruction: "close_response",
    programOwned: [1, 3],
    build: async () => {
      const { req, response } = await completed();
      return closeResponseInstruction(req.client, response, A.operator.address, market.cfg.config);
    },
  },
];

for (const c of CASES) generateNegativeTests(c, () => t);
