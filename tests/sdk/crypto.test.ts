/**
 * The v2 privacy scheme (docs/privacy.md): round trips, who can read what, and every tampering
 * case failing with its exact named error.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import {
  compileOffchainMessageV0Envelope,
  createKeyPairSignerFromPrivateKeyBytes,
  getAddressDecoder,
  offchainMessageContentRestrictedAsciiOf1232BytesMax,
  type OffchainMessageApplicationDomain,
  type Address,
  type KeyPairSigner,
  type MessagePartialSigner,
  type SignatureBytes,
} from "@solana/kit";
import { beforeAll, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER,
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
  CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME,
  CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING,
  CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM,
  CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  CRYPTO_TAG_LENGTH,
  ChainferenceClientError,
  MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH,
  PROMPT_CIPHERTEXT_OVERHEAD,
  createServerKeyring,
  decodePromptPayload,
  decodeResponseStream,
  decodeServerKeyring,
  decryptPrompt,
  decryptRequestHistory,
  decryptRequestHistoryWithSigner,
  decryptResponseChunk,
  decryptResponseStream,
  deriveClientResponseKey,
  deriveKeyRoot,
  deriveRequestKeys,
  deriveServerResponseKey,
  encodePromptPayload,
  encodeResponseFrames,
  encodeServerKeyring,
  encryptPrompt,
  encryptResponseChunk,
  findWrappedDataKey,
  generateX25519KeyPair,
  getChainferenceClientErrorName,
  getCurrentServerKey,
  getKeyRootMessage,
  getKeyRootMessageText,
  getPaddedLength,
  getResponseChunkAad,
  keyRootFromSignature,
  getServerKeyringSecret,
  getX25519SharedSecret,
  isPromptPayload,
  pruneServerKeyring,
  rotateServerKeyring,
  unwrapDataKey,
  wrapDataKey,
  wrapDataKeyForServers,
  type ChainferenceClientErrorCode,
  type PromptPayload,
  type RequestKeys,
  type WrappedDataKey,
  type X25519KeyPair,
} from "@chainference/client";

// ---------------------------------------------------------------------------------------------
// Helpers

const utf8 = (text: string) => new TextEncoder().encode(text);
const seedOf = (label: string) => sha256(utf8(`chainference/crypto-test/${label}`));
const addressOf = (label: string): Address => getAddressDecoder().decode(seedOf(label));

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Asserts `fn` throws exactly `code` (compared by name so a failure reads well). */
function expectError<TCode extends ChainferenceClientErrorCode>(fn: () => unknown, code: TCode): ChainferenceClientError<TCode> {
  const error = errorOf(fn);
  expect(error, `expected ${getChainferenceClientErrorName(code)}`).toBeInstanceOf(ChainferenceClientError);
  expect(getChainferenceClientErrorName((error as ChainferenceClientError).code)).toBe(getChainferenceClientErrorName(code));
  return error as ChainferenceClientError<TCode>;
}

async function expectErrorAsync<TCode extends ChainferenceClientErrorCode>(
  promise: Promise<unknown>,
  code: TCode,
): Promise<ChainferenceClientError<TCode>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${getChainferenceClientErrorName(code)}`).toBeInstanceOf(ChainferenceClientError);
  expect(getChainferenceClientErrorName((error as ChainferenceClientError).code)).toBe(getChainferenceClientErrorName(code));
  return error as ChainferenceClientError<TCode>;
}

type TestServer = X25519KeyPair & { server: Address; keyEpoch: number };

function testServer(label: string, keyEpoch: number): TestServer {
  return { server: addressOf(`server-${label}`), keyEpoch, ...generateX25519KeyPair(seedOf(`x25519-${label}`)) };
}

const asAllowed = ({ server, keyEpoch, publicKey }: TestServer) => ({ server, keyEpoch, x25519Key: publicKey });

/** A request as both sides see it: keys, on-chain fields, and a streamed answer. */
type Scenario = {
  requestAddress: Address;
  keys: RequestKeys;
  allowed: WrappedDataKey[];
  promptCiphertext: Uint8Array;
  responseKey: Uint8Array;
  chunkCiphertexts: Uint8Array[];
  stream: Uint8Array;
};

const ANSWER_CHUNKS = ["The answer", " is ", "42", "."];

async function createScenario(signer: KeyPairSigner, requestLabel: string, locker: TestServer): Promise<Scenario> {
  const requestAddress = addressOf(`request-${requestLabel}`);
  const keys = deriveRequestKeys(await deriveKeyRoot(signer, PROGRAM_ID), requestAddress);
  const allowed = wrapDataKeyForServers({ requestKeys: keys, requestAddress, servers: [A, B].map(asAllowed) });
  const promptCiphertext = encryptPrompt({ dataKey: keys.dataKey, requestAddress, payload: PAYLOAD });
  const responseKey = deriveServerResponseKey({
    lockerSecret: locker.secretKey,
    clientKey: keys.clientKey,
    dataKey: keys.dataKey,
    requestAddress,
  });
  const chunkCiphertexts = ANSWER_CHUNKS.map((text, index) =>
    encryptResponseChunk({
      responseKey,
      requestAddress,
      index,
      isFinal: index === ANSWER_CHUNKS.length - 1,
      plaintext: utf8(text),
    }),
  );
  return { requestAddress, keys, allowed, promptCiphertext, responseKey, chunkCiphertexts, stream: encodeResponseFrames(chunkCiphertexts) };
}

const PROGRAM_ID = addressOf("program");
const A = testServer("a", 0);
const B = testServer("b", 7);
const OUTSIDER = testServer("outsider", 0);
const WALLET_SEED = seedOf("wallet");
const PAYLOAD: PromptPayload = {
  v: 1,
  messages: [
    { role: "system", content: "Answer briefly." },
    { role: "user", content: "What is the answer? ✨" },
  ],
  maxTokens: 64,
  temperature: 0.2,
};

let wallet: KeyPairSigner;
let otherWallet: KeyPairSigner;
let main: Scenario;
let other: Scenario;

beforeAll(async () => {
  wallet = await createKeyPairSignerFromPrivateKeyBytes(WALLET_SEED);
  otherWallet = await createKeyPairSignerFromPrivateKeyBytes(seedOf("other-wallet"));
  main = await createScenario(wallet, "main", A);
  other = await createScenario(wallet, "other", A);
});

function decryptMain(stream: Uint8Array, expectFinal = true) {
  return decryptResponseStream({ responseKey: main.responseKey, requestAddress: main.requestAddress, stream, expectFinal });
}

// ---------------------------------------------------------------------------------------------

/** A signer over `seed` that counts its `signMessages` calls (wallet prompts); `sign` may replace Ed25519 signing. */
function countingSigner(address: Address, sign: (message: Uint8Array) => Uint8Array) {
  const calls: number[] = [];
  const signer: MessagePartialSigner = {
    address,
    signMessages: async (messages) => {
      calls.push(messages.length);
      return messages.map((m) => ({ [address]: sign(Uint8Array.from(m.content)) as SignatureBytes }));
    },
  };
  return { signer, calls };
}

/** An Ed25519 signature with a random nonce `r` (valid, but not the RFC 8032 deterministic one). */
function randomizedSignature(message: Uint8Array, seed: Uint8Array): Uint8Array {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  const L = ed25519.Point.Fn.ORDER;
  const le = (bytes: Uint8Array) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);
  const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const r = (le(randomBytes(64)) % (L - 1n)) + 1n;
  const R = ed25519.Point.BASE.multiply(r).toBytes();
  const k = le(sha512(new Uint8Array([...R, ...pointBytes, ...message]))) % L;
  return new Uint8Array([...R, ...toLe32((r + k * scalar) % L)]);
}

describe("key root and request keys", () => {
  it("derives the same keys from a wallet signer as from a raw Ed25519 signature over the key-root message", async () => {
    // Given the key-root message signed directly with the wallet's seed
    const signature = ed25519.sign(getKeyRootMessage({ wallet: wallet.address, programId: PROGRAM_ID }), WALLET_SEED);
    // When the root and the request's keys are derived from that signature
    const root = keyRootFromSignature({ wallet: wallet.address, programId: PROGRAM_ID, signature });
    // Then they equal the keys obtained through the kit signer
    expect(deriveRequestKeys(root, main.requestAddress)).toEqual(main.keys);
    expect(root.secret).toEqual((await deriveKeyRoot(wallet, PROGRAM_ID)).secret);
  });

  it("asks the wallet once per signer object: one prompt with the message twice (the determinism check), then none", async () => {
    // Given a fresh signer for the wallet
    const { signer, calls } = countingSigner(wallet.address, (m) => ed25519.sign(m, WALLET_SEED));
    // When keys of several requests and the history are derived
    const first = await deriveKeyRoot(signer, PROGRAM_ID);
    const again = await deriveKeyRoot(signer, PROGRAM_ID);
    deriveRequestKeys(again, main.requestAddress);
    deriveRequestKeys(again, other.requestAddress);
    // Then the wallet was asked once, for two signatures of the same message
    expect(calls).toEqual([2]);
    expect(again).toBe(first);
  });

  it("refuses a wallet whose signatures are randomized, with NON_DETERMINISTIC_SIGNER, and caches nothing", async () => {
    // Given a wallet that signs with random nonces (valid signatures, different each time)
    const { signer, calls } = countingSigner(wallet.address, (m) => randomizedSignature(m, WALLET_SEED));
    // When its key root is derived
    const error = await expectErrorAsync(deriveKeyRoot(signer, PROGRAM_ID), CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER);
    // Then the error names the wallet and says what to do; a second try asks again
    expect(error.message).toContain(wallet.address);
    expect(error.message).toContain("deterministic");
    await expectErrorAsync(deriveKeyRoot(signer, PROGRAM_ID), CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER);
    expect(calls).toEqual([2, 2]);
  });

  it("gives every request, program and wallet its own keys", async () => {
    // Given the same wallet on another request, the same request under another program, and another wallet
    const otherProgram = deriveRequestKeys(await deriveKeyRoot(wallet, addressOf("other-program")), main.requestAddress);
    const otherClient = deriveRequestKeys(await deriveKeyRoot(otherWallet, PROGRAM_ID), main.requestAddress);
    // Then no key is shared
    for (const keys of [other.keys, otherProgram, otherClient]) {
      expect(keys.ephSecret).not.toEqual(main.keys.ephSecret);
      expect(keys.clientKey).not.toEqual(main.keys.clientKey);
      expect(keys.dataKey).not.toEqual(main.keys.dataKey);
    }
    expect(main.keys.dataKey).not.toEqual(main.keys.ephSecret);
  });

  it("signs a Solana off-chain message naming the program, the wallet and the application, never a transaction", () => {
    const message = getKeyRootMessage({ wallet: wallet.address, programId: PROGRAM_ID });
    const text = `Chainference key root v2. Program: ${PROGRAM_ID}. Signing lets this app derive the keys that encrypt your prompts and answers. It is not a transaction and moves no funds. Sign it only in a Chainference app.`;
    // "\xffsolana offchain" (a transaction's first byte is a signature count < 128) || version 0 || domain
    expect(Array.from(message.subarray(0, 16))).toEqual([0xff, ...utf8("solana offchain")]);
    expect(message[16]).toBe(0);
    expect(getAddressDecoder().decode(message.subarray(17, 49))).toBe(PROGRAM_ID);
    // || format 0 (restricted ASCII) || 1 signer || wallet || u16le length || text
    expect(Array.from(message.subarray(49, 51))).toEqual([0, 1]);
    expect(getAddressDecoder().decode(message.subarray(51, 83))).toBe(wallet.address);
    expect(message[83]! | (message[84]! << 8)).toBe(text.length);
    expect(new TextDecoder().decode(message.subarray(85))).toBe(text);
  });

  it("encodes the key-root message exactly as kit's off-chain message encoder does", () => {
    const envelope = compileOffchainMessageV0Envelope({
      version: 0,
      applicationDomain: PROGRAM_ID as string as OffchainMessageApplicationDomain,
      content: offchainMessageContentRestrictedAsciiOf1232BytesMax(getKeyRootMessageText(PROGRAM_ID)),
      requiredSignatories: [{ address: wallet.address }],
    });
    expect(getKeyRootMessage({ wallet: wallet.address, programId: PROGRAM_ID })).toEqual(Uint8Array.from(envelope.content));
  });

  it("refuses a wallet that signs something other than the exact message", async () => {
    // Given a signer that prefixes messages before signing
    const { signer } = countingSigner(wallet.address, (m) => ed25519.sign(new Uint8Array([0xff, ...m]), WALLET_SEED));
    // Then the root is refused
    await expectErrorAsync(deriveKeyRoot(signer, PROGRAM_ID), CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE);
  });

  it("verifies by strict RFC 8032: a small-order key's signature that ZIP-215 accepts is refused", () => {
    // Given the identity point as "wallet" and the signature (R = identity, S = 0), valid for any message under ZIP-215
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const wallet = getAddressDecoder().decode(identity);
    const signature = new Uint8Array(64);
    signature.set(identity, 0);
    const message = getKeyRootMessage({ wallet, programId: PROGRAM_ID });
    expect(ed25519.verify(signature, message, identity, { zip215: true })).toBe(true);
    // Then the key root refuses it
    expectError(() => keyRootFromSignature({ wallet, programId: PROGRAM_ID, signature }), CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE);
  });

  it("refuses a signer that returns no signature for its address", async () => {
    const signer: MessagePartialSigner = { address: wallet.address, signMessages: async (messages) => messages.map(() => ({})) };
    await expectErrorAsync(deriveKeyRoot(signer, PROGRAM_ID), CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE);
  });

  it("rejects a key-root signature of the wrong length", () => {
    expectError(
      () => keyRootFromSignature({ wallet: wallet.address, programId: PROGRAM_ID, signature: new Uint8Array(63) }),
      CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH,
    );
  });
});

describe("data key wrapping", () => {
  it("lets every allowed server unwrap the data key with its own secret", () => {
    for (const server of [A, B]) {
      // Given the server's entry in the allow-list
      const entry = findWrappedDataKey({ allowed: main.allowed, server: server.server });
      expect(entry.keyEpoch).toBe(server.keyEpoch);
      expect(entry.wrappedKey.length).toBe(48);
      // When it unwraps with its secret and the request's client key
      const dataKey = unwrapDataKey({
        ...entry,
        serverSecret: server.secretKey,
        clientKey: main.keys.clientKey,
        requestAddress: main.requestAddress,
      });
      // Then it holds the client's data key
      expect(dataKey).toEqual(main.keys.dataKey);
    }
  });

  it("fails with TAG_MISMATCH when any byte of a wrapped key is flipped", () => {
    const entry = findWrappedDataKey({ allowed: main.allowed, server: A.server });
    for (const index of [0, 17, 31, 32, 47]) {
      expectError(
        () =>
          unwrapDataKey({
            serverSecret: A.secretKey,
            clientKey: main.keys.clientKey,
            requestAddress: main.requestAddress,
            server: A.server,
            wrappedKey: flipByte(entry.wrappedKey, index),
          }),
        CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
      );
    }
  });

  it("keeps a server that is not on the allow-list out", () => {
    // Given a server without an entry
    expectError(
      () => findWrappedDataKey({ allowed: main.allowed, server: OUTSIDER.server }),
      CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER,
    );
    // When it tries every entry with its own secret, under its own or the entry's address
    for (const entry of main.allowed) {
      for (const server of [OUTSIDER.server, entry.server]) {
        expectError(
          () =>
            unwrapDataKey({
              serverSecret: OUTSIDER.secretKey,
              clientKey: main.keys.clientKey,
              requestAddress: main.requestAddress,
              server,
              wrappedKey: entry.wrappedKey,
            }),
          // Then none opens
          CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
        );
      }
    }
  });

  it("binds each wrapped key to its server address: swapping entries between servers fails", () => {
    // Given A's wrapped key presented under B's address to B
    const entryA = findWrappedDataKey({ allowed: main.allowed, server: A.server });
    expectError(
      () =>
        unwrapDataKey({
          serverSecret: B.secretKey,
          clientKey: main.keys.clientKey,
          requestAddress: main.requestAddress,
          server: B.server,
          wrappedKey: entryA.wrappedKey,
        }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
  });

  it("binds each wrapped key to its request: a wrapped key copied into another request fails", () => {
    const entryA = findWrappedDataKey({ allowed: main.allowed, server: A.server });
    expectError(
      () =>
        unwrapDataKey({
          serverSecret: A.secretKey,
          clientKey: other.keys.clientKey,
          requestAddress: other.requestAddress,
          server: A.server,
          wrappedKey: entryA.wrappedKey,
        }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
  });

  it("rejects low-order X25519 keys on both sides with LOW_ORDER_POINT", () => {
    const lowOrderPoints = [
      new Uint8Array(32), // 0
      Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)), // 1
      // An order-8 point (libsodium's blocklist)
      Uint8Array.from([
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
        0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00,
      ]),
    ];
    for (const point of lowOrderPoints) {
      const wrapError = expectError(
        () => wrapDataKey({ ...main.keys, requestAddress: main.requestAddress, server: A.server, serverKey: point }),
        CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT,
      );
      expect(wrapError.context.peer).toBe("server");
      const unwrapError = expectError(
        () =>
          unwrapDataKey({
            serverSecret: A.secretKey,
            clientKey: point,
            requestAddress: main.requestAddress,
            server: A.server,
            wrappedKey: new Uint8Array(48),
          }),
        CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT,
      );
      expect(unwrapError.context.peer).toBe("client");
    }
  });

  it("rejects keys of the wrong length with INVALID_KEY_LENGTH", () => {
    expectError(() => getX25519SharedSecret(new Uint8Array(31), A.publicKey, "server"), CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH);
    expectError(
      () =>
        unwrapDataKey({
          serverSecret: A.secretKey,
          clientKey: main.keys.clientKey,
          requestAddress: main.requestAddress,
          server: A.server,
          wrappedKey: new Uint8Array(47),
        }),
      CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH,
    );
  });

  it("rejects an allow-list entry whose key epoch is not a u32", () => {
    expectError(
      () =>
        wrapDataKeyForServers({
          requestKeys: main.keys,
          requestAddress: main.requestAddress,
          servers: [{ ...asAllowed(A), keyEpoch: -1 }],
        }),
      CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH,
    );
  });
});

describe("prompt payload", () => {
  it("encodes with a fixed field order and decodes back", () => {
    // Given a payload written with its fields in another order
    const shuffled = { temperature: 0.5, maxTokens: 10, messages: [{ content: "hi", role: "user" }], v: 1 } as const;
    // When it is encoded
    const bytes = encodePromptPayload(shuffled);
    // Then the JSON is canonical and decodes to the same payload
    expect(new TextDecoder().decode(bytes)).toBe('{"v":1,"messages":[{"role":"user","content":"hi"}],"maxTokens":10,"temperature":0.5}');
    expect(decodePromptPayload(bytes)).toEqual(shuffled);
  });

  it("omits an absent temperature", () => {
    const bytes = encodePromptPayload({ v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 1 });
    expect(new TextDecoder().decode(bytes)).toBe('{"v":1,"messages":[{"role":"user","content":"x"}],"maxTokens":1}');
  });

  const invalidPayloads: [string, unknown][] = [
    ["not an object", [1, 2]],
    ["null", null],
    ["missing v", { messages: [{ role: "user", content: "x" }], maxTokens: 1 }],
    ["missing messages", { v: 1, maxTokens: 1 }],
    ["empty messages", { v: 1, messages: [], maxTokens: 1 }],
    ["unknown role", { v: 1, messages: [{ role: "tool", content: "x" }], maxTokens: 1 }],
    ["non-string content", { v: 1, messages: [{ role: "user", content: 5 }], maxTokens: 1 }],
    ["extra message field", { v: 1, messages: [{ role: "user", content: "x", name: "n" }], maxTokens: 1 }],
    ["extra payload field", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 1, model: "m" }],
    ["zero maxTokens", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 0 }],
    ["fractional maxTokens", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 1.5 }],
    ["maxTokens above u32", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 2 ** 32 }],
    ["string maxTokens", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: "1" }],
    ["temperature above 2", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 1, temperature: 2.5 }],
    ["negative temperature", { v: 1, messages: [{ role: "user", content: "x" }], maxTokens: 1, temperature: -1 }],
  ];
  it.each(invalidPayloads)("rejects a payload with %s", (_, value) => {
    expect(isPromptPayload(value)).toBe(false);
    expectError(() => decodePromptPayload(utf8(JSON.stringify(value))), CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD);
  });

  it("rejects bytes that are not UTF-8 JSON", () => {
    expectError(() => decodePromptPayload(utf8("{not json")), CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD);
    expectError(() => decodePromptPayload(Uint8Array.from([0x7b, 0xff, 0x7d])), CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD);
  });

  it("rejects another payload version with UNSUPPORTED_VERSION, checked before unknown fields", () => {
    expectError(
      () => decodePromptPayload(utf8('{"v":2,"messages":[{"role":"user","content":"x"}],"maxTokens":1}')),
      CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
    );
    // A later version with fields this one does not know still reports its version
    expectError(
      () => decodePromptPayload(utf8('{"v":3,"messages":[],"tools":[{"name":"search"}]}')),
      CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
    );
  });

  const nonCanonical: [string, string][] = [
    ["64.0 for an integer", '{"v":1,"messages":[{"role":"user","content":"x"}],"maxTokens":64.0}'],
    ["an exponent", '{"v":1,"messages":[{"role":"user","content":"x"}],"maxTokens":6.4e1}'],
    ["a duplicate key", '{"v":1,"messages":[{"role":"user","content":"x"}],"maxTokens":1,"maxTokens":2}'],
    ["whitespace", '{"v":1, "messages":[{"role":"user","content":"x"}],"maxTokens":1}'],
    ["another field order", '{"messages":[{"role":"user","content":"x"}],"v":1,"maxTokens":1}'],
    ["an escaped letter", '{"v":1,"messages":[{"role":"user","content":"\\u0078"}],"maxTokens":1}'],
  ];
  it.each(nonCanonical)("accepts only the canonical encoding: rejects %s", (_, json) => {
    const error = expectError(() => decodePromptPayload(utf8(json)), CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD);
    expect(error.message).toContain("canonical");
  });

  it("rejects content with a lone UTF-16 surrogate, on encode and decode", () => {
    const payload = { v: 1, messages: [{ role: "user", content: "a\ud800b" }], maxTokens: 1 } as const;
    expectError(() => encodePromptPayload(payload), CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD);
    expectError(
      () => decodePromptPayload(utf8('{"v":1,"messages":[{"role":"user","content":"a\\ud800b"}],"maxTokens":1}')),
      CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD,
    );
    // A surrogate pair (an emoji) is text
    expect(decodePromptPayload(encodePromptPayload({ ...payload, messages: [{ role: "user", content: "🌍" }] })).messages[0]!.content).toBe(
      "🌍",
    );
  });
});

describe("prompt encryption", () => {
  it("round trips: an allowed server unwraps the data key and reads the prompt", () => {
    // Given server B (not the locker) unwrapping its entry
    const entry = findWrappedDataKey({ allowed: main.allowed, server: B.server });
    const dataKey = unwrapDataKey({
      ...entry,
      serverSecret: B.secretKey,
      clientKey: main.keys.clientKey,
      requestAddress: main.requestAddress,
    });
    // When it decrypts the prompt
    const payload = decryptPrompt({ dataKey, requestAddress: main.requestAddress, ciphertext: main.promptCiphertext });
    // Then it reads the client's payload
    expect(payload).toEqual(PAYLOAD);
  });

  it("starts with version byte 0x02 and pads the JSON to its bucket before adding 41 bytes", () => {
    expect(main.promptCiphertext[0]).toBe(0x02);
    expect(main.promptCiphertext.length).toBe(512 + PROMPT_CIPHERTEXT_OVERHEAD);
    expect(getPaddedLength(encodePromptPayload(PAYLOAD).length, 512)).toBe(512);
  });

  it("hides prompt lengths inside a bucket: short prompts of different lengths give ciphertexts of one size", () => {
    const sizes = ["hi", "a somewhat longer question about the weather", "x".repeat(400)].map(
      (content) =>
        encryptPrompt({
          dataKey: main.keys.dataKey,
          requestAddress: main.requestAddress,
          payload: { v: 1, messages: [{ role: "user", content }], maxTokens: 64 },
        }).length,
    );
    expect(new Set(sizes)).toEqual(new Set([553]));
    // A 2,000-byte prompt: padme(2,004) = 2,048
    const long = encryptPrompt({
      dataKey: main.keys.dataKey,
      requestAddress: main.requestAddress,
      payload: { v: 1, messages: [{ role: "user", content: "y".repeat(1950) }], maxTokens: 64 },
    });
    expect(long.length).toBe(2048 + 41);
  });

  it("is deterministic for one prompt and uses a fresh nonce for any other prompt under the same key", () => {
    // Given the same request encrypting its prompt twice, then an edited prompt (a retry after a failed transaction)
    const again = encryptPrompt({ dataKey: main.keys.dataKey, requestAddress: main.requestAddress, payload: PAYLOAD });
    const edited = encryptPrompt({
      dataKey: main.keys.dataKey,
      requestAddress: main.requestAddress,
      payload: { ...PAYLOAD, maxTokens: 65 },
    });
    // Then the same prompt gives the same bytes, and the edited one another nonce (no keystream reuse)
    expect(again).toEqual(main.promptCiphertext);
    expect(edited.subarray(1, 25)).not.toEqual(main.promptCiphertext.subarray(1, 25));
  });

  it("fails with TAG_MISMATCH when any byte after the version is flipped (nonce, body, tag)", () => {
    const last = main.promptCiphertext.length - 1;
    for (const index of [1, 24, 25, 40, last - CRYPTO_TAG_LENGTH, last]) {
      expectError(
        () =>
          decryptPrompt({
            dataKey: main.keys.dataKey,
            requestAddress: main.requestAddress,
            ciphertext: flipByte(main.promptCiphertext, index),
          }),
        CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
      );
    }
  });

  it("fails with UNSUPPORTED_VERSION when the version byte changes", () => {
    const error = expectError(
      () =>
        decryptPrompt({ dataKey: main.keys.dataKey, requestAddress: main.requestAddress, ciphertext: flipByte(main.promptCiphertext, 0) }),
      CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
    );
    expect(error.context).toMatchObject({ kind: "prompt-ciphertext", version: 3, supported: 2 });
  });

  it("fails with MALFORMED_CIPHERTEXT when shorter than version + nonce + tag, the version byte checked first", () => {
    // Precedence: empty → MALFORMED; wrong first byte → UNSUPPORTED_VERSION (even when also short); short → MALFORMED
    expectError(
      () => decryptPrompt({ dataKey: main.keys.dataKey, requestAddress: main.requestAddress, ciphertext: Uint8Array.of(1, 0, 0) }),
      CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
    );
    for (const length of [0, 1, 40]) {
      expectError(
        () =>
          decryptPrompt({
            dataKey: main.keys.dataKey,
            requestAddress: main.requestAddress,
            ciphertext: main.promptCiphertext.subarray(0, length),
          }),
        CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
      );
    }
  });

  it("binds the prompt to its request: the same bytes under another request address fail", () => {
    expectError(
      () => decryptPrompt({ dataKey: main.keys.dataKey, requestAddress: other.requestAddress, ciphertext: main.promptCiphertext }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
  });

  it("fails with TAG_MISMATCH under another request's data key", () => {
    expectError(
      () => decryptPrompt({ dataKey: other.keys.dataKey, requestAddress: main.requestAddress, ciphertext: main.promptCiphertext }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
  });
});

describe("response key", () => {
  it("is the same for the client and the locking server", () => {
    const clientSide = deriveClientResponseKey({ ...main.keys, lockerKey: A.publicKey, requestAddress: main.requestAddress });
    expect(clientSide).toEqual(main.responseKey);
  });

  it("stays out of reach of a second allowed server, which can read the prompt but not the answer", () => {
    // Given server B, allowed, holding the data key and the prompt
    const entry = findWrappedDataKey({ allowed: main.allowed, server: B.server });
    const dataKey = unwrapDataKey({
      ...entry,
      serverSecret: B.secretKey,
      clientKey: main.keys.clientKey,
      requestAddress: main.requestAddress,
    });
    expect(decryptPrompt({ dataKey, requestAddress: main.requestAddress, ciphertext: main.promptCiphertext })).toEqual(PAYLOAD);
    // When B derives a response key with its own secret
    const keyOfB = deriveServerResponseKey({
      lockerSecret: B.secretKey,
      clientKey: main.keys.clientKey,
      dataKey,
      requestAddress: main.requestAddress,
    });
    // Then it differs from A's and A's stream does not open under it
    expect(keyOfB).not.toEqual(main.responseKey);
    const error = expectError(
      () => decryptResponseStream({ responseKey: keyOfB, requestAddress: main.requestAddress, stream: main.stream, expectFinal: true }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
    expect(error.context).toEqual({ kind: "response-chunk", position: 0 });
  });

  it("differs from the data key and from every key derived for the prompt", () => {
    expect(main.responseKey).not.toEqual(main.keys.dataKey);
    expect(other.responseKey).not.toEqual(main.responseKey);
  });
});

describe("response chunks and stream", () => {
  it("round trips a final stream, including a UTF-8 character split across chunks", () => {
    // Given a locker streaming an answer whose multi-byte character straddles two chunks
    const bytes = utf8("Grüße 🌍!");
    const parts = [bytes.slice(0, 3), bytes.slice(3, 9), bytes.slice(9), new Uint8Array(0)];
    const stream = encodeResponseFrames(
      parts.map((plaintext, index) =>
        encryptResponseChunk({
          responseKey: main.responseKey,
          requestAddress: main.requestAddress,
          index,
          isFinal: index === 3,
          plaintext,
        }),
      ),
    );
    // When the client decrypts it
    const result = decryptMain(stream);
    // Then the concatenated plaintext is the answer and the stream is complete
    expect(new TextDecoder().decode(result.plaintext)).toBe("Grüße 🌍!");
    expect(result.chunks).toHaveLength(4);
    expect(result.isFinal).toBe(true);
  });

  it("reads a stream still being written (no final chunk yet) when not expecting the end", () => {
    const partial = encodeResponseFrames(main.chunkCiphertexts.slice(0, 2));
    const result = decryptMain(partial, false);
    expect(new TextDecoder().decode(result.plaintext)).toBe("The answer is ");
    expect(result.isFinal).toBe(false);
    expect(decryptMain(new Uint8Array(0), false)).toEqual({ chunks: [], plaintext: new Uint8Array(0), isFinal: false });
  });

  it("builds the AAD as label || request || u32le(index) || final", () => {
    const aad = getResponseChunkAad({ requestAddress: main.requestAddress, index: 2, isFinal: true });
    expect(new TextDecoder().decode(aad.subarray(0, 30))).toBe("chainference/v2/response-chunk");
    expect(aad.length).toBe(67);
    expect(Array.from(aad.subarray(62))).toEqual([2, 0, 0, 0, 1]);
  });

  it("uses a fresh random nonce for every encryption: a chunk regenerated after a crash never reuses (key, nonce)", () => {
    // Given a node that wrote chunk 1, crashed, and regenerated other text at the same index (and the same text once more)
    const base = { responseKey: main.responseKey, requestAddress: main.requestAddress, index: 1, isFinal: false };
    const first = main.chunkCiphertexts[1] as Uint8Array;
    const regenerated = encryptResponseChunk({ ...base, plaintext: utf8(" was ") });
    const repeated = encryptResponseChunk({ ...base, plaintext: utf8(" is ") });
    // Then each carries its own nonce (the first 24 bytes)
    const nonces = [first, regenerated, repeated].map((c) => Buffer.from(c.subarray(0, 24)).toString("hex"));
    expect(new Set(nonces).size).toBe(3);
    // And each opens at index 1 only, never at another index or as the final chunk
    for (const [ciphertext, text] of [
      [regenerated, " was "],
      [repeated, " is "],
    ] as const) {
      expect(new TextDecoder().decode(decryptResponseChunk({ ...base, ciphertext }))).toBe(text);
      expectError(() => decryptResponseChunk({ ...base, ciphertext, index: 2 }), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
      expectError(() => decryptResponseChunk({ ...base, ciphertext, isFinal: true }), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
    }
    // And a stream with the regenerated chunk in place still reads in order
    const [c0, , c2, c3] = main.chunkCiphertexts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(new TextDecoder().decode(decryptMain(encodeResponseFrames([c0, regenerated, c2, c3])).plaintext)).toBe("The answer was 42.");
    // And the regenerated chunk placed at another position is classified, not misread
    const error = expectError(
      () => decryptMain(encodeResponseFrames([c0, c2, regenerated, c3])),
      CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER,
    );
    expect(error.context).toEqual({ position: 1, index: 2 });
  });

  it("pads every chunk plaintext to a bucket: short chunks all have one size, longer ones Padmé sizes", () => {
    const base = { responseKey: main.responseKey, requestAddress: main.requestAddress, index: 0, isFinal: false };
    const sizeOf = (n: number) => encryptResponseChunk({ ...base, plaintext: new Uint8Array(n).fill(0x61) }).length;
    // 0..60 bytes: 24 nonce + 64 padded + 16 tag
    for (const n of [0, 1, 3, 17, 60]) expect(sizeOf(n)).toBe(104);
    expect(sizeOf(61)).toBe(24 + getPaddedLength(61, 64) + 16);
    expect([getPaddedLength(100, 64), getPaddedLength(500, 64), getPaddedLength(860, 64)]).toEqual([104, 512, 864]);
    // The plaintext comes back exact
    expect(decryptResponseChunk({ ...base, ciphertext: encryptResponseChunk({ ...base, plaintext: utf8("ab") }) })).toEqual(utf8("ab"));
  });

  it("rejects a chunk whose padded plaintext is malformed with INVALID_PADDING", () => {
    const base = { responseKey: main.responseKey, requestAddress: main.requestAddress, index: 0, isFinal: false };
    const nonce = new Uint8Array(24);
    const seal = (padded: Uint8Array) =>
      new Uint8Array([...nonce, ...xchacha20poly1305(main.responseKey, nonce, getResponseChunkAad(base)).encrypt(padded)]);
    const bad = [
      Uint8Array.of(1, 0, 0), // shorter than the length prefix
      Uint8Array.of(9, 0, 0, 0, 0x61), // length beyond the bytes that follow
      Uint8Array.of(1, 0, 0, 0, 0x61, 0, 7), // a non-zero padding byte
    ];
    for (const padded of bad) {
      const error = expectError(
        () => decryptResponseChunk({ ...base, ciphertext: seal(padded) }),
        CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING,
      );
      expect(error.context.kind).toBe("response-chunk");
    }
  });

  it("fails with TAG_MISMATCH when a byte of a chunk is flipped", () => {
    for (const index of [2, 10, 17]) {
      const tampered = main.chunkCiphertexts.slice();
      tampered[1] = flipByte(tampered[1] as Uint8Array, index);
      const error = expectError(() => decryptMain(encodeResponseFrames(tampered)), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
      expect(error.context).toEqual({ kind: "response-chunk", position: 1 });
    }
  });

  it("fails with TAG_MISMATCH when a chunk is opened under another index or final flag (AAD tamper)", () => {
    const base = { responseKey: main.responseKey, requestAddress: main.requestAddress, ciphertext: main.chunkCiphertexts[1] as Uint8Array };
    expect(new TextDecoder().decode(decryptResponseChunk({ ...base, index: 1, isFinal: false }))).toBe(" is ");
    expectError(() => decryptResponseChunk({ ...base, index: 2, isFinal: false }), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
    expectError(() => decryptResponseChunk({ ...base, index: 1, isFinal: true }), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
    expectError(
      () => decryptResponseChunk({ ...base, requestAddress: other.requestAddress, index: 1, isFinal: false }),
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
    );
  });

  it("detects reordering with CHUNK_OUT_OF_ORDER", () => {
    const [c0, c1, c2, c3] = main.chunkCiphertexts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const error = expectError(() => decryptMain(encodeResponseFrames([c0, c2, c1, c3])), CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER);
    expect(error.context).toEqual({ position: 1, index: 2 });
  });

  it("detects a dropped chunk in the middle with CHUNK_OUT_OF_ORDER", () => {
    const [c0, , c2, c3] = main.chunkCiphertexts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const error = expectError(() => decryptMain(encodeResponseFrames([c0, c2, c3])), CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER);
    expect(error.context).toEqual({ position: 1, index: 2 });
  });

  it("detects a replayed (duplicate) chunk with DUPLICATE_CHUNK", () => {
    const [c0, c1, c2, c3] = main.chunkCiphertexts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const error = expectError(() => decryptMain(encodeResponseFrames([c0, c1, c1, c2, c3])), CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK);
    expect(error.context).toEqual({ position: 2, index: 1 });
  });

  it("detects truncation (final chunk missing) with TRUNCATED_STREAM when the end is expected", () => {
    const truncated = encodeResponseFrames(main.chunkCiphertexts.slice(0, 3));
    const error = expectError(() => decryptMain(truncated, true), CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM);
    expect(error.context).toEqual({ reason: "no-final-chunk", chunkCount: 3 });
    expectError(() => decryptMain(new Uint8Array(0), true), CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM);
  });

  it("detects bytes cut inside a frame with TRUNCATED_STREAM", () => {
    for (const cut of [1, 3, 20]) {
      const error = expectError(
        () => decryptMain(main.stream.subarray(0, main.stream.length - cut), false),
        CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM,
      );
      expect(error.context.reason).toBe("partial-frame");
    }
  });

  it("detects data appended after the final chunk with DATA_AFTER_FINAL_CHUNK", () => {
    // Given a stream extended past its final chunk, by a replay of it or by a fresh chunk 4
    const chunk4 = encryptResponseChunk({
      responseKey: main.responseKey,
      requestAddress: main.requestAddress,
      index: 4,
      isFinal: false,
      plaintext: utf8("!"),
    });
    for (const extra of [main.chunkCiphertexts[3] as Uint8Array, chunk4]) {
      const error = expectError(
        () => decryptMain(encodeResponseFrames([...main.chunkCiphertexts, extra]), false),
        CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK,
      );
      expect(error.context).toEqual({ finalIndex: 3, extraFrames: 1 });
    }
  });

  it("detects a chunk spliced in from another request of the same client and server", () => {
    // Given chunk 1 of another request (same wallet, same locker) at position 1
    const spliced = main.chunkCiphertexts.slice();
    spliced[1] = other.chunkCiphertexts[1] as Uint8Array;
    // Then it opens under no index of this request
    const error = expectError(() => decryptMain(encodeResponseFrames(spliced)), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
    expect(error.context).toEqual({ kind: "response-chunk", position: 1 });
    // And another request's whole stream fails at its first chunk
    expectError(() => decryptMain(other.stream), CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
  });

  it("rejects a frame shorter than nonce and tag with MALFORMED_FRAME", () => {
    const stream = Uint8Array.from([39, 0, ...new Uint8Array(39)]);
    const error = expectError(() => decodeResponseStream(stream), CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME);
    expect(error.context).toEqual({ offset: 0, length: 39, minLength: 40 });
  });

  it("frames and unframes chunk ciphertexts as u16le(len) || ciphertext", () => {
    expect(decodeResponseStream(main.stream)).toEqual(main.chunkCiphertexts);
    expect(Array.from(main.stream.subarray(0, 2))).toEqual([(main.chunkCiphertexts[0] as Uint8Array).length, 0]);
  });

  it("refuses chunks that do not fit a u16 frame and indexes that are not u32", () => {
    const base = { responseKey: main.responseKey, requestAddress: main.requestAddress, isFinal: false };
    expectError(
      () => encryptResponseChunk({ ...base, index: 0, plaintext: new Uint8Array(MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH + 1) }),
      CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
    );
    // The largest plaintext pads to the largest bucket that fits a u16 frame with nonce and tag: 63,488 + 40
    expect(MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH).toBe(63_484);
    expect(encryptResponseChunk({ ...base, index: 0, plaintext: new Uint8Array(MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH) }).length).toBe(63_528);
    expectError(() => encodeResponseFrames([new Uint8Array(0x10000)]), CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE);
    for (const index of [-1, 1.5, 2 ** 32]) {
      expectError(
        () => encryptResponseChunk({ ...base, index, plaintext: new Uint8Array(1) }),
        CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
      );
    }
  });

  it("rejects a chunk ciphertext shorter than nonce and tag", () => {
    expectError(
      () =>
        decryptResponseChunk({
          responseKey: main.responseKey,
          requestAddress: main.requestAddress,
          index: 0,
          isFinal: true,
          ciphertext: new Uint8Array(39),
        }),
      CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
    );
  });
});

describe("history", () => {
  it("decrypts prompt and answer from the wallet signer and on-chain fields alone", async () => {
    // Given only what the chain holds (client key, prompt bytes, the locker's key snapshot, the stream)
    // When the wallet re-derives everything
    const history = await decryptRequestHistoryWithSigner({
      signer: wallet,
      programId: PROGRAM_ID,
      requestAddress: main.requestAddress,
      clientKey: main.keys.clientKey,
      promptCiphertext: main.promptCiphertext,
      response: { serverKey: A.publicKey, stream: main.stream, isFinal: true },
    });
    // Then prompt and answer are back
    expect(history.prompt).toEqual(PAYLOAD);
    expect(new TextDecoder().decode(history.response?.plaintext)).toBe(ANSWER_CHUNKS.join(""));
    expect(history.response?.isFinal).toBe(true);
  });

  it("decrypts the answer from the response account alone once the request account is closed", async () => {
    const history = decryptRequestHistory({
      keyRoot: await deriveKeyRoot(wallet, PROGRAM_ID),
      requestAddress: main.requestAddress,
      response: { serverKey: A.publicKey, stream: main.stream, isFinal: true },
    });
    expect(history.prompt).toBeUndefined();
    expect(new TextDecoder().decode(history.response?.plaintext)).toBe(ANSWER_CHUNKS.join(""));
  });

  it("names a wallet that did not create the request with CLIENT_KEY_MISMATCH", async () => {
    await expectErrorAsync(
      decryptRequestHistoryWithSigner({
        signer: otherWallet,
        programId: PROGRAM_ID,
        requestAddress: main.requestAddress,
        clientKey: main.keys.clientKey,
        promptCiphertext: main.promptCiphertext,
      }),
      CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH,
    );
  });

  it("prompt bytes reassembled from create_request + append_prompt pieces decrypt like the whole", () => {
    const pieces = [main.promptCiphertext.slice(0, 50), main.promptCiphertext.slice(50, 120), main.promptCiphertext.slice(120)];
    const joined = Uint8Array.from(pieces.flatMap((piece) => Array.from(piece)));
    expect(decryptPrompt({ dataKey: main.keys.dataKey, requestAddress: main.requestAddress, ciphertext: joined })).toEqual(PAYLOAD);
  });
});

describe("server keys", () => {
  it("generates random key pairs, or reproducible ones from a seed", () => {
    const first = generateX25519KeyPair();
    const second = generateX25519KeyPair();
    expect(first.secretKey).not.toEqual(second.secretKey);
    expect(first.publicKey).toHaveLength(32);
    const seed = seedOf("reproducible");
    expect(generateX25519KeyPair(seed)).toEqual(generateX25519KeyPair(seed));
  });

  it("keeps old epochs across a rotation so in-flight requests still unwrap", () => {
    // Given server A's keyring at epoch 0, then rotated to epoch 1 after the request was created
    const keyring = rotateServerKeyring(createServerKeyring({ epoch: 0, secretKey: A.secretKey }), {
      secretKey: generateX25519KeyPair(seedOf("a-epoch-1")).secretKey,
    });
    expect(keyring.currentEpoch).toBe(1);
    expect(getCurrentServerKey(keyring).publicKey).not.toEqual(A.publicKey);
    // When the node looks up the secret for the entry's epoch
    const entry = findWrappedDataKey({ allowed: main.allowed, server: A.server });
    const serverSecret = getServerKeyringSecret(keyring, entry.keyEpoch);
    // Then it still unwraps
    expect(unwrapDataKey({ ...entry, serverSecret, clientKey: main.keys.clientKey, requestAddress: main.requestAddress })).toEqual(
      main.keys.dataKey,
    );
    // And after pruning epoch 0 it cannot
    const pruned = pruneServerKeyring(keyring, { keepFromEpoch: 1 });
    const error = expectError(() => getServerKeyringSecret(pruned, 0), CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH);
    expect(error.context.knownEpochs).toEqual([1]);
  });

  it("refuses a rotation that does not move the epoch forward", () => {
    const keyring = createServerKeyring({ epoch: 5, secretKey: A.secretKey });
    expectError(() => rotateServerKeyring(keyring, { secretKey: B.secretKey, epoch: 5 }), CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING);
  });

  it("serializes a keyring to JSON and back", () => {
    const keyring = rotateServerKeyring(createServerKeyring({ epoch: 2, secretKey: A.secretKey }), { secretKey: B.secretKey });
    const json = encodeServerKeyring(keyring);
    expect(JSON.parse(json)).toMatchObject({ version: 1, currentEpoch: 3 });
    expect(decodeServerKeyring(json)).toEqual(keyring);
  });

  const good = () =>
    JSON.parse(encodeServerKeyring(createServerKeyring({ epoch: 0, secretKey: A.secretKey }))) as Record<string, unknown> & {
      keys: Record<string, unknown>[];
    };
  const invalidKeyrings: [string, () => string][] = [
    ["not JSON", () => "{"],
    ["no keys", () => JSON.stringify({ ...good(), keys: [] })],
    ["a current epoch without a key", () => JSON.stringify({ ...good(), currentEpoch: 1 })],
    ["a short secret", () => JSON.stringify({ ...good(), keys: [{ epoch: 0, secretKey: "00" }] })],
    ["a negative epoch", () => JSON.stringify({ ...good(), keys: [{ ...good().keys[0], epoch: -1 }] })],
    ["a public key that does not match", () => JSON.stringify({ ...good(), keys: [{ ...good().keys[0], publicKey: "00".repeat(32) }] })],
    ["a duplicated epoch", () => JSON.stringify({ ...good(), keys: [good().keys[0], good().keys[0]] })],
  ];
  it.each(invalidKeyrings)("rejects keyring JSON with %s", (_, json) => {
    expectError(() => decodeServerKeyring(json()), CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING);
  });

  it("rejects an unknown keyring version", () => {
    expectError(() => decodeServerKeyring(JSON.stringify({ ...good(), version: 2 })), CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION);
  });
});
