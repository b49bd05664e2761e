/**
 * `create_request`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { generateKeyPairSigner, type Instruction } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER,
  CHAINFERENCE_ERROR__EXECUTABLE_CLIENT,
  CHAINFERENCE_ERROR__INVALID_FILTER,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__INVALID_REVISION,
  CHAINFERENCE_ERROR__INVALID_TIMEOUT,
  CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
  CHAINFERENCE_ERROR__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__PROTOCOL_PAUSED,
  CHAINFERENCE_ERROR__STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__TIMEOUT_TOO_SHORT,
  CHAINFERENCE_ERROR__TOO_MANY_ALLOWED_SERVERS,
} from "../../../clients/js/src/generated";
import { expectRuntimeError } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { systemTransfer } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import {
  DEFAULT_REQUEST,
  MAX_ALLOWED_SERVERS,
  REQUEST_HEADER_SIZE,
  accountExists,
  allowed,
  createRequest,
  createRequestInstruction,
  freshNonce,
  nonCanonicalPda,
  onCurveBump,
  readRequest,
  requestPda,
  requestSeeds,
} from "../../helpers/lifecycle";
import { PROGRAM_SO, balanceOf, fundedSigner, rentExempt, send } from "../../helpers/svm";
import { t, A, B, open, pause, setLimits, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("create_request attacks", () => {
  it("create with a stake below min_stake → StakeTooLow", async () => {
    // Given a stake one lamport below the minimum / When created / Then StakeTooLow
    await expectProgramError(open({ stake: DEFAULT_LIMITS.minStake - 1n }), CHAINFERENCE_ERROR__STAKE_TOO_LOW);
  });

  it("create with a response timeout above max_response_timeout → InvalidTimeout", async () => {
    await expectProgramError(open({ responseTimeout: DEFAULT_LIMITS.maxResponseTimeout + 1n }), CHAINFERENCE_ERROR__INVALID_TIMEOUT);
  });

  it("create with a response timeout below min_response_timeout (a deadline no server can meet) → TimeoutTooShort", async () => {
    // Given a Config minimum of 75 slots
    await setLimits({ minResponseTimeout: 75n });
    // When a client asks for 1 slot, or one slot below the minimum / Then TimeoutTooShort
    await expectProgramError(open({ responseTimeout: 1n }), CHAINFERENCE_ERROR__TIMEOUT_TOO_SHORT);
    await expectProgramError(open({ responseTimeout: 74n }), CHAINFERENCE_ERROR__TIMEOUT_TOO_SHORT);
    // And the minimum itself, or 0 (the default, 750), is accepted
    expect((await readRequest(t, (await open({ responseTimeout: 75n })).address)).responseTimeout).toBe(75n);
    expect((await readRequest(t, (await open({ responseTimeout: 0n })).address)).responseTimeout).toBe(
      DEFAULT_LIMITS.defaultResponseTimeout,
    );
  });

  it("create by an executable client account (it could never take a refund) → ExecutableClient", async () => {
    // Given a program deployed at a keypair address (its deployer holds the key, so it can sign) as the
    // client, and another fee payer
    const client = await generateKeyPairSigner();
    t.svm.addProgramFromFile(client.address, PROGRAM_SO);
    const account = t.svm.getAccount(client.address);
    expect(account.exists && account.executable).toBe(true);
    const payer = await fundedSigner(t.svm);
    // When it posts a request / Then ExecutableClient, and only the fee payer's fee moved
    const ix = await createRequestInstruction(client, freshNonce());
    await expectProgramError(send(t, ix, { feePayer: payer }), CHAINFERENCE_ERROR__EXECUTABLE_CLIENT);
  });

  it("create declaring a prompt above max_prompt_bytes → PromptTooLarge", async () => {
    await expectProgramError(
      open({ promptLen: DEFAULT_LIMITS.maxPromptBytes + 1, prompt: new Uint8Array(10) }),
      CHAINFERENCE_ERROR__PROMPT_TOO_LARGE,
    );
  });

  it("create sending more prompt bytes than prompt_len → PromptLengthMismatch", async () => {
    await expectProgramError(open({ promptLen: 10, prompt: new Uint8Array(11) }), CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH);
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
    await expectProgramError(open({ allowed: list, promptLen: 0, prompt: new Uint8Array() }), CHAINFERENCE_ERROR__TOO_MANY_ALLOWED_SERVERS);
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
    await expectProgramError(open({ promptLen: 10_000, prompt: new Uint8Array(10) }), CHAINFERENCE_ERROR__PROMPT_TOO_LARGE);
  });

  it("create again over an existing request (same client and nonce) → AlreadyInitialized", async () => {
    // Given an open request
    const req = await open();
    // When the client creates with the same nonce / Then AlreadyInitialized
    await expectProgramError(createRequest(t, {}, { client: req.client, nonce: req.nonce }), CHAINFERENCE_ERROR__ALREADY_INITIALIZED);
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
    await expectProgramError(send(t, { ...ix, accounts } as Instruction, { feePayer: client }), CHAINFERENCE_ERROR__INVALID_PDA);
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
