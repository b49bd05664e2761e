/**
 * `create_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__PROMPT_NOT_SEALED, RequestStatus } from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import {
  DEFAULT_REQUEST,
  allowed,
  appendPromptInstruction,
  complete,
  feeShardOf,
  lock,
  readRequest,
  requestSize,
  responsePda,
} from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, currentSlot, dataOf, rentExempt } from "../../helpers/svm";
import { t, market, ledger, server, open, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("create_request", () => {
  it("opens a sealed request escrowing rent + stake in the request account, paid by the client", async () => {
    // Given a client and a request whose whole prompt fits the instruction, allow-listing both servers
    const list = market.servers.map((s, i) => allowed(s.server, 0, i + 1));
    const now = currentSlot(t.svm);

    // When the client creates it
    const req = await open({ allowed: list, responseTimeout: 0n });

    // Then the account holds exactly its rent + the stake, paid by the client
    const size = requestSize(2, DEFAULT_REQUEST.promptLen);
    const rent = rentExempt(t.svm, size);
    expect(dataOf(t.svm, req.address)?.length).toBe(size);
    expect(balanceOf(t.svm, req.address)).toBe(rent + DEFAULT_REQUEST.stake);
    expect(lamportDelta(req.report, req.client.address)).toBe(-(rent + DEFAULT_REQUEST.stake + req.report.fee));
    // And every field is set: Open, sealed, config snapshots, default timeout, open window, shard
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({
      discriminator: 4,
      version: 1,
      bump: req.bump,
      status: RequestStatus.Open,
      client: req.client.address,
      nonce: req.nonce,
      model: DEFAULT_REQUEST.model,
      revision: "",
      feeBps: DEFAULT_LIMITS.feeBps,
      feeShard: feeShardOf(req.nonce),
      hasResponse: false,
      allowedCount: 2,
      sealed: true,
      stake: DEFAULT_REQUEST.stake,
      createdSlot: now,
      openUntilSlot: now + DEFAULT_LIMITS.openRequestSlots,
      responseTimeout: DEFAULT_LIMITS.defaultResponseTimeout,
      lockSlot: 0n,
      deadlineSlot: 0n,
      maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
      promptLen: DEFAULT_REQUEST.promptLen,
      promptWritten: DEFAULT_REQUEST.promptLen,
      // the response address the client fixed: the canonical response PDA's bump
      responseBump: (await responsePda(req.address))[1],
    });
    expect(new Uint8Array(r.clientKey)).toEqual(DEFAULT_REQUEST.clientKey);
    // And the tail is the allow-list (84 bytes each) then the prompt
    const tail = new Uint8Array(r.tail);
    expect(tail.subarray(0, 32)).toEqual(dataOf(t.svm, req.address)!.subarray(393, 425));
    expect(tail[32 + 4]).toBe(1);
    expect(tail[84 + 32 + 4]).toBe(2);
    expect(tail.subarray(168)).toEqual(DEFAULT_REQUEST.prompt);
  });

  it("stores an explicit response timeout instead of the default", async () => {
    // When the client asks for a 100-slot timeout
    const req = await open({ responseTimeout: 100n });
    // Then it is stored
    expect(readRequest(t, req.address).responseTimeout).toBe(100n);
  });

  it("grows a large prompt with append_prompt: lockable only once sealed", async () => {
    // Given a 2,500-byte prompt of which only the first 800 bytes fit create_request's transaction
    const prompt = Uint8Array.from({ length: 2_500 }, (_, i) => i & 0xff);
    const req = await open({ promptLen: prompt.length, prompt: prompt.subarray(0, 800), stake: 5_000_000n });
    expect(readRequest(t, req.address)).toMatchObject({ sealed: false, promptWritten: 800 });
    const held = balanceOf(t.svm, req.address);

    // When a server tries to lock it before the prompt is complete / Then PromptNotSealed
    await expectProgramError(lock(ledger, market, req.address, server), CHAINFERENCE_ERROR__PROMPT_NOT_SEALED);

    // When the client appends the next slice
    const mid = await ledger.send(appendPromptInstruction(req.client, req.address, 800, prompt.subarray(800, 1_700)), {
      feePayer: req.client,
    });
    // Then it is written, still unsealed, and no lamports moved but the fee
    expect(readRequest(t, req.address)).toMatchObject({ sealed: false, promptWritten: 1_700 });
    expect(lamportDelta(mid, req.address)).toBe(0n);

    // When the client appends the last slice
    await ledger.send(appendPromptInstruction(req.client, req.address, 1_700, prompt.subarray(1_700)), {
      feePayer: req.client,
    });
    // Then the request is sealed with the whole prompt, and its balance never changed
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({ sealed: true, promptWritten: 2_500 });
    expect(new Uint8Array(r.tail)).toEqual(prompt);
    expect(balanceOf(t.svm, req.address)).toBe(held);

    // And now a server can lock it
    await lock(ledger, market, req.address, server);
    expect(readRequest(t, req.address).status).toBe(RequestStatus.Locked);
  });
});
