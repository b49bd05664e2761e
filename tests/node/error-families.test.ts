/** One error design for every off-chain layer: ranges and prefixes per layer, name-based guards, one factory. */
import type { Address } from "@solana/kit";
import { describe, expect, it } from "vitest";

import * as client from "@chainference/client";
import {
  CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE,
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED,
  CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  CHAINFERENCE_ERROR_LAYERS,
  CHAINFERENCE_PROGRAM_ADDRESS,
  CHAINFERENCE_PROGRAM_ERROR_CODES,
  ChainferenceClientError,
  RpcUnreachableError,
  TransactionFailedError,
  defineErrorFamily,
  isChainferenceClientError,
  isChainferenceCodedError,
  isRpcFailure,
  isTransactionFailed,
} from "@chainference/client";
import * as node from "@chainference/node";
import {
  CHAINFERENCE_ERROR__BACKEND__CLOSED,
  CHAINFERENCE_ERROR__NODE__CONFIG_MISSING,
  ChainferenceBackendError,
  ChainferenceNodeError,
  describeError,
  getBackendErrorName,
  getNodeErrorName,
  isChainferenceBackendError,
  isChainferenceNodeError,
} from "@chainference/node";

type Layer = keyof typeof CHAINFERENCE_ERROR_LAYERS;

/** `[name, code]` of every `CHAINFERENCE_ERROR__*` number constant a module exports. */
const codesOf = (module: object) =>
  Object.entries(module).filter(
    (entry): entry is [string, number] => entry[0].startsWith("CHAINFERENCE_ERROR__") && typeof entry[1] === "number",
  );

const layerOf = (name: string, code: number): Layer | "program" | null => {
  if (code >= CHAINFERENCE_PROGRAM_ERROR_CODES.first && code <= CHAINFERENCE_PROGRAM_ERROR_CODES.last) return "program";
  const area = name.split("__")[1]!;
  const layer = (Object.keys(CHAINFERENCE_ERROR_LAYERS) as Layer[]).find((key) => area in CHAINFERENCE_ERROR_LAYERS[key].areas);
  return layer ?? null;
};

describe("error layers", () => {
  it("gives every code of every package one value, inside its layer's range, with program codes at 0x2000 and above", () => {
    // Given every code the two packages export (the SDK re-exports the generated program codes)
    const all = new Map([...codesOf(client), ...codesOf(node)]);
    // Then no value is used twice
    expect(new Set(all.values()).size).toBe(all.size);
    for (const [name, code] of all) {
      const layer = layerOf(name, code);
      if (layer === null) throw new Error(`${name} = ${code} belongs to no layer`);
      if (layer === "program") {
        // program names carry no area: CHAINFERENCE_ERROR__<NAME>
        expect(name.split("__")).toHaveLength(2);
        continue;
      }
      const area = name.split("__")[1]!;
      const [first, last] = (CHAINFERENCE_ERROR_LAYERS[layer].areas as Record<string, readonly [number, number]>)[area]!;
      expect(code, name).toBeGreaterThanOrEqual(first);
      expect(code, name).toBeLessThanOrEqual(last);
    }
  });

  it("names each node and backend code after its constant", () => {
    for (const [name, code] of codesOf(node)) {
      const layer = layerOf(name, code);
      if (layer === "node") expect(getNodeErrorName(code as node.NodeErrorCode)).toBe(name);
      else if (layer === "backend") expect(getBackendErrorName(code as node.BackendErrorCode)).toBe(name);
    }
  });

  it("refuses, when a family is defined, a code outside its layer, an unknown area, a shared value or a missing message", () => {
    const CHAINFERENCE_ERROR__NODE__X = 5999;
    expect(() => defineErrorFamily("node", { CHAINFERENCE_ERROR__NODE__X }, { [5999]: () => "x" })).toThrow(/outside NODE's range/);
    expect(() => defineErrorFamily("node", { CHAINFERENCE_ERROR__CRYPTO__X: 6000 }, { [6000]: () => "x" })).toThrow(/no area CRYPTO/);
    expect(() =>
      defineErrorFamily("node", { CHAINFERENCE_ERROR__NODE__A: 6000, CHAINFERENCE_ERROR__NODE__B: 6000 }, { [6000]: () => "x" }),
    ).toThrow(/both/);
    expect(() => defineErrorFamily("node", { CHAINFERENCE_ERROR__NODE__A: 6000 }, {})).toThrow(/no message/);
  });
});

describe("guards", () => {
  const sdk = new ChainferenceClientError(CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW, { stake: 1n, minStake: 2n });
  const backend = new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: "llama" });
  const nodeError = new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_MISSING, { path: "/x.json" });

  it("tell the layers apart, and narrow by code", () => {
    expect([isChainferenceClientError(sdk), isChainferenceBackendError(sdk), isChainferenceNodeError(sdk)]).toEqual([true, false, false]);
    expect([isChainferenceClientError(backend), isChainferenceBackendError(backend), isChainferenceNodeError(backend)]).toEqual([
      false,
      true,
      false,
    ]);
    expect([isChainferenceClientError(nodeError), isChainferenceBackendError(nodeError), isChainferenceNodeError(nodeError)]).toEqual([
      false,
      false,
      true,
    ]);
    expect(isChainferenceNodeError(nodeError, CHAINFERENCE_ERROR__NODE__CONFIG_MISSING) && nodeError.context.path).toBe("/x.json");
    expect([sdk, backend, nodeError].every((e) => isChainferenceCodedError(e))).toBe(true);
    expect(isChainferenceCodedError(new Error("plain"))).toBe(false);
  });

  it("recognise an error by name and code without instanceof (another copy of the package)", () => {
    // Given an error built by a second copy of the SDK: same name, code and context, another class
    const copy = Object.assign(new Error("Stake 1 lamports is below the minimum 2"), {
      name: "ChainferenceClientError",
      code: CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
      context: { stake: 1n, minStake: 2n },
    });
    expect(copy instanceof ChainferenceClientError).toBe(false);
    expect(isChainferenceClientError(copy, CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW)).toBe(true);
  });

  it("see transaction and RPC failures as SDK chain errors", () => {
    const failed = new TransactionFailedError({
      instructionIndex: 0,
      customCode: CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
      programAddress: CHAINFERENCE_PROGRAM_ADDRESS,
      reason: "custom program error: 0x2020",
      logs: [],
    });
    const unreachable = new RpcUnreachableError("http://127.0.0.1:9", new Error("fetch failed"), 3);
    expect(isChainferenceClientError(failed, CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED)).toBe(true);
    expect(isTransactionFailed(failed, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN) && failed.failure.reason).toBe("custom program error: 0x2020");
    // The same code returned by another program is not a Chainference error
    const elsewhere = new TransactionFailedError({ ...failed.failure, programAddress: "11111111111111111111111111111111" as Address });
    expect(isTransactionFailed(elsewhere, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)).toBe(false);
    expect(isChainferenceClientError(unreachable, CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE) && unreachable.context.attempts).toBe(3);
    expect(isRpcFailure(unreachable)).toBe(true);
    expect(isRpcFailure(failed)).toBe(false);
  });

  it("give the node's log line each coded error's stable name", () => {
    expect(describeError(backend)).toBe("CHAINFERENCE_ERROR__BACKEND__CLOSED: The llama backend was closed.");
    expect(describeError(sdk)).toBe("CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW: Stake 1 lamports is below the minimum 2");
  });
});
