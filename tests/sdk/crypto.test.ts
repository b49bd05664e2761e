/**
 * The v1 privacy scheme (docs/privacy.md): round trips, who can read what, and every tampering
 * case failing with its exact named error.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  createKeyPairSignerFromPrivateKeyBytes,
  getAddressDecoder,
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
  deriveRequestKeys,
  deriveRequestKeysWithSigner,
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
  getRequestKeyMessage,
  getResponseChunkAad,
  getResponseChunkNonce,
  getServerKeyringSecret,
  getX25519SharedSecret,
  isPromptPayload,
  pruneServerKeyring,
  rotateServerKeyring,
  signRequestKeyMessage,
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
  const keys = await deriveRequestKeysWithSigner({ signer, programId: PROGRAM_ID, requestAddress });
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

describe("request keys", () => {
  it("derives the same keys from a wallet signer as from a raw Ed25519 signature", async () => {
    // Given the request-key message signed directly with the wallet's seed
    const message = getRequestKeyMessage({ programId: PROGRAM_ID, requestAddress: main.requestAddress });
    const requestSignature = ed25519.sign(message, WALLET_SEED);
    // When keys are derived from that signature
    const keys = deriveRequestKeys({ requestSignature, requestAddress: main.requestAddress });
    // Then they equal the keys obtained through the kit signer
    expect(keys).toEqual(main.keys);
  });

  it("re-derives identical keys on every signature (nothing to store locally)", async () => {
    // Given two independent signing sessions
    const first = await signRequestKeyMessage({ signer: wallet, programId: PROGRAM_ID, requestAddress: main.requestAddress });
    const second = await signRequestKeyMessage({ signer: wallet, programId: PROGRAM_ID, requestAddress: main.requestAddress });
    // Then the signatures and hence the keys are identical
    expect(second).toEqual(first);
  });

  it("gives every request, program and wallet its own keys", async () => {
    // Given the same wallet on another request, the same request under another program, and another wallet
    const otherProgram = await deriveRequestKeysWithSigner({
      signer: wallet,
      programId: addressOf("other-program"),
      requestAddress: main.requestAddress,
    });
    const otherClient = await deriveRequestKeysWithSigner({
      signer: otherWallet,
      programId: PROGRAM_ID,
      requestAddress: main.requestAddress,
    });
    // Then no key is shared
    for (const keys of [other.keys, otherProgram, otherClient]) {
      expect(keys.ephSecret).not.toEqual(main.keys.ephSecret);
      expect(keys.clientKey).not.toEqual(main.keys.clientKey);
      expect(keys.dataKey).not.toEqual(main.keys.dataKey);
    }
    expect(main.keys.dataKey).not.toEqual(main.keys.ephSecret);
  });

  it("lays out the signed message as label || programId || requestAddress", () => {
    const message = getRequestKeyMessage({ programId: PROGRAM_ID, requestAddress: main.requestAddress });
    expect(message.length).toBe(27 + 32 + 32);
    expect(new TextDecoder().decode(message.subarray(0, 27))).toBe("chainference/v1/request-key");
  });

  it("refuses a wallet that signs something other than the exact message", async () => {
    // Given a signer that prefixes messages before signing (as some hardware wallets do)
    const signer: MessagePartialSigner = {
      address: wallet.address,
      signMessages: async (messages) =>
        messages.map((m) => ({
          [wallet.address]: ed25519.sign(new Uint8Array([0xff, ...m.content]), WALLET_SEED) as SignatureBytes,
        })),
    };
    // When it is asked for the request seed
    const result = signRequestKeyMessage({ signer, programId: PROGRAM_ID, requestAddress: main.requestAddress });
    // Then the seed is refused
    await expectErrorAsync(result, CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE);
  });

  it("refuses a signer that returns no signature for its address", async () => {
    const signer: MessagePartialSigner = { address: wallet.address, signMessages: async (messages) => messages.map(() => ({})) };
    await expectErrorAsync(
      signRequestKeyMessage({ signer, programId: PROGRAM_ID, requestAddress: main.requestAddress }),
      CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE,
    );
  });

  it("rejects a request signature of the wrong length", () => {
    expectError(
      () => deriveRequestKeys({ requestSignature: new Uint8Array(63), requestAddress: main.requestAddress }),
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

  it("rejects another payload version with UNSUPPORTED_VERSION", () => {
    expectError(
      () => decodePromptPayload(utf8('{"v":2,"messages":[{"role":"user","content":"x"}],"maxTokens":1}')),
      CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
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

  it("starts with version byte 0x01 and adds exactly 41 bytes", () => {
    expect(main.promptCiphertext[0]).toBe(0x01);
    expect(main.promptCiphertext.length).toBe(encodePromptPayload(PAYLOAD).length + PROMPT_CIPHERTEXT_OVERHEAD);
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
    expect(error.context).toMatchObject({ kind: "prompt-ciphertext", version: 0, supported: 1 });
  });

  it("fails with MALFORMED_CIPHERTEXT when shorter than version + nonce + tag", () => {
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

  it("builds nonces as 'cfr1' || u32le(index) || 16 zero bytes and AAD as request || u32le(index) || final", () => {
    expect(Array.from(getResponseChunkNonce(0x01020304))).toEqual([0x63, 0x66, 0x72, 0x31, 4, 3, 2, 1, ...new Array(16).fill(0)]);
    const aad = getResponseChunkAad({ requestAddress: main.requestAddress, index: 2, isFinal: true });
    expect(Array.from(aad.subarray(32))).toEqual([2, 0, 0, 0, 1]);
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

  it("rejects a frame shorter than a tag with MALFORMED_FRAME", () => {
    const stream = Uint8Array.from([15, 0, ...new Uint8Array(15)]);
    expectError(() => decodeResponseStream(stream), CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME);
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
    expect(encryptResponseChunk({ ...base, index: 0, plaintext: new Uint8Array(MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH) }).length).toBe(0xffff);
    expectError(() => encodeResponseFrames([new Uint8Array(0x10000)]), CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE);
    for (const index of [-1, 1.5, 2 ** 32]) {
      expectError(
        () => encryptResponseChunk({ ...base, index, plaintext: new Uint8Array(1) }),
        CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
      );
    }
  });

  it("rejects a chunk ciphertext shorter than a tag", () => {
    expectError(
      () =>
        decryptResponseChunk({
          responseKey: main.responseKey,
          requestAddress: main.requestAddress,
          index: 0,
          isFinal: true,
          ciphertext: new Uint8Array(15),
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
    const requestSignature = await signRequestKeyMessage({ signer: wallet, programId: PROGRAM_ID, requestAddress: main.requestAddress });
    const history = decryptRequestHistory({
      requestSignature,
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
