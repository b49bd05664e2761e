/**
 * The session client over fetch against a scripted node (node:http, real crypto, no chain): it decrypts in order,
 * signs and posts a voucher for each acceptable bill, and refuses an over-billing node without signing anything.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder } from "@solana/kit";
import { afterEach, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED,
  CHAINFERENCE_ERROR__SESSION__NODE_ERROR,
  CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION,
  CHAINFERENCE_PROGRAM_ADDRESS,
  decodePromptPayload,
  getKeyRootMessage,
  keyRootFromSignature,
  isChainferenceClientError,
} from "@chainference/client";
import {
  askInSession,
  createMemorySessionHistoryStorage,
  createSessionProgress,
  decodeVoucher,
  decryptSessionFrame,
  deriveSessionFrameKey,
  deriveSessionKeys,
  encryptSessionFrame,
  formatSessionEvent,
  parseSessionAskBody,
  parseSessionVoucherBody,
  readSessionHistory,
  verifySessionAsk,
  verifyVoucherSignature,
  type SessionConnection,
  type SessionEvent,
} from "@chainference/client/sessions";

const session = getAddressDecoder().decode(new Uint8Array(32).fill(0x22));
const walletSeed = new Uint8Array(32).fill(1);
const wallet = getAddressDecoder().decode(ed25519.getPublicKey(walletSeed));
const keys = deriveSessionKeys(
  keyRootFromSignature({
    wallet,
    programId: CHAINFERENCE_PROGRAM_ADDRESS,
    signature: ed25519.sign(getKeyRootMessage({ wallet, programId: CHAINFERENCE_PROGRAM_ADDRESS }), walletSeed),
  }),
  session,
);
const serverSecret = new Uint8Array(32).fill(0x33);
const prices = { priceIn: 1_000_000n, priceOut: 5_000_000n };
const payload = { v: 1 as const, messages: [{ role: "user" as const, content: "Say hi" }], maxTokens: 8 };

type Script = (ctx: {
  answer: number;
  frameKey: Uint8Array;
  send: (e: SessionEvent) => void;
  chunk: (i: number, text: string, final: boolean) => void;
}) => void;

let server: Server | undefined;
const vouchers: { lamports: bigint; signed: boolean }[] = [];

async function fakeNode(script: Script): Promise<string> {
  vouchers.length = 0;
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (part) => (body += part));
    request.on("end", () => {
      if (request.url?.endsWith("/vouchers")) {
        const { voucher, signature } = parseSessionVoucherBody(JSON.parse(body));
        vouchers.push({
          lamports: decodeVoucher(voucher).lamports,
          signed: verifyVoucherSignature({ bytes: voucher, signature, voucherSigner: keys.voucherSigner }),
        });
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            v: 1,
            paid: { lamports: "0", tokens: "0", answers: 0 },
            billed: { lamports: "0", tokens: "0", answers: 0 },
            settledLamports: "0",
          }),
        );
        return;
      }
      const ask = parseSessionAskBody(JSON.parse(body));
      expect(
        verifySessionAsk({
          ask: { session, answer: ask.answer, clientKey: ask.clientKey, keyEpoch: ask.keyEpoch, promptFrame: ask.prompt },
          signature: ask.signature,
          voucherSigner: keys.voucherSigner,
        }),
      ).toBe(true);
      const frameKey = deriveSessionFrameKey({ secret: serverSecret, peerKey: ask.clientKey, session, peer: "client" });
      const prompt = decodePromptPayload(
        decryptSessionFrame({ frameKey, session, answer: ask.answer, direction: "prompt", chunk: 0, isFinal: true, frame: ask.prompt }),
      );
      expect(prompt.messages[0]!.content).toBe("Say hi");
      response.writeHead(200, { "content-type": "text/event-stream" });
      const send = (e: SessionEvent) => response.write(formatSessionEvent(e));
      const chunk = (i: number, text: string, final: boolean) =>
        send({
          type: "chunk",
          chunk: i,
          final,
          tokens: i + 1,
          frame: encryptSessionFrame({
            frameKey,
            session,
            answer: ask.answer,
            direction: "answer",
            chunk: i,
            isFinal: final,
            plaintext: new TextEncoder().encode(text),
          }),
        });
      script({ answer: ask.answer, frameKey, send, chunk });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const connectionTo = (endpoint: string): SessionConnection => ({
  endpoint,
  keys,
  serverKey: x25519.getPublicKey(serverSecret),
  keyEpoch: 1,
  prices,
});

async function drain(answer: ReturnType<typeof askInSession>) {
  let text = "";
  for await (const delta of answer) text += delta.text;
  return { text, result: await answer.result };
}

describe("session client", () => {
  it("decrypts the chunks in order, signs each acceptable bill and posts it before the answer resolves", async () => {
    // Given a node that streams "Hi" + " there" and bills 2 answer tokens, then the prompt
    const endpoint = await fakeNode(({ send, chunk }) => {
      chunk(0, "Hi", false);
      chunk(1, " there", false);
      send({ type: "bill", lamports: 10n, tokens: 2n, answers: 1, tokensIn: 0, tokensOut: 2 });
      chunk(2, "", true);
      send({ type: "bill", lamports: 22n, tokens: 14n, answers: 1, tokensIn: 12, tokensOut: 2 });
      send({ type: "done", finishReason: "stop", tokensIn: 12, tokensOut: 2, lamports: 22n });
    });
    const progress = createSessionProgress();
    const history = createMemorySessionHistoryStorage();
    // When the client asks
    const { text, result } = await drain(askInSession({ connection: connectionTo(endpoint), progress, payload, history }));
    // Then it read the text and signed exactly the two bills
    expect(text).toBe("Hi there");
    expect(result.lamports).toBe(22n);
    expect(vouchers).toEqual([
      { lamports: 10n, signed: true },
      { lamports: 22n, signed: true },
    ]);
    expect(progress).toMatchObject({ committed: { lamports: 22n, tokens: 14n, answers: 1 }, nextAnswer: 1 });
    // and the answer is in the encrypted local history
    expect(await readSessionHistory({ storage: history, keys })).toMatchObject([
      { answer: 0, text: "Hi there", lamports: 22n, prompt: payload },
    ]);
  });

  it("refuses an over-billing node: a bill above the received bytes' worth is never signed", async () => {
    // Given a node that sends 2 bytes and bills 3 answer tokens
    const endpoint = await fakeNode(({ send, chunk }) => {
      chunk(0, "Hi", false);
      send({ type: "bill", lamports: 15n, tokens: 3n, answers: 1, tokensIn: 0, tokensOut: 3 });
      chunk(1, "", true);
      send({ type: "done", finishReason: "stop", tokensIn: 0, tokensOut: 3, lamports: 15n });
    });
    const progress = createSessionProgress();
    // When the client reads the answer, Then it fails with CHARGE_REJECTED and posted nothing
    await expect(drain(askInSession({ connection: connectionTo(endpoint), progress, payload }))).rejects.toSatisfy((e) =>
      isChainferenceClientError(e, CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED),
    );
    expect(vouchers).toEqual([]);
    expect(progress.committed.lamports).toBe(0n);
  });

  it("refuses a lamport amount above the prices even with honest token counts", async () => {
    const endpoint = await fakeNode(({ send, chunk }) => {
      chunk(0, "Hi", false);
      send({ type: "bill", lamports: 11n, tokens: 2n, answers: 1, tokensIn: 0, tokensOut: 2 });
    });
    await expect(drain(askInSession({ connection: connectionTo(endpoint), progress: createSessionProgress(), payload }))).rejects.toSatisfy(
      (e) => isChainferenceClientError(e, CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED),
    );
    expect(vouchers).toEqual([]);
  });

  it.each([
    ["a skipped chunk", (c: Parameters<Script>[0]) => (c.chunk(0, "a", false), c.chunk(2, "b", true))],
    ["a replayed chunk", (c: Parameters<Script>[0]) => (c.chunk(0, "a", false), c.chunk(0, "a", false))],
    ["a stream cut before the final chunk", (c: Parameters<Script>[0]) => c.chunk(0, "a", false)],
  ])("fails the answer on %s", async (_name, script) => {
    const endpoint = await fakeNode(script);
    await expect(drain(askInSession({ connection: connectionTo(endpoint), progress: createSessionProgress(), payload }))).rejects.toSatisfy(
      (e) => isChainferenceClientError(e, CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION),
    );
  });

  it("surfaces an in-stream error event with its protocol code", async () => {
    const endpoint = await fakeNode(({ send }) => send({ type: "error", code: "payment_timeout", message: "no voucher" }));
    const failure = await drain(askInSession({ connection: connectionTo(endpoint), progress: createSessionProgress(), payload })).catch(
      (e: unknown) => e,
    );
    expect(isChainferenceClientError(failure, CHAINFERENCE_ERROR__SESSION__NODE_ERROR)).toBe(true);
    expect((failure as { context: { code: string } }).context.code).toBe("payment_timeout");
  });
});
