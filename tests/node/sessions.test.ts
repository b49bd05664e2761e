/**
 * Sessions end to end on the real program (LiteSVM, slots at wall-clock speed) with the real embedded model: a
 * client opens a session, asks three questions streamed off-chain and paid by vouchers, and the node's graceful
 * stop settles and closes in one transaction, to the lamport. Then the attacks: a foreign session key, a replayed
 * answer, vouchers above the deposit or the bill, an unpaid client paused at the credit window, and a crash whose
 * saved voucher the next start still settles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__SESSION__NODE_ERROR,
  findFeeVaultPda,
  getKeyRootMessage,
  keyRootFromSignature,
  isChainferenceClientError,
  SessionStatus,
  CHAINFERENCE_PROGRAM_ADDRESS,
  tokenCost,
} from "@chainference/client";
import {
  deriveSessionKeys,
  encodeSessionVoucherBody,
  fetchSessionAccount,
  resumeSessionProgress,
  sessionAnswerCost,
  signVoucher,
  type SessionEvent,
} from "@chainference/client/sessions";
import type { NodeEvent, ProviderNode } from "@chainference/node";
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder } from "@solana/kit";

import { fundedWallet, openProviderTestBed, type ProviderTestBed, type TestMarket } from "../helpers/provider-harness";
import {
  askAll,
  openTestSession,
  postRawAsk,
  postRawVoucher,
  rawAskBody,
  sessionNodeConfig,
  type TestSession,
} from "../helpers/session-node";

let bed: ProviderTestBed;
let market: TestMarket;
let node: ProviderNode;

beforeAll(async () => {
  bed = await openProviderTestBed();
  market = bed.market;
  node = await bed.startNode({ config: await sessionNodeConfig(), keyringFile: "shared.json" });
});

afterAll(async () => {
  await bed?.close();
});

const balance = (address: Parameters<TestMarket["chain"]["getBalance"]>[0]) => market.chain.getBalance(address);

function nodeErrorCode(error: unknown): string | null {
  return isChainferenceClientError(error, CHAINFERENCE_ERROR__SESSION__NODE_ERROR) ? error.context.code : null;
}

describe("a session end to end", () => {
  it("streams three answers paid by vouchers, then settles and closes in one transaction at the node's graceful stop, to the lamport", async () => {
    // Given a node serving sessions and a client with a 5,000,000-lamport session on it
    const own = await bed.startNode({ config: await sessionNodeConfig(), keyringFile: "e2e.json" });
    const events: NodeEvent[] = [];
    own.events.subscribe((event) => void events.push(event));
    const session = await openTestSession(market, own);
    expect(session.info.server).toBe(own.server);
    expect(session.account.status).toBe(SessionStatus.Open);

    // When it asks three questions
    const answers = [];
    for (const question of ["Name a color.", "Name a fruit.", "Name an animal."]) answers.push(await askAll(session, question, 12));

    // Then each answer is the model's text, paid to the lamport at the session's prices
    const answered = events.filter((e): e is Extract<NodeEvent, { type: "session-answered" }> => e.type === "session-answered");
    expect(answered.map((e) => e.text)).toEqual(answers.map((a) => a.text));
    for (const answer of answers) {
      expect(answer.text.length).toBeGreaterThan(0);
      expect(answer.streamed).toBe(answer.text);
      expect(answer.lamports).toBe(
        sessionAnswerCost({ tokensIn: answer.tokensIn, tokensOut: answer.tokensOut, ...session.connection.prices }),
      );
    }
    const paid = answers.reduce((sum, a) => sum + a.lamports, 0n);
    expect(session.progress.committed).toEqual({
      lamports: paid,
      tokens: BigInt(answers.reduce((sum, a) => sum + a.tokensIn + a.tokensOut, 0)),
      answers: 3,
    });
    expect(own.sessions!.book.get(session.account.address)!.paid).toEqual(session.progress.committed);
    // and a client that lost its state resumes from the node's copy of its own latest voucher
    const resumed = await resumeSessionProgress({ endpoint: session.connection.endpoint, keys: session.keys });
    expect(resumed).toEqual({ ...session.progress, lastVoucher: { ...session.progress.lastVoucher!, bytes: expect.any(Uint8Array) } });
    expect(resumed.lastVoucher!.bytes).toEqual(session.progress.lastVoucher!.bytes);

    // When the node stops gracefully
    const [feeVault] = await findFeeVaultPda({ shard: session.account.feeShard });
    const before = {
      client: await balance(session.client.address),
      operator: await balance(own.operator),
      vault: await balance(feeVault),
      session: await balance(session.account.address),
    };
    await own.stop({ drain: true });

    // Then one transaction settled the last voucher and closed: operator + (paid − fee) − tx fee, vault + fee, client + (deposit − paid)
    const closed = events.find((e): e is Extract<NodeEvent, { type: "session-closed" }> => e.type === "session-closed");
    expect(closed).toMatchObject({ session: session.account.address, settledLamports: paid, fee: 10_000n });
    const fee = (paid * 1_000n) / 10_000n;
    const after = await fetchSessionAccount(market.chain, session.account.address);
    const rent = before.session - session.account.deposit;
    // (the stop then marks the server inactive on-chain: one update_server transaction, its fee too)
    const inactive = events.find((e): e is Extract<NodeEvent, { type: "server-active" }> => e.type === "server-active");
    expect(inactive).toMatchObject({ active: false, fee: 5_000n });
    expect(await balance(own.operator)).toBe(before.operator + paid - fee - 10_000n - inactive!.fee);
    expect(await balance(feeVault)).toBe(before.vault + fee);
    if (after) {
      expect(after.status).toBe(SessionStatus.Closed);
      expect(after.settled).toBe(paid);
      expect(await balance(session.account.address)).toBe(rent);
      expect(await balance(session.client.address)).toBe(before.client + session.account.deposit - paid);
    } else {
      expect(await balance(session.client.address)).toBe(before.client + session.account.deposit - paid + rent);
    }
  });
});

describe("attacks on the session server", () => {
  let session: TestSession;
  beforeAll(async () => {
    session = await openTestSession(market, node);
    await askAll(session, "Say hello.", 8);
  });

  it("refuses an ask signed by another session key (401 bad_signature)", async () => {
    const foreignSeed = new Uint8Array(32).fill(9);
    const foreignWallet = getAddressDecoder().decode(ed25519.getPublicKey(foreignSeed));
    const foreignRoot = keyRootFromSignature({
      wallet: foreignWallet,
      programId: CHAINFERENCE_PROGRAM_ADDRESS,
      signature: ed25519.sign(getKeyRootMessage({ wallet: foreignWallet, programId: CHAINFERENCE_PROGRAM_ADDRESS }), foreignSeed),
    });
    const foreign = deriveSessionKeys(foreignRoot, session.account.address);
    const { status, json } = await postRawAsk(
      session,
      rawAskBody(session, 100, { v: 1, messages: [{ role: "user", content: "Hi" }], maxTokens: 4 }, foreign),
    );
    expect(status).toBe(401);
    expect(json).toMatchObject({ error: { code: "bad_signature" } });
  });

  it("refuses a replayed answer index, raw or through the SDK (409 answer_replayed)", async () => {
    const body = rawAskBody(session, session.progress.nextAnswer, {
      v: 1,
      messages: [{ role: "user", content: "Count to two." }],
      maxTokens: 4,
    });
    session.progress.nextAnswer += 1;
    const first = await postRawAsk(session, body);
    expect(first.status).toBe(200);
    // the raw client never pays: bring the session back in good standing before the next ask
    const replay = await postRawAsk(session, body);
    expect(replay.status).toBe(409);
    expect(replay.json).toMatchObject({ error: { code: "answer_replayed" } });
    const stale = { ...session, progress: { ...session.progress, nextAnswer: 0 } };
    expect(nodeErrorCode(await askAll(stale, "Again?", 4).catch((e: unknown) => e))).toBe("answer_replayed");
  });

  it("refuses vouchers above the deposit, above what was billed, not ahead of the last, or for another session", async () => {
    const entry = node.sessions!.book.get(session.account.address)!;
    const voucherSecret = session.keys.voucherSecret;
    const post = async (
      lamports: bigint,
      tokens = entry.paid.tokens + 1n,
      answers = entry.paid.answers,
      path = session.account.address,
      target = session.account.address,
    ) => {
      const signed = signVoucher({ voucher: { session: target, lamports, tokens, answers }, voucherSecret });
      return postRawVoucher(session, encodeSessionVoucherBody({ voucher: signed.bytes, signature: signed.signature }), path);
    };
    expect(await post(session.account.deposit + 1n)).toMatchObject({ status: 409, json: { error: { code: "voucher_above_deposit" } } });
    expect(await post(entry.billed.lamports + 1n)).toMatchObject({ status: 409, json: { error: { code: "voucher_above_billed" } } });
    expect(await post(entry.paid.lamports, entry.paid.tokens, entry.paid.answers)).toMatchObject({
      status: 409,
      json: { error: { code: "voucher_not_increasing" } },
    });
    const other = await openTestSession(market, node, { client: session.client });
    expect(await post(1n, 1n, 1, session.account.address, other.account.address)).toMatchObject({
      status: 400,
      json: { error: { code: "voucher_wrong_session" } },
    });
    const forged = signVoucher({
      voucher: { session: session.account.address, lamports: entry.paid.lamports + 1n, tokens: 0n, answers: 0 },
      voucherSecret: new Uint8Array(32).fill(5),
    });
    expect(await postRawVoucher(session, encodeSessionVoucherBody({ voucher: forged.bytes, signature: forged.signature }))).toMatchObject({
      status: 401,
      json: { error: { code: "voucher_bad_signature" } },
    });
  });
});

describe("the credit window", () => {
  it("pauses an unpaid client at the window and ends with payment_timeout; its unpaid work never exceeds the window", async () => {
    // Given a node with a 300-lamport window (the prompt reserve is ~90, an answer token 5) and a 1.5 s payment timeout
    const window = 300n;
    const small = await bed.startNode({
      config: await sessionNodeConfig({ creditWindowLamports: window, billStepLamports: 0n, paymentTimeoutMs: 1_500 }),
      keyringFile: "small.json",
    });
    const session = await openTestSession(market, small);
    const payload = { v: 1 as const, messages: [{ role: "user" as const, content: "Write a long story about a dragon." }], maxTokens: 120 };
    // When a client asks and never posts a voucher
    const { status, events } = await postRawAsk(session, rawAskBody(session, 0, payload));
    // Then the node paused, then gave up with payment_timeout
    expect(status).toBe(200);
    const types = events.map((e) => e.type);
    expect(types).toContain("paused");
    expect(events.at(-1)).toMatchObject({ type: "error", code: "payment_timeout" });
    const chunks = events.filter((e): e is Extract<SessionEvent, { type: "chunk" }> => e.type === "chunk");
    expect(chunks.length).toBeGreaterThan(0);
    const entry = small.sessions!.book.get(session.account.address)!;
    expect(entry.paid.lamports).toBe(0n);
    const delivered = tokenCost(BigInt(chunks.at(-1)!.tokens), session.account.priceOut);
    expect(delivered).toBeLessThanOrEqual(window);
    expect(entry.billed.lamports - entry.paid.lamports).toBeLessThanOrEqual(window);
    // and the next ask is refused until the client pays (402 payment_required)
    const next = await postRawAsk(session, rawAskBody(session, 1, payload));
    expect(next.status).toBe(402);
    expect(next.json).toMatchObject({ error: { code: "payment_required" } });
  });

  it("lets a paying client through the same small window: the answer pauses and resumes on each voucher", async () => {
    const small = await bed.startNode({
      config: await sessionNodeConfig({ creditWindowLamports: 300n, billStepLamports: 0n }),
      keyringFile: "small-paying.json",
    });
    const session = await openTestSession(market, small);
    const answer = await askAll(session, "Write a long story about a dragon.", 80);
    // more than the window can cover without a voucher: the node had to pause and resume
    expect(tokenCost(BigInt(answer.tokensOut), session.account.priceOut)).toBeGreaterThan(300n);
    expect(answer.finishReason).toMatch(/stop|length/);
    expect(small.sessions!.book.get(session.account.address)!.paid).toEqual(session.progress.committed);
  });
});

describe("the settle schedule", () => {
  it("settles on its own once the vouched amount passes the threshold, leaving the session open", async () => {
    // Given a node that settles at 1 lamport, looking every 200 ms
    const eager = await bed.startNode({
      config: await sessionNodeConfig({ settleThresholdLamports: 1n, settleIntervalMs: 200 }),
      keyringFile: "eager.json",
    });
    const session = await openTestSession(market, eager);
    const operatorBefore = await balance(eager.operator);
    // When one answer is paid
    const answer = await askAll(session, "Name a tree.", 8);
    // Then the voucher lands on chain without any close: operator + paid − 10 % − one settle fee
    const deadline = Date.now() + 10_000;
    let account = await fetchSessionAccount(market.chain, session.account.address);
    while (account!.settled !== answer.lamports && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      account = await fetchSessionAccount(market.chain, session.account.address);
    }
    expect(account).toMatchObject({ status: SessionStatus.Open, settled: answer.lamports });
    expect(await balance(eager.operator)).toBe(operatorBefore + answer.lamports - (answer.lamports * 1_000n) / 10_000n - 10_000n);
  });
});

describe("durability", () => {
  it("keeps the latest voucher across a crash: the next start settles it at its graceful stop", async () => {
    // Given a node that answered once, then crashed (stop without drain)
    const operator = await fundedWallet(market.chain);
    const first = await bed.startNode({ operator, config: await sessionNodeConfig(), keyringFile: "restart.json" });
    const session = await openTestSession(market, first);
    const answer = await askAll(session, "Name a planet.", 8);
    await first.stop();
    expect((await fetchSessionAccount(market.chain, session.account.address))!.settled).toBe(0n);
    // When the node starts again with the same keyring and stops gracefully
    const second = await bed.startNode({ operator, config: await sessionNodeConfig(), keyringFile: "restart.json" });
    expect(second.sessions!.book.get(session.account.address)!.voucher!.voucher.lamports).toBe(answer.lamports);
    await second.stop({ drain: true });
    // Then the saved voucher was settled and the session closed
    const after = await fetchSessionAccount(market.chain, session.account.address);
    expect(after).toMatchObject({ status: SessionStatus.Closed, settled: answer.lamports });
  });
});
