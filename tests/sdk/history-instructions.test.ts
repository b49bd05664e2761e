/** History's instruction-data reading and its rule for several creates at one address (pure, no chain). */
import { describe, expect, it } from "vitest";
import { generateKeyPairSigner, type Address, type ReadonlyUint8Array, type Signature } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  LOCK_REQUEST_DISCRIMINATOR,
  decodeRequestEvent,
  getAppendResponseInstructionDataEncoder,
  getCreateRequestInstructionDataEncoder,
  groupRequestLifecycles,
  parseLockRequestKey,
  requestEvents,
  type HistoricalTransaction,
} from "@chainference/client";

const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const address = async (): Promise<Address> => (await generateKeyPairSigner()).address;
const signature = (n: number) => `sig${n}` as Signature;

describe("lock_request instruction data", () => {
  it("reads the locker's X25519 key from the 33-byte form", () => {
    expect(parseLockRequestKey(Uint8Array.of(LOCK_REQUEST_DISCRIMINATOR, ...key))).toEqual(key);
  });

  it("finds no key in the one-byte form of earlier program versions, nor in data of another length or instruction", () => {
    expect(parseLockRequestKey(Uint8Array.of(LOCK_REQUEST_DISCRIMINATOR))).toBeNull();
    expect(parseLockRequestKey(Uint8Array.of(LOCK_REQUEST_DISCRIMINATOR, ...key, 0))).toBeNull();
    expect(parseLockRequestKey(Uint8Array.of(LOCK_REQUEST_DISCRIMINATOR, ...key.slice(1)))).toBeNull();
    expect(parseLockRequestKey(Uint8Array.of(9, ...key))).toBeNull();
  });

  it("decodes a lock as an event naming operator, server, request and key", async () => {
    const [operator, server, request] = await Promise.all([address(), address(), address()]);
    const ix = {
      programAddress: CHAINFERENCE_PROGRAM_ADDRESS,
      accounts: [operator, server, request, operator],
      data: Uint8Array.of(8, ...key),
    };
    expect(decodeRequestEvent(ix)).toEqual({ kind: "lock", operator, server, request, x25519Key: key });
    expect(decodeRequestEvent({ ...ix, data: Uint8Array.of(8) })).toMatchObject({ kind: "lock", x25519Key: null });
    // Another program's instruction with the same bytes is no event
    expect(decodeRequestEvent({ ...ix, programAddress: operator })).toBeNull();
  });
});

describe("several creates at one request address (a reused nonce)", () => {
  it("makes each create its own lifecycle, and gives every later event to the latest create before it", async () => {
    const [client, request, response, operator, server] = await Promise.all([address(), address(), address(), address(), address()]);
    const create = (prompt: number) => ({
      programAddress: CHAINFERENCE_PROGRAM_ADDRESS,
      accounts: [client, request],
      data: getCreateRequestInstructionDataEncoder().encode({
        nonce: 7n,
        bump: 255,
        responseBump: 255,
        model: "org/model",
        revision: "",
        stake: 1_000n,
        responseTimeout: 0n,
        maxPriceIn: 1n,
        maxPriceOut: 1n,
        minCompleted: 0n,
        minSuccessBps: 0,
        minAvgRating: 0,
        clientKey: key,
        allowed: [],
        promptLen: 1,
        prompt: Uint8Array.of(prompt),
      }),
    });
    const ix = (accounts: Address[], data: ReadonlyUint8Array) => ({ programAddress: CHAINFERENCE_PROGRAM_ADDRESS, accounts, data });
    const chunk = (index: number, isFinal: boolean) =>
      ix(
        [operator, server, request, response],
        getAppendResponseInstructionDataEncoder().encode({
          chunkIndex: index,
          isFinal,
          reserveBytes: 0,
          ciphertext: new Uint8Array(17).fill(index),
        }),
      );
    // Given: create, lock, one chunk, expire; then a second create at the same address, lock, two chunks, complete
    const txs: HistoricalTransaction[] = [
      create(1),
      ix([operator, server, request], Uint8Array.of(8)),
      chunk(0, false),
      ix([request, client, CHAINFERENCE_PROGRAM_ADDRESS, server, response, operator], Uint8Array.of(11)),
      create(2),
      ix([operator, server, request], Uint8Array.of(8, ...key)),
      chunk(0, false),
      chunk(1, true),
      ix([operator, server, request, response, client, server], Uint8Array.of(10, 3, 0, 0, 0, 5, 0, 0, 0)),
    ].map((instruction, i) => ({ signature: signature(i), slot: 10n, instructions: [instruction] }));
    // When the lifecycles are grouped
    const lives = groupRequestLifecycles(requestEvents(txs));
    // Then two entries in order, each with only its own events
    expect(lives.map((l) => l.createSignature)).toEqual([signature(0), signature(4)]);
    expect(lives.map((l) => [...(l.promptCiphertext ?? [])])).toEqual([[1], [2]]);
    expect(lives[0]!.end).toMatchObject({ kind: "expired", afterLock: true });
    expect(lives[0]!.chunks.map((c) => c.index)).toEqual([0]);
    expect(lives[0]!.lock?.x25519Key).toBeNull();
    expect(lives[1]!.end).toMatchObject({ kind: "completed", tokensIn: 3, tokensOut: 5 });
    expect(lives[1]!.chunks.map((c) => [c.index, c.isFinal])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(lives[1]!.lock?.x25519Key).toEqual(key);
  });

  it("drops events that come before any create of their address (history the endpoint no longer holds)", async () => {
    const [operator, server, request] = await Promise.all([address(), address(), address()]);
    const lock = { programAddress: CHAINFERENCE_PROGRAM_ADDRESS, accounts: [operator, server, request], data: Uint8Array.of(8) };
    expect(groupRequestLifecycles(requestEvents([{ signature: signature(0), slot: 1n, instructions: [lock] }]))).toEqual([]);
  });
});
