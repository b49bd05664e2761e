/**
 * The JSON documents of the off-chain session protocol (docs/sessions.md §3), with strict parsers shared by the
 * client and the node: byte strings are standard base64 with padding, u64 values decimal strings, u32 values JSON
 * numbers. Unknown fields are rejected.
 */
import { getBase64Decoder, getBase64Encoder, isAddress, isSignature, type Address, type Signature } from "@solana/kit";

import { CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE, ChainferenceClientError } from "../errors";
import type { BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import type { SessionBill, SessionTotals } from "./charge";
import { SESSION_PROTOCOL_VERSION, SESSION_SIGNATURE_LENGTH } from "./constants";
import { VOUCHER_LENGTH } from "./voucher";

/** A model the node serves in sessions, with its prices (lamports per 1,000,000 tokens). */
export type SessionModelOffer = Readonly<{ modelId: string; revision: string; priceIn: bigint; priceOut: bigint }>;

/** `GET /v1/sessions/info`. */
export type SessionInfo = Readonly<{
  programId: Address;
  /** The Server account (sessions name it). */
  server: Address;
  operator: Address;
  /** The server's current X25519 key and its epoch. */
  serverKey: Uint8Array;
  keyEpoch: number;
  models: readonly SessionModelOffer[];
  /** Most unpaid lamports the node streams ahead of vouchers. */
  creditWindowLamports: bigint;
  /** The node settles once this many unsettled lamports are vouched for, or after `intervalMs`. */
  settle: Readonly<{ thresholdLamports: bigint; intervalMs: number }>;
  /**
   * Why the node takes no new answers or requests now (idle-time serving: load, serve hours, its operator), or
   * null/absent while it serves. Sent only while paused.
   */
  paused?: string | null;
}>;

/** Body of `POST /v1/sessions/{session}/answers`. */
export type SessionAskBody = Readonly<{
  answer: number;
  clientKey: Uint8Array;
  keyEpoch: number;
  /** The prompt frame: `nonce(24) || ciphertext`, chunk 0, final, direction prompt. */
  prompt: Uint8Array;
  /** Ed25519 signature by the voucher signer over the ask message. */
  signature: Uint8Array;
}>;

/** Body of `POST /v1/sessions/{session}/vouchers`. */
export type SessionVoucherBody = Readonly<{ voucher: Uint8Array; signature: Uint8Array }>;

/** Answer of an accepted voucher: the node's view of the session. */
export type SessionVoucherReceipt = Readonly<{ paid: SessionTotals; billed: SessionTotals; settledLamports: bigint }>;

/** Body of `POST /v1/sessions/{session}/close`: the session key's signature over the close message. */
export type SessionCloseBody = Readonly<{ signature: Uint8Array }>;

/** Answer of a cooperative close: the transaction that settled (if anything was unpaid) and closed, and the settled total. */
export type SessionCloseReceipt = Readonly<{ transaction: Signature; settledLamports: bigint }>;

/** `GET /v1/sessions/{session}`: the node's view of one session, with the latest voucher it holds (to resume). */
export type SessionNodeStatus = Readonly<{
  nextAnswer: number;
  paid: SessionTotals;
  billed: SessionTotals;
  settledLamports: bigint;
  /** The latest accepted voucher's bytes and signature (null before the first). */
  voucher: Readonly<{ bytes: Uint8Array; signature: Uint8Array }> | null;
}>;

/** Why an answer ended: `stop`/`length` from the model, `cut` where the next chunk would exceed the deposit. */
export type SessionFinishReason = "stop" | "length" | "cut";

/** The events of an answer's SSE stream. */
export type SessionEvent =
  | Readonly<{ type: "chunk"; chunk: number; final: boolean; frame: Uint8Array; tokens: number }>
  | Readonly<{ type: "bill" } & SessionBill>
  | Readonly<{ type: "paused"; unpaidLamports: bigint; creditWindowLamports: bigint }>
  | Readonly<{ type: "done"; finishReason: SessionFinishReason; tokensIn: number; tokensOut: number; lamports: bigint }>
  | Readonly<{ type: "error"; code: SessionErrorCode; message: string }>;

/** Protocol error codes and their HTTP status (in-stream `error` events carry the code only). */
export const SESSION_ERROR_STATUS = Object.freeze({
  bad_request: 400,
  bad_signature: 401,
  wrong_server: 403,
  session_not_found: 404,
  session_not_open: 409,
  model_not_served: 409,
  unknown_key_epoch: 409,
  answer_replayed: 409,
  answer_in_progress: 409,
  prompt_invalid: 400,
  payment_required: 402,
  voucher_invalid: 400,
  voucher_bad_signature: 401,
  voucher_wrong_session: 400,
  voucher_not_increasing: 409,
  voucher_above_deposit: 409,
  voucher_above_billed: 409,
  payment_timeout: 402,
  backend_failed: 500,
  stopping: 503,
  close_failed: 502,
  paused: 503,
  not_found: 404,
  internal: 500,
} as const);

/** A protocol error code. */
export type SessionErrorCode = keyof typeof SESSION_ERROR_STATUS;

/** `{"error":{"code":…,"message":…}}`, the body of every refusal. */
export type SessionErrorBody = Readonly<{ error: Readonly<{ code: SessionErrorCode; message: string }> }>;

type Json = Record<string, unknown>;

function fail(what: string, reason: string): never {
  throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE, { what, reason });
}

function object(value: unknown, what: string, keys: readonly string[]): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(what, "not a JSON object");
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(what, `unknown field "${key}"`);
  return value as Json;
}

function u32(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) fail(what, "not a u32");
  return value;
}

function u64(value: unknown, what: string): bigint {
  if (typeof value !== "string" || !/^(0|[1-9]\d{0,19})$/.test(value) || BigInt(value) >= 1n << 64n) fail(what, "not a u64 decimal string");
  return BigInt(value);
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string") fail(what, "not a string");
  return value;
}

function address(value: unknown, what: string): Address {
  if (typeof value !== "string" || !isAddress(value)) fail(what, "not a base58 address");
  return value;
}

/** The codecs, made once: every chunk event goes through them. */
const BASE64_TEXT = getBase64Decoder();
const BASE64_BYTES = getBase64Encoder();
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (with padding) of `bytes`.
 *
 * @example
 * ```ts
 * toBase64(Uint8Array.of(1, 2, 3)); // "AQID"
 * ```
 */
export function toBase64(bytes: BytesLike): string {
  return BASE64_TEXT.decode(bytes);
}

/**
 * Bytes of a standard base64 string; throws `CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE` naming `what` otherwise
 * (and for another length than `length`, when given).
 *
 * @example
 * ```ts
 * fromBase64("AQID", "frame"); // Uint8Array [1, 2, 3]
 * ```
 */
export function fromBase64(value: unknown, what: string, length?: number): Uint8Array {
  if (typeof value !== "string" || !BASE64.test(value)) fail(what, "not standard base64");
  const bytes = Uint8Array.from(BASE64_BYTES.encode(value));
  if (length !== undefined && bytes.length !== length) fail(what, `${bytes.length} bytes, expected ${length}`);
  return bytes;
}

function version(doc: Json, what: string): void {
  if (doc.v !== SESSION_PROTOCOL_VERSION) fail(what, `version ${String(doc.v)}, this side speaks ${SESSION_PROTOCOL_VERSION}`);
}

const totalsJson = (t: SessionTotals) => ({ lamports: t.lamports.toString(), tokens: t.tokens.toString(), answers: t.answers });

function totals(value: unknown, what: string): SessionTotals {
  const doc = object(value, what, ["lamports", "tokens", "answers"]);
  return {
    lamports: u64(doc.lamports, `${what}.lamports`),
    tokens: u64(doc.tokens, `${what}.tokens`),
    answers: u32(doc.answers, `${what}.answers`),
  };
}

/**
 * The JSON document of `GET /v1/sessions/info`.
 *
 * @example
 * ```ts
 * response.end(JSON.stringify(encodeSessionInfo(info)));
 * ```
 */
export function encodeSessionInfo(info: SessionInfo): Json {
  return {
    v: SESSION_PROTOCOL_VERSION,
    programId: info.programId,
    server: info.server,
    operator: info.operator,
    serverKey: toBase64(info.serverKey),
    keyEpoch: info.keyEpoch,
    models: info.models.map((m) => ({
      modelId: m.modelId,
      revision: m.revision,
      priceIn: m.priceIn.toString(),
      priceOut: m.priceOut.toString(),
    })),
    creditWindowLamports: info.creditWindowLamports.toString(),
    settle: { thresholdLamports: info.settle.thresholdLamports.toString(), intervalMs: info.settle.intervalMs },
    ...(info.paused ? { paused: info.paused } : {}),
  };
}

/**
 * Parses the info document.
 *
 * @example
 * ```ts
 * const info = parseSessionInfo(await response.json());
 * ```
 */
export function parseSessionInfo(value: unknown): SessionInfo {
  const what = "session info";
  const doc = object(value, what, [
    "v",
    "programId",
    "server",
    "operator",
    "serverKey",
    "keyEpoch",
    "models",
    "creditWindowLamports",
    "settle",
    "paused",
  ]);
  version(doc, what);
  if (!Array.isArray(doc.models)) fail(what, "models is not an array");
  const settle = object(doc.settle, `${what}.settle`, ["thresholdLamports", "intervalMs"]);
  return {
    programId: address(doc.programId, `${what}.programId`),
    server: address(doc.server, `${what}.server`),
    operator: address(doc.operator, `${what}.operator`),
    serverKey: fromBase64(doc.serverKey, `${what}.serverKey`, CRYPTO_KEY_LENGTH),
    keyEpoch: u32(doc.keyEpoch, `${what}.keyEpoch`),
    models: doc.models.map((m: unknown, i) => {
      const model = object(m, `${what}.models[${i}]`, ["modelId", "revision", "priceIn", "priceOut"]);
      return {
        modelId: text(model.modelId, `${what}.models[${i}].modelId`),
        revision: text(model.revision, `${what}.models[${i}].revision`),
        priceIn: u64(model.priceIn, `${what}.models[${i}].priceIn`),
        priceOut: u64(model.priceOut, `${what}.models[${i}].priceOut`),
      };
    }),
    creditWindowLamports: u64(doc.creditWindowLamports, `${what}.creditWindowLamports`),
    settle: {
      thresholdLamports: u64(settle.thresholdLamports, `${what}.settle.thresholdLamports`),
      intervalMs: u32(settle.intervalMs, `${what}.settle.intervalMs`),
    },
    ...(doc.paused === undefined ? {} : { paused: text(doc.paused, `${what}.paused`) }),
  };
}

/**
 * `{"v":1,"answer":n,"clientKey":b64,"keyEpoch":n,"prompt":b64,"signature":b64}`.
 *
 * @example
 * ```ts
 * await fetch(url, { method: "POST", body: JSON.stringify(encodeSessionAskBody(body)) });
 * ```
 */
export function encodeSessionAskBody(body: SessionAskBody): Json {
  return {
    v: SESSION_PROTOCOL_VERSION,
    answer: body.answer,
    clientKey: toBase64(body.clientKey),
    keyEpoch: body.keyEpoch,
    prompt: toBase64(body.prompt),
    signature: toBase64(body.signature),
  };
}

/**
 * Parses an ask body (the node's side).
 *
 * @example
 * ```ts
 * const ask = parseSessionAskBody(JSON.parse(text));
 * ```
 */
export function parseSessionAskBody(value: unknown): SessionAskBody {
  const what = "ask body";
  const doc = object(value, what, ["v", "answer", "clientKey", "keyEpoch", "prompt", "signature"]);
  version(doc, what);
  return {
    answer: u32(doc.answer, `${what}.answer`),
    clientKey: fromBase64(doc.clientKey, `${what}.clientKey`, CRYPTO_KEY_LENGTH),
    keyEpoch: u32(doc.keyEpoch, `${what}.keyEpoch`),
    prompt: fromBase64(doc.prompt, `${what}.prompt`),
    signature: fromBase64(doc.signature, `${what}.signature`, SESSION_SIGNATURE_LENGTH),
  };
}

/**
 * `{"v":1,"voucher":b64(54 bytes),"signature":b64(64 bytes)}`.
 *
 * @example
 * ```ts
 * const body = encodeSessionVoucherBody({ voucher: signed.bytes, signature: signed.signature });
 * ```
 */
export function encodeSessionVoucherBody(body: SessionVoucherBody): Json {
  return { v: SESSION_PROTOCOL_VERSION, voucher: toBase64(body.voucher), signature: toBase64(body.signature) };
}

/**
 * Parses a voucher body (the node's side).
 *
 * @example
 * ```ts
 * const { voucher, signature } = parseSessionVoucherBody(JSON.parse(text));
 * ```
 */
export function parseSessionVoucherBody(value: unknown): SessionVoucherBody {
  const what = "voucher body";
  const doc = object(value, what, ["v", "voucher", "signature"]);
  version(doc, what);
  return {
    voucher: fromBase64(doc.voucher, `${what}.voucher`, VOUCHER_LENGTH),
    signature: fromBase64(doc.signature, `${what}.signature`, SESSION_SIGNATURE_LENGTH),
  };
}

/**
 * `{"v":1,"paid":{…},"billed":{…},"settledLamports":"n"}` with totals as `{"lamports":"n","tokens":"n","answers":n}`.
 *
 * @example
 * ```ts
 * response.end(JSON.stringify(encodeSessionVoucherReceipt(receipt)));
 * ```
 */
export function encodeSessionVoucherReceipt(receipt: SessionVoucherReceipt): Json {
  return {
    v: SESSION_PROTOCOL_VERSION,
    paid: totalsJson(receipt.paid),
    billed: totalsJson(receipt.billed),
    settledLamports: receipt.settledLamports.toString(),
  };
}

/**
 * Parses a voucher receipt.
 *
 * @example
 * ```ts
 * const { paid } = parseSessionVoucherReceipt(await response.json());
 * ```
 */
export function parseSessionVoucherReceipt(value: unknown): SessionVoucherReceipt {
  const what = "voucher receipt";
  const doc = object(value, what, ["v", "paid", "billed", "settledLamports"]);
  version(doc, what);
  return {
    paid: totals(doc.paid, `${what}.paid`),
    billed: totals(doc.billed, `${what}.billed`),
    settledLamports: u64(doc.settledLamports, `${what}.settledLamports`),
  };
}

/**
 * `{"v":1,"signature":b64(64 bytes)}`.
 *
 * @example
 * ```ts
 * const body = encodeSessionCloseBody({ signature: signSessionClose({ session, voucherSecret }) });
 * ```
 */
export function encodeSessionCloseBody(body: SessionCloseBody): Json {
  return { v: SESSION_PROTOCOL_VERSION, signature: toBase64(body.signature) };
}

/**
 * Parses a close body (the node's side).
 *
 * @example
 * ```ts
 * const { signature } = parseSessionCloseBody(JSON.parse(text));
 * ```
 */
export function parseSessionCloseBody(value: unknown): SessionCloseBody {
  const what = "close body";
  const doc = object(value, what, ["v", "signature"]);
  version(doc, what);
  return { signature: fromBase64(doc.signature, `${what}.signature`, SESSION_SIGNATURE_LENGTH) };
}

/**
 * `{"v":1,"transaction":"<base58 signature>","settledLamports":"n"}`.
 *
 * @example
 * ```ts
 * response.end(JSON.stringify(encodeSessionCloseReceipt({ transaction, settledLamports })));
 * ```
 */
export function encodeSessionCloseReceipt(receipt: SessionCloseReceipt): Json {
  return { v: SESSION_PROTOCOL_VERSION, transaction: receipt.transaction, settledLamports: receipt.settledLamports.toString() };
}

/**
 * Parses a close receipt.
 *
 * @example
 * ```ts
 * const { transaction } = parseSessionCloseReceipt(await response.json());
 * ```
 */
export function parseSessionCloseReceipt(value: unknown): SessionCloseReceipt {
  const what = "close receipt";
  const doc = object(value, what, ["v", "transaction", "settledLamports"]);
  version(doc, what);
  if (typeof doc.transaction !== "string" || !isSignature(doc.transaction))
    fail(`${what}.transaction`, "not a base58 transaction signature");
  return { transaction: doc.transaction, settledLamports: u64(doc.settledLamports, `${what}.settledLamports`) };
}

/**
 * `{"v":1,"nextAnswer":n,"paid":{…},"billed":{…},"settledLamports":"n","voucher":{"bytes":b64,"signature":b64}|null}`.
 *
 * @example
 * ```ts
 * response.end(JSON.stringify(encodeSessionNodeStatus(status)));
 * ```
 */
export function encodeSessionNodeStatus(status: SessionNodeStatus): Json {
  return {
    v: SESSION_PROTOCOL_VERSION,
    nextAnswer: status.nextAnswer,
    paid: totalsJson(status.paid),
    billed: totalsJson(status.billed),
    settledLamports: status.settledLamports.toString(),
    voucher: status.voucher ? { bytes: toBase64(status.voucher.bytes), signature: toBase64(status.voucher.signature) } : null,
  };
}

/**
 * Parses a session status document.
 *
 * @example
 * ```ts
 * const status = parseSessionNodeStatus(await response.json());
 * ```
 */
export function parseSessionNodeStatus(value: unknown): SessionNodeStatus {
  const what = "session status";
  const doc = object(value, what, ["v", "nextAnswer", "paid", "billed", "settledLamports", "voucher"]);
  version(doc, what);
  let voucher: SessionNodeStatus["voucher"] = null;
  if (doc.voucher !== null) {
    const v = object(doc.voucher, `${what}.voucher`, ["bytes", "signature"]);
    voucher = {
      bytes: fromBase64(v.bytes, `${what}.voucher.bytes`, VOUCHER_LENGTH),
      signature: fromBase64(v.signature, `${what}.voucher.signature`, SESSION_SIGNATURE_LENGTH),
    };
  }
  return {
    nextAnswer: u32(doc.nextAnswer, `${what}.nextAnswer`),
    paid: totals(doc.paid, `${what}.paid`),
    billed: totals(doc.billed, `${what}.billed`),
    settledLamports: u64(doc.settledLamports, `${what}.settledLamports`),
    voucher,
  };
}

/**
 * The JSON `data` of an event (without its `type`, which travels as the SSE `event:` name).
 *
 * @example
 * ```ts
 * const data = encodeSessionEventData({ type: "bill", lamports: 2_530n, tokens: 530n, answers: 1, tokensIn: 30, tokensOut: 500 });
 * ```
 */
export function encodeSessionEventData(event: SessionEvent): Json {
  switch (event.type) {
    case "chunk":
      return { chunk: event.chunk, final: event.final, frame: toBase64(event.frame), tokens: event.tokens };
    case "bill":
      return { ...totalsJson(event), tokensIn: event.tokensIn, tokensOut: event.tokensOut };
    case "paused":
      return { unpaidLamports: event.unpaidLamports.toString(), creditWindowLamports: event.creditWindowLamports.toString() };
    case "done":
      return {
        finishReason: event.finishReason,
        tokensIn: event.tokensIn,
        tokensOut: event.tokensOut,
        lamports: event.lamports.toString(),
      };
    case "error":
      return { code: event.code, message: event.message };
  }
}

/**
 * One event as SSE text: `event: <type>\ndata: <json>\n\n`.
 *
 * @example
 * ```ts
 * response.write(formatSessionEvent({ type: "error", code: "stopping", message: "the node is stopping" }));
 * ```
 */
export function formatSessionEvent(event: SessionEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(encodeSessionEventData(event))}\n\n`;
}

const FINISH_REASONS: ReadonlySet<string> = new Set(["stop", "length", "cut"]);

/**
 * Parses one SSE event (its `event:` name and `data:` text).
 *
 * @example
 * ```ts
 * const event = parseSessionEvent("chunk", '{"chunk":0,"final":false,"frame":"…","tokens":3}');
 * ```
 */
export function parseSessionEvent(name: string, data: string): SessionEvent {
  const what = `${name} event`;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    fail(what, "data is not JSON");
  }
  switch (name) {
    case "chunk": {
      const doc = object(value, what, ["chunk", "final", "frame", "tokens"]);
      if (typeof doc.final !== "boolean") fail(what, "final is not a boolean");
      return {
        type: "chunk",
        chunk: u32(doc.chunk, `${what}.chunk`),
        final: doc.final,
        frame: fromBase64(doc.frame, `${what}.frame`),
        tokens: u32(doc.tokens, `${what}.tokens`),
      };
    }
    case "bill": {
      const doc = object(value, what, ["lamports", "tokens", "answers", "tokensIn", "tokensOut"]);
      return {
        type: "bill",
        lamports: u64(doc.lamports, `${what}.lamports`),
        tokens: u64(doc.tokens, `${what}.tokens`),
        answers: u32(doc.answers, `${what}.answers`),
        tokensIn: u32(doc.tokensIn, `${what}.tokensIn`),
        tokensOut: u32(doc.tokensOut, `${what}.tokensOut`),
      };
    }
    case "paused": {
      const doc = object(value, what, ["unpaidLamports", "creditWindowLamports"]);
      return {
        type: "paused",
        unpaidLamports: u64(doc.unpaidLamports, `${what}.unpaidLamports`),
        creditWindowLamports: u64(doc.creditWindowLamports, `${what}.creditWindowLamports`),
      };
    }
    case "done": {
      const doc = object(value, what, ["finishReason", "tokensIn", "tokensOut", "lamports"]);
      if (typeof doc.finishReason !== "string" || !FINISH_REASONS.has(doc.finishReason)) fail(what, "unknown finishReason");
      return {
        type: "done",
        finishReason: doc.finishReason as SessionFinishReason,
        tokensIn: u32(doc.tokensIn, `${what}.tokensIn`),
        tokensOut: u32(doc.tokensOut, `${what}.tokensOut`),
        lamports: u64(doc.lamports, `${what}.lamports`),
      };
    }
    case "error":
      return parseErrorDoc(value, what);
    default:
      return fail(what, "unknown event");
  }
}

function parseErrorDoc(value: unknown, what: string): Extract<SessionEvent, { type: "error" }> {
  const doc = object(value, what, ["code", "message"]);
  const code = text(doc.code, `${what}.code`);
  if (!(code in SESSION_ERROR_STATUS)) fail(what, `unknown error code ${code}`);
  return { type: "error", code: code as SessionErrorCode, message: text(doc.message, `${what}.message`) };
}

/**
 * The body of a refusal.
 *
 * @example
 * ```ts
 * response.writeHead(SESSION_ERROR_STATUS.answer_replayed).end(JSON.stringify(encodeSessionError("answer_replayed", "answer 0 was already asked")));
 * ```
 */
export function encodeSessionError(code: SessionErrorCode, message: string): SessionErrorBody {
  return { error: { code, message } };
}

/**
 * Parses a refusal body; `null` when it is not one.
 *
 * @example
 * ```ts
 * const refusal = parseSessionError(await response.json().catch(() => null));
 * ```
 */
export function parseSessionError(value: unknown): SessionErrorBody["error"] | null {
  try {
    const doc = object(value, "error body", ["error"]);
    const { code, message } = parseErrorDoc(doc.error, "error body");
    return { code, message };
  } catch {
    return null;
  }
}
