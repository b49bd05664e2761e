/** SDK error codes: stable names, reserved ranges, messages with context, the narrowing guard. */
import { describe, expect, it } from "vitest";

import * as client from "@chainference/client";
import {
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  ChainferenceClientError,
  getChainferenceClientErrorName,
  isChainferenceClientError,
  type ChainferenceClientErrorCode,
} from "@chainference/client";

/** The SDK's own codes, `CHAINFERENCE_ERROR__<AREA>__<NAME>` (the program codes it re-exports carry no area). */
const CODES = Object.entries(client).filter(
  (entry): entry is [string, ChainferenceClientErrorCode] =>
    entry[0].startsWith("CHAINFERENCE_ERROR__") && entry[0].split("__").length === 3 && typeof entry[1] === "number",
);

const RANGES: Record<string, [number, number]> = {
  CRYPTO: [1000, 1999],
  REQUEST: [2000, 2999],
  CHAIN: [3000, 3999],
  INPUT: [4000, 4999],
  BACKEND: [5000, 5999],
  SESSION: [7000, 7999],
};

describe("SDK errors", () => {
  it("gives every code a unique value and the name of its constant", () => {
    expect(new Set(CODES.map(([, code]) => code)).size).toBe(CODES.length);
    for (const [name, code] of CODES) expect(getChainferenceClientErrorName(code)).toBe(name);
  });

  it("keeps every code inside the range of its area", () => {
    for (const [name, code] of CODES) {
      const area = name.split("__")[1] as string;
      const range = RANGES[area];
      expect(range, `${name} has no reserved range`).toBeDefined();
      expect(code).toBeGreaterThanOrEqual(range![0]);
      expect(code).toBeLessThanOrEqual(range![1]);
    }
  });

  it("renders the message from the context", () => {
    const error = new ChainferenceClientError(CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE, { length: 9000, maxLength: 8192 });
    expect(error.message).toBe("Prompt of 9000 bytes exceeds the 8192-byte limit");
    expect(error.name).toBe("ChainferenceClientError");
    expect(error.context.maxLength).toBe(8192);
  });

  it("narrows with isChainferenceClientError, by code when one is given", () => {
    const error: unknown = new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "prompt" });
    expect(isChainferenceClientError(error)).toBe(true);
    expect(isChainferenceClientError(error, CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH)).toBe(true);
    expect(isChainferenceClientError(error, CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE)).toBe(false);
    expect(isChainferenceClientError(new Error("x"))).toBe(false);
    expect(isChainferenceClientError("CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH")).toBe(false);
    if (isChainferenceClientError(error, CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH)) expect(error.context.kind).toBe("prompt");
  });

  it("keeps the cause", () => {
    const cause = new Error("invalid tag");
    const error = new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "prompt" }, { cause });
    expect(error.cause).toBe(cause);
  });
});
