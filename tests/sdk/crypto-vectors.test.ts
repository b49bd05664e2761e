/**
 * Fixed test vectors (tests/fixtures/crypto-vectors.json, from scripts/gen-crypto-vectors.ts): any
 * change in derivation, layout or labels fails here. The last block re-implements docs/privacy.md
 * with raw primitives only, as another implementation would, and reads the fixture's chain bytes.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import { createKeyPairSignerFromPrivateKeyBytes, getAddressEncoder, type Address } from "@solana/kit";
import { describe, expect, it } from "vitest";

import {
  decodeResponseStream,
  decryptPrompt,
  decryptRequestHistoryWithSigner,
  decryptResponseStream,
  deriveClientResponseKey,
  deriveRequestKeys,
  deriveServerResponseKey,
  encodePromptPayload,
  encodeResponseFrames,
  encryptPrompt,
  encryptResponseChunk,
  getKeyRootMessage,
  keyRootFromSignature,
  unwrapDataKey,
  wrapDataKeyForServers,
  type PromptPayload,
} from "@chainference/client";
import vectors from "../fixtures/crypto-vectors.json";

const { inputs, expected } = vectors;
const programId = inputs.programId as Address;
const requestAddress = inputs.requestAddress as Address;
const payload = inputs.promptPayload as PromptPayload;
const servers = inputs.servers.map((s) => ({
  ...s,
  server: s.server as Address,
  secretKey: hexToBytes(s.x25519SecretKey),
  publicKey: hexToBytes(s.x25519PublicKey),
}));
const locker = servers.find((s) => s.name === inputs.locker)!;
const chunkPlaintexts = inputs.responseChunkPlaintexts.map(hexToBytes);
const chunkNonces = inputs.responseChunkNonces.map(hexToBytes);
const wallet = inputs.walletAddress as Address;
const hex = bytesToHex;

function keys() {
  return deriveRequestKeys(keyRootFromSignature({ wallet, programId, signature: hexToBytes(expected.keyRootSignature) }), requestAddress);
}

describe("crypto vectors: the SDK reproduces every expected byte", () => {
  it("key-root message, wallet signature (kit signer and raw Ed25519 agree) and key root", async () => {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(hexToBytes(inputs.walletSeed));
    expect(signer.address).toBe(inputs.walletAddress);
    const message = getKeyRootMessage({ wallet, programId });
    expect(hex(message)).toBe(expected.keyRootMessage);
    const [signed] = await signer.signMessages([{ content: message, signatures: {} }]);
    expect(hex(signed![signer.address]!)).toBe(expected.keyRootSignature);
    expect(hex(ed25519.sign(message, hexToBytes(inputs.walletSeed)))).toBe(expected.keyRootSignature);
    expect(hex(keyRootFromSignature({ wallet, programId, signature: hexToBytes(expected.keyRootSignature) }).secret)).toBe(
      expected.keyRoot,
    );
  });

  it("ephemeral secret, client key and data key", () => {
    const { ephSecret, clientKey, dataKey } = keys();
    expect(hex(ephSecret)).toBe(expected.ephSecret);
    expect(hex(clientKey)).toBe(expected.clientKey);
    expect(hex(dataKey)).toBe(expected.dataKey);
  });

  it("wrapped data keys, and each server unwraps its own", () => {
    const allowed = wrapDataKeyForServers({
      requestKeys: keys(),
      requestAddress,
      servers: servers.map(({ server, keyEpoch, publicKey }) => ({ server, keyEpoch, x25519Key: publicKey })),
    });
    expect(allowed.map((a) => ({ ...a, wrappedKey: hex(a.wrappedKey) }))).toEqual(expected.wrappedKeys);
    for (const [i, server] of servers.entries()) {
      const dataKey = unwrapDataKey({
        serverSecret: server.secretKey,
        clientKey: hexToBytes(expected.clientKey),
        requestAddress,
        server: server.server,
        wrappedKey: hexToBytes(expected.wrappedKeys[i]!.wrappedKey),
      });
      expect(hex(dataKey)).toBe(expected.dataKey);
    }
  });

  it("prompt plaintext and ciphertext", () => {
    expect(hex(encodePromptPayload(payload))).toBe(expected.promptJson);
    expect(hex(encryptPrompt({ dataKey: keys().dataKey, requestAddress, payload }))).toBe(expected.promptCiphertext);
    expect(
      decryptPrompt({ dataKey: hexToBytes(expected.dataKey), requestAddress, ciphertext: hexToBytes(expected.promptCiphertext) }),
    ).toEqual(payload);
  });

  it("response key, on both sides", () => {
    const { ephSecret, clientKey, dataKey } = keys();
    expect(hex(deriveClientResponseKey({ ephSecret, dataKey, lockerKey: locker.publicKey, requestAddress }))).toBe(expected.responseKey);
    expect(hex(deriveServerResponseKey({ lockerSecret: locker.secretKey, clientKey, dataKey, requestAddress }))).toBe(expected.responseKey);
  });

  it("response chunk ciphertexts and stream", () => {
    const responseKey = hexToBytes(expected.responseKey);
    const ciphertexts = chunkPlaintexts.map((plaintext, index) =>
      encryptResponseChunk({
        responseKey,
        requestAddress,
        index,
        isFinal: index === chunkPlaintexts.length - 1,
        plaintext,
        nonce: chunkNonces[index]!,
      }),
    );
    expect(ciphertexts.map(hex)).toEqual(expected.responseChunkCiphertexts);
    expect(hex(encodeResponseFrames(ciphertexts))).toBe(expected.responseStream);
    const decrypted = decryptResponseStream({
      responseKey,
      requestAddress,
      stream: hexToBytes(expected.responseStream),
      expectFinal: true,
    });
    expect(decrypted.chunks.map(hex)).toEqual(inputs.responseChunkPlaintexts);
  });

  it("history from the wallet and the fixture's chain bytes", async () => {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(hexToBytes(inputs.walletSeed));
    const history = await decryptRequestHistoryWithSigner({
      signer,
      programId,
      requestAddress,
      clientKey: hexToBytes(expected.clientKey),
      promptCiphertext: hexToBytes(expected.promptCiphertext),
      response: { serverKey: locker.publicKey, stream: hexToBytes(expected.responseStream), isFinal: true },
    });
    expect(history.prompt).toEqual(payload);
    expect(new TextDecoder().decode(history.response!.plaintext)).toBe("Bonjour le monde 🌍 !");
  });
});

describe("crypto vectors: an independent implementation of docs/privacy.md", () => {
  // Only noble primitives and the byte layouts written in the document; no SDK code.
  const te = new TextEncoder();
  const addr = (a: string) => Uint8Array.from(getAddressEncoder().encode(a as Address));
  const u16le = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff);
  const u32le = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const readU32le = (b: Uint8Array) => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const H = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) => hkdf(sha256, ikm, salt, info, length);
  const R = addr(requestAddress);
  // §2.7 padding: u32le(len) || data || zeros; the decoder checks the zeros.
  const unpad = (padded: Uint8Array) => {
    const length = readU32le(padded);
    expect(padded.subarray(4 + length).every((b) => b === 0)).toBe(true);
    return padded.subarray(4, 4 + length);
  };

  it("decrypts the prompt and the answer from wallet seed + chain bytes", () => {
    // §2.1 key root: a Solana off-chain message v0, signed by the wallet
    const text = te.encode(
      `Chainference key root v2. Program: ${programId}. ` +
        "Signing lets this app derive the keys that encrypt your prompts and answers. " +
        "It is not a transaction and moves no funds. Sign it only in a Chainference app.",
    );
    const message = concatBytes(
      Uint8Array.of(0xff),
      te.encode("solana offchain"),
      Uint8Array.of(0),
      addr(programId),
      Uint8Array.of(0, 1),
      addr(wallet),
      u16le(text.length),
      text,
    );
    expect(hex(message)).toBe(expected.keyRootMessage);
    const sig = ed25519.sign(message, hexToBytes(inputs.walletSeed));
    expect(ed25519.verify(sig, message, addr(wallet), { zip215: false })).toBe(true);
    const root = H(sig, addr(programId), te.encode("chainference/v2/key-root"), 32);
    // §2.2 client keys
    const ephSecret = H(root, R, te.encode("chainference/v2/client-x25519"), 32);
    const dataKey = H(root, R, te.encode("chainference/v2/data-key"), 32);
    expect(hex(x25519.getPublicKey(ephSecret))).toBe(expected.clientKey);
    // §2.3 wrapped key (server side), for server B
    const b = servers[1]!;
    const shared = x25519.getSharedSecret(b.secretKey, hexToBytes(expected.clientKey));
    const wrapOkm = H(shared, R, concatBytes(te.encode("chainference/v2/wrap"), addr(b.server)), 56);
    const unwrapped = xchacha20poly1305(wrapOkm.subarray(0, 32), wrapOkm.subarray(32)).decrypt(
      hexToBytes(expected.wrappedKeys[1]!.wrappedKey),
    );
    expect(hex(unwrapped)).toBe(hex(dataKey));
    // §2.5 prompt: 0x02 || nonce(24) || ciphertext+tag, over the padded JSON
    const prompt = hexToBytes(expected.promptCiphertext);
    expect(prompt[0]).toBe(2);
    const promptOkm = H(dataKey, R, te.encode("chainference/v2/prompt"), 64);
    const aad = concatBytes(te.encode("chainference/v2/prompt"), R);
    const padded = xchacha20poly1305(promptOkm.subarray(0, 32), prompt.subarray(1, 25), aad).decrypt(prompt.subarray(25));
    expect(padded.length).toBe(512); // the floor bucket
    expect(JSON.parse(new TextDecoder().decode(unpad(padded)))).toEqual(payload);
    // The nonce is synthetic: HMAC-SHA256(okm[32..64], padded plaintext)[0..24]
    expect(hex(hmac(sha256, promptOkm.subarray(32), padded).subarray(0, 24))).toBe(hex(prompt.subarray(1, 25)));
    // §2.6 response key, §2.7 stream: frames u16le(len) || nonce(24) || ciphertext+tag
    const responseKey = H(
      concatBytes(x25519.getSharedSecret(ephSecret, locker.publicKey), dataKey),
      R,
      te.encode("chainference/v2/response"),
      32,
    );
    expect(hex(responseKey)).toBe(expected.responseKey);
    const stream = hexToBytes(expected.responseStream);
    const plain: Uint8Array[] = [];
    for (let offset = 0, i = 0; offset < stream.length; i++) {
      const len = stream[offset]! | (stream[offset + 1]! << 8);
      const chunk = stream.subarray(offset + 2, offset + 2 + len);
      offset += 2 + len;
      const final = offset === stream.length ? 1 : 0;
      const chunkAad = concatBytes(te.encode("chainference/v2/response-chunk"), R, u32le(i), Uint8Array.of(final));
      const paddedChunk = xchacha20poly1305(responseKey, chunk.subarray(0, 24), chunkAad).decrypt(chunk.subarray(24));
      expect(paddedChunk.length).toBe(64); // every chunk here is short: the floor bucket
      plain.push(unpad(paddedChunk));
    }
    expect(new TextDecoder().decode(concatBytes(...plain))).toBe("Bonjour le monde 🌍 !");
    expect(decodeResponseStream(stream)).toHaveLength(4);
  });
});
