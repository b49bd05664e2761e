/**
 * Session crypto and wire formats (docs/sessions.md §2–§3) with fixed inputs: every derivation is re-computed here
 * from the raw primitives, as a second implementation would, and the byte layouts are pinned in hex.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";
import { createKeyPairSignerFromPrivateKeyBytes, getAddressDecoder, getAddressEncoder, type Address } from "@solana/kit";
import { describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED,
  CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE,
  CHAINFERENCE_PROGRAM_ADDRESS,
  deriveKeyRoot,
  getKeyRootMessage,
  keyRootFromSignature,
  isChainferenceClientError,
} from "@chainference/client";
import {
  checkSessionCharge,
  createMemorySessionHistoryStorage,
  decodeVoucher,
  decryptSessionFrame,
  deriveSessionFrameKey,
  deriveSessionKeys,
  encodeSessionAskBody,
  encodeSessionCloseBody,
  encodeSessionCloseReceipt,
  encodeVoucher,
  encryptSessionFrame,
  formatSessionEvent,
  getSessionAskMessage,
  getSessionCloseMessage,
  getSessionFrameAad,
  parseSessionAskBody,
  parseSessionCloseBody,
  parseSessionCloseReceipt,
  parseSessionEvent,
  parseSessionInfo,
  encodeSessionInfo,
  readSessionHistory,
  saveSessionHistoryEntry,
  sessionAnswerCost,
  signSessionAsk,
  signSessionClose,
  signVoucher,
  verifySessionAsk,
  verifySessionClose,
  verifyVoucherSignature,
  type SessionEvent,
  type SessionTotals,
} from "@chainference/client/sessions";

const fill = (byte: number, length: number) => new Uint8Array(length).fill(byte);
const utf8 = (s: string) => new TextEncoder().encode(s);
const addressOf = (bytes: Uint8Array) => getAddressDecoder().decode(bytes);
const bytesOf = (address: Address) => Uint8Array.from(getAddressEncoder().encode(address));
const u32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};

const programId = CHAINFERENCE_PROGRAM_ADDRESS;
const session = addressOf(fill(0x22, 32));
const walletSeed = fill(0x01, 32);
const serverSecret = fill(0x33, 32);
const walletAddress = addressOf(ed25519.getPublicKey(walletSeed));
const keyRoot = keyRootFromSignature({
  wallet: walletAddress,
  programId,
  signature: ed25519.sign(getKeyRootMessage({ wallet: walletAddress, programId }), walletSeed),
});
const keys = deriveSessionKeys(keyRoot, session);

function expectClientError(fn: () => unknown, code: number) {
  try {
    fn();
  } catch (error) {
    expect(isChainferenceClientError(error, code as never), String(error)).toBe(true);
    return error;
  }
  throw new Error("expected a throw");
}

describe("session keys", () => {
  it("derives the voucher signer, the X25519 key and the history key from the key root with HKDF", () => {
    const salt = bytesOf(session);
    const signerSeed = hkdf(sha256, keyRoot.secret, salt, utf8("chainference/v2/session-signer"), 32);
    const x25519Secret = hkdf(sha256, keyRoot.secret, salt, utf8("chainference/v2/session-x25519"), 32);
    expect(keys.voucherSecret).toEqual(signerSeed);
    expect(keys.voucherSigner).toBe(addressOf(ed25519.getPublicKey(signerSeed)));
    expect(keys.clientSecret).toEqual(x25519Secret);
    expect(keys.clientKey).toEqual(x25519.getPublicKey(x25519Secret));
    expect(keys.historyKey).toEqual(hkdf(sha256, keyRoot.secret, salt, utf8("chainference/v2/session-history"), 32));
  });

  it("re-creates the same keys from a kit signer (the one key-root signature) and keys differ per session", async () => {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(walletSeed);
    const again = deriveSessionKeys(await deriveKeyRoot(signer, programId), session);
    expect(again.voucherSigner).toBe(keys.voucherSigner);
    const other = deriveSessionKeys(keyRoot, programId);
    expect(other.voucherSigner).not.toBe(keys.voucherSigner);
  });
});

describe("session frames", () => {
  const serverKey = x25519.getPublicKey(serverSecret);
  const frameKey = deriveSessionFrameKey({ secret: keys.clientSecret, peerKey: serverKey, session, peer: "server" });
  const position = { session, answer: 7, direction: "answer" as const, chunk: 3, isFinal: false };

  it("derives one key on both sides: HKDF(X25519 shared, salt = session, info = chainference/v2/session)", () => {
    const shared = x25519.getSharedSecret(keys.clientSecret, serverKey);
    expect(frameKey).toEqual(hkdf(sha256, shared, bytesOf(session), utf8("chainference/v2/session"), 32));
    expect(deriveSessionFrameKey({ secret: serverSecret, peerKey: keys.clientKey, session, peer: "client" })).toEqual(frameKey);
  });

  it("binds session, answer, direction, chunk and final flag in 46 bytes of associated data", () => {
    const aad = getSessionFrameAad(position);
    expect(aad).toEqual(concatBytes(utf8("cfs2"), bytesOf(session), u32(7), Uint8Array.of(1), u32(3), Uint8Array.of(0)));
    expect(getSessionFrameAad({ ...position, direction: "prompt", isFinal: true }).subarray(40)).toEqual(
      concatBytes(Uint8Array.of(0), u32(3), Uint8Array.of(1)),
    );
  });

  it("names each frame's own session when frames of several sessions interleave", () => {
    const other = addressOf(fill(0x24, 32));
    for (const name of [session, other, session, other])
      expect(getSessionFrameAad({ ...position, session: name }).subarray(4, 36)).toEqual(bytesOf(name));
  });

  it("is nonce || XChaCha20-Poly1305 and opens with the raw primitive", () => {
    const nonce = fill(0x44, 24);
    const frame = encryptSessionFrame({ ...position, frameKey, plaintext: utf8("Hello"), nonce });
    expect(frame.subarray(0, 24)).toEqual(nonce);
    expect(xchacha20poly1305(frameKey, nonce, getSessionFrameAad(position)).decrypt(frame.subarray(24))).toEqual(utf8("Hello"));
    expect(decryptSessionFrame({ ...position, frameKey, frame })).toEqual(utf8("Hello"));
  });

  it("draws a fresh random nonce per frame", () => {
    const a = encryptSessionFrame({ ...position, frameKey, plaintext: utf8("x") });
    const b = encryptSessionFrame({ ...position, frameKey, plaintext: utf8("x") });
    expect(a.subarray(0, 24)).not.toEqual(b.subarray(0, 24));
  });

  it.each([
    ["another answer", { answer: 8 }],
    ["another chunk", { chunk: 4 }],
    ["the final flag flipped", { isFinal: true }],
    ["the other direction (a prompt reflected as an answer)", { direction: "prompt" as const }],
    ["another session", { session: programId }],
  ])("refuses a frame replayed under %s", (_name, change) => {
    const frame = encryptSessionFrame({ ...position, frameKey, plaintext: utf8("Hello") });
    expectClientError(() => decryptSessionFrame({ ...position, ...change, frameKey, frame }), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
  });
});

describe("the signed ask", () => {
  const promptFrame = fill(0x55, 80);
  const ask = { session, answer: 2, clientKey: keys.clientKey, keyEpoch: 5, promptFrame };

  it("signs 131 bytes: prefix, session, answer, client key, key epoch, sha256(prompt frame)", () => {
    const message = getSessionAskMessage(ask);
    expect(message).toEqual(
      concatBytes(utf8("chainference/v1/session-ask"), bytesOf(session), u32(2), keys.clientKey, u32(5), sha256(promptFrame)),
    );
    expect(message.length).toBe(131);
  });

  it("verifies under the voucher signer only, and not for another index or prompt", () => {
    const signature = signSessionAsk({ ask, voucherSecret: keys.voucherSecret });
    expect(ed25519.verify(signature, getSessionAskMessage(ask), bytesOf(keys.voucherSigner))).toBe(true);
    expect(verifySessionAsk({ ask, signature, voucherSigner: keys.voucherSigner })).toBe(true);
    expect(verifySessionAsk({ ask: { ...ask, answer: 3 }, signature, voucherSigner: keys.voucherSigner })).toBe(false);
    expect(verifySessionAsk({ ask: { ...ask, promptFrame: fill(0x56, 80) }, signature, voucherSigner: keys.voucherSigner })).toBe(false);
    expect(verifySessionAsk({ ask, signature, voucherSigner: programId })).toBe(false);
  });
});

describe("vouchers", () => {
  it("encodes the 54 bytes of docs/sessions.md §2", () => {
    const bytes = encodeVoucher({ session, lamports: 2_530n, tokens: 530n, answers: 1 });
    expect(bytesToHex(bytes)).toBe(`4301${"22".repeat(32)}e209000000000000120200000000000001000000`);
    expect(decodeVoucher(bytes)).toEqual({ session, lamports: 2_530n, tokens: 530n, answers: 1 });
  });

  it("is signed by the session key and verifies only over its exact bytes", () => {
    const signed = signVoucher({ voucher: { session, lamports: 10n, tokens: 3n, answers: 1 }, voucherSecret: keys.voucherSecret });
    expect(verifyVoucherSignature({ bytes: signed.bytes, signature: signed.signature, voucherSigner: keys.voucherSigner })).toBe(true);
    const tampered = Uint8Array.from(signed.bytes);
    tampered[34] = 11;
    expect(verifyVoucherSignature({ bytes: tampered, signature: signed.signature, voucherSigner: keys.voucherSigner })).toBe(false);
  });
});

describe("the charge check", () => {
  const prices = { priceIn: 1_000_000n, priceOut: 5_000_000n };
  const base: SessionTotals = { lamports: 1_000n, tokens: 200n, answers: 3 };
  const input = { session, answer: 3, base, promptBytes: 100, receivedBytes: 40, ...prices };

  it("uses the program's ceiling per direction", () => {
    expect(sessionAnswerCost({ tokensIn: 30, tokensOut: 500, ...prices })).toBe(2_530n);
    expect(sessionAnswerCost({ tokensIn: 1, tokensOut: 1, priceIn: 1n, priceOut: 999_999n })).toBe(2n);
  });

  it("accepts a bill at exactly what the counts allow", () => {
    const bill = { lamports: 1_000n + 30n + 150n, tokens: 260n, answers: 4, tokensIn: 30, tokensOut: 30 };
    expect(checkSessionCharge({ ...input, bill })).toEqual({ session, lamports: 1_180n, tokens: 260n, answers: 4 });
  });

  it.each([
    ["tokensOut", { lamports: 1_100n, tokens: 250n, answers: 4, tokensIn: 0, tokensOut: 41 }],
    ["tokensIn", { lamports: 1_100n, tokens: 350n, answers: 4, tokensIn: 101, tokensOut: 0 }],
    ["lamports", { lamports: 1_181n, tokens: 260n, answers: 4, tokensIn: 30, tokensOut: 30 }],
    ["tokens", { lamports: 1_180n, tokens: 261n, answers: 4, tokensIn: 30, tokensOut: 30 }],
    ["answers", { lamports: 1_180n, tokens: 260n, answers: 5, tokensIn: 30, tokensOut: 30 }],
  ])("refuses a bill over the client's own count of %s", (field, bill) => {
    const error = expectClientError(() => checkSessionCharge({ ...input, bill }), CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED);
    expect((error as { context: { field: string } }).context.field).toBe(field);
  });
});

describe("the signed close", () => {
  it("signs 61 bytes: prefix and session, verifying under the voucher signer only and for this session only", () => {
    const message = getSessionCloseMessage(session);
    expect(message).toEqual(concatBytes(utf8("chainference/v1/session-close"), bytesOf(session)));
    expect(message.length).toBe(61);
    const signature = signSessionClose({ session, voucherSecret: keys.voucherSecret });
    expect(ed25519.verify(signature, message, bytesOf(keys.voucherSigner))).toBe(true);
    expect(verifySessionClose({ session, signature, voucherSigner: keys.voucherSigner })).toBe(true);
    expect(verifySessionClose({ session: addressOf(fill(0x23, 32)), signature, voucherSigner: keys.voucherSigner })).toBe(false);
    expect(verifySessionClose({ session, signature, voucherSigner: programId })).toBe(false);
    expect(verifySessionClose({ session, signature: signature.subarray(0, 63), voucherSigner: keys.voucherSigner })).toBe(false);
  });

  it("round-trips the close body and receipt, and rejects a receipt whose transaction is not a signature", () => {
    const body = { signature: fill(8, 64) };
    expect(parseSessionCloseBody(JSON.parse(JSON.stringify(encodeSessionCloseBody(body))))).toEqual(body);
    expectClientError(() => parseSessionCloseBody({ v: 1, signature: "AQID" }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
    const transaction = addressOf(fill(0x44, 32)).repeat(2).slice(0, 88);
    const receipt = encodeSessionCloseReceipt({ transaction: transaction as never, settledLamports: 18_446_744_073_709_551_615n });
    expect(receipt).toEqual({ v: 1, transaction, settledLamports: "18446744073709551615" });
    expect(parseSessionCloseReceipt(JSON.parse(JSON.stringify(receipt)))).toEqual({
      transaction,
      settledLamports: 18_446_744_073_709_551_615n,
    });
    expectClientError(() => parseSessionCloseReceipt({ ...receipt, transaction: "0OIl" }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
    expectClientError(() => parseSessionCloseReceipt({ ...receipt, extra: 1 }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
  });
});

describe("wire documents", () => {
  it("round-trips an ask body and rejects unknown fields and bad base64", () => {
    const body = { answer: 1, clientKey: keys.clientKey, keyEpoch: 2, prompt: fill(9, 50), signature: fill(8, 64) };
    const json = encodeSessionAskBody(body);
    expect(Object.keys(json)).toEqual(["v", "answer", "clientKey", "keyEpoch", "prompt", "signature"]);
    expect(parseSessionAskBody(JSON.parse(JSON.stringify(json)))).toEqual(body);
    expectClientError(() => parseSessionAskBody({ ...json, extra: 1 }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
    expectClientError(() => parseSessionAskBody({ ...json, prompt: "not base64!" }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
    expectClientError(() => parseSessionAskBody({ ...json, v: 2 }), CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE);
  });

  it("writes each event as `event: <type>` and one JSON data line, and parses it back", () => {
    const events: SessionEvent[] = [
      { type: "chunk", chunk: 0, final: false, frame: fill(1, 41), tokens: 1 },
      { type: "bill", lamports: 18_446_744_073_709_551_615n, tokens: 3n, answers: 1, tokensIn: 0, tokensOut: 3 },
      { type: "paused", unpaidLamports: 60n, creditWindowLamports: 50n },
      { type: "done", finishReason: "stop", tokensIn: 20, tokensOut: 3, lamports: 35n },
      { type: "error", code: "payment_timeout", message: "no voucher" },
    ];
    for (const event of events) {
      const text = formatSessionEvent(event);
      const [, name, data] = /^event: (\w+)\ndata: (.*)\n\n$/.exec(text)!;
      expect(parseSessionEvent(name!, data!)).toEqual(event);
    }
    expect(formatSessionEvent(events[1]!)).toBe(
      'event: bill\ndata: {"lamports":"18446744073709551615","tokens":"3","answers":1,"tokensIn":0,"tokensOut":3}\n\n',
    );
  });

  it("round-trips the info document with u64 prices as decimal strings", () => {
    const info = {
      programId,
      server: session,
      operator: keys.voucherSigner,
      serverKey: keys.clientKey,
      keyEpoch: 1,
      models: [{ modelId: "org/model", revision: "", priceIn: 1_000_000n, priceOut: 5_000_000n }],
      creditWindowLamports: 50_000n,
      settle: { thresholdLamports: 1_000_000n, intervalMs: 600_000 },
    };
    const json = JSON.parse(JSON.stringify(encodeSessionInfo(info)));
    expect(json.models[0].priceOut).toBe("5000000");
    expect(parseSessionInfo(json)).toEqual(info);
  });
});

describe("local history", () => {
  const payload = { v: 1 as const, messages: [{ role: "user" as const, content: "Hi" }], maxTokens: 8 };
  const entry = {
    answer: 0,
    prompt: payload,
    text: "Hello!",
    finishReason: "stop" as const,
    tokensIn: 12,
    tokensOut: 3,
    lamports: 27n,
    at: 1,
  };

  it("stores only ciphertext and reads it back in answer order", async () => {
    const storage = createMemorySessionHistoryStorage();
    await saveSessionHistoryEntry({ storage, keys, entry: { ...entry, answer: 1 } });
    await saveSessionHistoryEntry({ storage, keys, entry });
    const raw = await storage.read(`${session}/0000000000`);
    expect(new TextDecoder().decode(raw!)).not.toContain("Hello");
    expect((await readSessionHistory({ storage, keys })).map((e) => e.answer)).toEqual([0, 1]);
    expect((await readSessionHistory({ storage, keys }))[0]).toEqual(entry);
  });

  it("refuses a record under another key or moved to another answer", async () => {
    const storage = createMemorySessionHistoryStorage();
    await saveSessionHistoryEntry({ storage, keys, entry });
    await expect(readSessionHistory({ storage, keys: { ...keys, historyKey: fill(7, 32) } })).rejects.toSatisfy((e) =>
      isChainferenceClientError(e, CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH),
    );
    await storage.write(`${session}/0000000005`, (await storage.read(`${session}/0000000000`))!);
    const moved = createMemorySessionHistoryStorage();
    await moved.write(`${session}/0000000005`, (await storage.read(`${session}/0000000000`))!);
    await expect(readSessionHistory({ storage: moved, keys })).rejects.toSatisfy((e) =>
      isChainferenceClientError(e, CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH),
    );
  });
});
