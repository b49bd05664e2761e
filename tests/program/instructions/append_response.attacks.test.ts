/**
 * `append_response`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { generateKeyPairSigner, type Instruction } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_DATA,
  CHAINFERENCE_ERROR__INVALID_CHUNK_LENGTH,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTION_DATA,
  CHAINFERENCE_ERROR__INVALID_PDA,
  CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__REQUEST_NOT_LOCKED,
  CHAINFERENCE_ERROR__RESPONSE_FINAL,
  CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE,
} from "../../../clients/js/src/generated";
import { expectRuntimeError } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { type RegisteredServer } from "../../helpers/fixtures";
import { setDataByte, systemTransfer } from "../../helpers/instructions";
import { lamportDelta } from "../../helpers/lamports";
import {
  accountExists,
  chunk,
  nonCanonicalPda,
  onCurveBump,
  readRequest,
  readResponse,
  responsePda,
  responseSeeds,
  setupMarket,
  stream,
} from "../../helpers/lifecycle";
import { balanceOf, createTestSvm, fundedSigner, rentExempt, send, warpSlots } from "../../helpers/svm";
import {
  t,
  market,
  A,
  B,
  open,
  locked,
  lockedNaming,
  answered,
  completeIx,
  appendIx,
  replaceMarket,
  useAttacksFixture,
} from "../fixtures/attacks";

useAttacksFixture();

describe("append_response attacks", () => {
  it("append by another (registered) server than the locking one → NotLockedByServer", async () => {
    const { req } = await locked();
    await expectProgramError(send(t, await appendIx(B, req.address), { feePayer: B.operator }), CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER);
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
    await expectProgramError(send(t, await appendIx(A, req.address), { feePayer: A.operator }), CHAINFERENCE_ERROR__REQUEST_NOT_LOCKED);
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
    ["39 bytes (shorter than the 24-byte nonce and 16-byte tag)", 39],
    ["16 bytes (a tag without its nonce)", 16],
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
    replaceMarket(t2, await setupMarket(t2, { servers: 1, config: { maxResponseBytes: 1_024 } }));
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
    const t2 = await createTestSvm();
    replaceMarket(t2, await setupMarket(t2, { servers: 1, config: { maxResponseBytes: 500 } }));
    const { req } = await locked();
    await expectProgramError(
      send(t, await appendIx(A, req.address, { ciphertext: chunk(499) }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE,
    );
  });

  it("append after the deadline → RequestExpired", async () => {
    const { req } = await locked({ responseTimeout: 10n });
    warpSlots(t.svm, 11n);
    await expectProgramError(send(t, await appendIx(A, req.address), { feePayer: A.operator }), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
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
    await expectProgramError(send(t, { ...ix, accounts } as Instruction, { feePayer: A.operator }), CHAINFERENCE_ERROR__INVALID_PDA);
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
