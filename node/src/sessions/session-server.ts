import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { isAddress, type Address } from "@solana/kit";
import {
  decodePromptPayload,
  getCurrentServerKey,
  getServerKeyringSecret,
  type PromptPayload,
  type ServerKeyring,
  tokenCost,
} from "@chainference/client";
import {
  decryptSessionFrame,
  deriveSessionFrameKey,
  encodeSessionCloseReceipt,
  encodeSessionError,
  encodeSessionInfo,
  encodeSessionNodeStatus,
  encodeSessionVoucherReceipt,
  formatSessionEvent,
  parseSessionAskBody,
  parseSessionCloseBody,
  parseSessionVoucherBody,
  SESSION_ERROR_STATUS,
  SESSION_FRAME_OVERHEAD,
  SESSION_ROUTE_PREFIX,
  type SessionErrorCode,
  type SessionEvent,
  type SessionInfo,
  verifySessionClose,
} from "@chainference/client/sessions";

import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeConfig, ServedModelConfig } from "../config/node-config";
import { describeError } from "../provider/describe-error";
import { streamAnswer, type AnswerOutcome } from "./answer-stream";
import { judgeAsk, judgeVoucher, promptReserve, type SessionBook, type SessionEntry } from "./session-book";
import type { SessionLedger, SessionView } from "./session-ledger";
import type { CloseReceipt } from "./session-settler";

/** What the session server reports (the provider node turns these into its events and log lines). */
export type SessionServerEvent =
  | Readonly<{ type: "session-answered"; session: Address; answer: number; outcome: AnswerOutcome }>
  | Readonly<{ type: "session-refused"; session: string; code: SessionErrorCode; message: string }>
  | Readonly<{ type: "session-voucher"; session: Address; lamports: bigint }>
  | Readonly<{ type: "error"; where: string; error: string }>;

/** Options of {@link startSessionServer}. */
export type SessionServerOptions = Readonly<{
  ledger: SessionLedger;
  book: SessionBook;
  programId: Address;
  server: Address;
  operator: Address;
  keyring: () => ServerKeyring;
  config: NodeConfig;
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  /** The cooperative close a client asks for (the settler's: final settle + close_session in one transaction). */
  closeSession: (entry: SessionEntry, view: SessionView) => Promise<CloseReceipt>;
  emit: (event: SessionServerEvent) => void;
  /** Why the node takes no new work now, or null: asks are refused with `paused` and the info says so. */
  pausedReason?: () => string | null;
}>;

/** A running session server. */
export type SessionServer = Readonly<{
  /** `http://<host>:<port>` (the routes are under `/v1/sessions`). */
  url: string;
  port: number;
  /** Answers streaming now. */
  activeAnswers(): number;
  /** Stops accepting, ends streaming answers with an `error` event (`stopping`) and closes the listener. */
  close(): Promise<void>;
}>;

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type, accept",
  "access-control-max-age": "600",
} as const;

const MAX_BODY_BYTES = 1 << 20;

class Refused extends Error {
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let length = 0;
    request.on("data", (part: Buffer) => {
      length += part.length;
      if (length > MAX_BODY_BYTES) {
        reject(new Refused("bad_request", `body above ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      parts.push(part);
    });
    request.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString("utf8")));
      } catch {
        reject(new Refused("bad_request", "the body is not JSON"));
      }
    });
    request.on("error", reject);
  });
}

/** The body parsed by `parse`; a body that is not JSON is `bad_request`, one `parse` refuses is `code`. */
async function readDocument<T>(request: IncomingMessage, parse: (value: unknown) => T, code: SessionErrorCode): Promise<T> {
  const value = await readBody(request);
  try {
    return parse(value);
  } catch (error) {
    throw new Refused(code, (error as Error).message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { ...CORS_HEADERS, "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

function servedModelOf(config: NodeConfig, view: SessionView): ServedModelConfig | undefined {
  return config.models.find((m) => m.hfId === view.modelId && (view.revision === "" || m.revision === view.revision));
}

/**
 * Serves the off-chain session protocol (docs/sessions.md §3) over node:http with CORS for browsers:
 * `GET /v1/sessions/info`, `POST /v1/sessions/{session}/answers` (an SSE stream), `POST /v1/sessions/{session}/vouchers`,
 * `POST /v1/sessions/{session}/close` (the cooperative close) and `GET /v1/sessions/{session}`.
 * Every ask is checked against the Session account (Open, this server, a served model, the key epoch, the voucher
 * signer's signature, a fresh answer index, the credit window) before the model runs; every voucher is verified and
 * saved durably before it is acknowledged.
 *
 * @example
 * const sessions = await startSessionServer({ ledger, book, programId, server, operator, keyring, config, backendFor, emit });
 * console.log(`${sessions.url}/v1/sessions/info`);
 */
export async function startSessionServer(options: SessionServerOptions): Promise<SessionServer> {
  const { ledger, book, config, emit } = options;
  const policy = config.sessions;
  const stopping = new AbortController();
  // Every answer in progress listens for the stop: a node streaming to many sessions has many listeners.
  setMaxListeners(0, stopping.signal);
  const active = new Set<AbortController>();
  const streams = new Set<Promise<void>>();

  const info = (): SessionInfo => {
    const key = getCurrentServerKey(options.keyring());
    return {
      programId: options.programId,
      server: options.server,
      operator: options.operator,
      serverKey: key.publicKey,
      keyEpoch: key.epoch,
      models: config.models.map((m) => ({ modelId: m.hfId, revision: m.revision, priceIn: m.priceIn, priceOut: m.priceOut })),
      creditWindowLamports: policy.creditWindowLamports,
      settle: { thresholdLamports: policy.settleThresholdLamports, intervalMs: policy.settleIntervalMs },
      paused: options.pausedReason?.() ?? null,
    };
  };

  async function sessionView(session: Address): Promise<SessionView> {
    const view = await ledger.fetchSession(session);
    if (!view) throw new Refused("session_not_found", `no session account at ${session}`);
    return view;
  }

  async function handleAsk(session: Address, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedMs = Date.now();
    if (stopping.signal.aborted) throw new Refused("stopping", "the node is stopping");
    const paused = options.pausedReason?.();
    if (paused) throw new Refused("paused", `the node takes no new answers now (${paused}); ask again later or use another server`);
    const ask = await readDocument(request, parseSessionAskBody, "bad_request");
    if (ask.prompt.length > config.maxPromptBytes + SESSION_FRAME_OVERHEAD)
      throw new Refused(
        "prompt_invalid",
        `the prompt frame is ${ask.prompt.length} bytes, above this node's ${config.maxPromptBytes}-byte limit`,
      );
    const view = await sessionView(session);
    const entry = book.getOrCreate(session);
    entry.view = view;
    const model = servedModelOf(config, view);
    const keyring = options.keyring();
    const promptBytes = ask.prompt.length - SESSION_FRAME_OVERHEAD;
    const owedBefore = entry.billed.lamports > entry.paid.lamports ? entry.billed.lamports - entry.paid.lamports : 0n;
    const refusal = judgeAsk({
      view,
      session,
      server: options.server,
      served: model !== undefined,
      knownEpochs: keyring.keys.map((k) => k.epoch),
      ask,
      entry,
      creditWindow: policy.creditWindowLamports,
      promptReserve: promptReserve(promptBytes, view.priceIn),
      firstTokenCost: tokenCost(1n, view.priceOut),
    });
    if (refusal) throw new Refused(refusal.code, refusal.message);
    const frameKey = deriveSessionFrameKey({
      secret: getServerKeyringSecret(keyring, ask.keyEpoch),
      peerKey: ask.clientKey,
      session,
      peer: "client",
    });
    let payload: PromptPayload;
    try {
      const plaintext = decryptSessionFrame({
        frameKey,
        session,
        answer: ask.answer,
        direction: "prompt",
        chunk: 0,
        isFinal: true,
        frame: ask.prompt,
      });
      payload = decodePromptPayload(plaintext);
    } catch (error) {
      throw new Refused("prompt_invalid", describeError(error));
    }
    // Taken: unpaid work of earlier answers becomes arrears, the index is burnt (saved before the model runs).
    entry.answering = true;
    entry.arrears += owedBefore;
    entry.billed = entry.paid;
    entry.nextAnswer = ask.answer + 1;
    try {
      await book.save(entry);
    } catch (error) {
      entry.answering = false;
      throw error;
    }

    const controller = new AbortController();
    active.add(controller);
    const onStop = () => controller.abort(new Error("the node is stopping"));
    stopping.signal.addEventListener("abort", onStop, { once: true });
    response.on("close", () => controller.abort(new Error("the client disconnected")));
    response.writeHead(200, {
      ...CORS_HEADERS,
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    response.socket?.setNoDelay(true);
    response.flushHeaders();
    const send = (event: SessionEvent): boolean => {
      if (response.writableEnded || response.destroyed) return false;
      response.write(formatSessionEvent(event));
      return true;
    };
    try {
      const outcome = await streamAnswer({
        session,
        answer: ask.answer,
        entry,
        view,
        payload,
        promptBytes,
        frameKey,
        backend: options.backendFor(model!),
        sessions: policy,
        maxOutputTokens: config.maxOutputTokens,
        defaultTemperature: config.defaultTemperature,
        send,
        signal: controller.signal,
        startedMs,
      });
      if (outcome.finishReason === "disconnected" && stopping.signal.aborted)
        send({ type: "error", code: "stopping", message: "the node is stopping" });
      emit({ type: "session-answered", session, answer: ask.answer, outcome });
    } finally {
      entry.answering = false;
      active.delete(controller);
      stopping.signal.removeEventListener("abort", onStop);
      if (!response.writableEnded) response.end();
    }
  }

  async function handleVoucher(session: Address, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readDocument(request, parseSessionVoucherBody, "voucher_invalid");
    const entry = book.get(session);
    if (!entry) throw new Refused("session_not_found", `this node has served no answer on session ${session}`);
    // The cached account serves (signer fixed, deposit only grows); a voucher above its deposit re-reads it (a top-up).
    let verdict = entry.view ? judgeVoucher({ session, view: entry.view, entry, bytes: body.voucher, signature: body.signature }) : null;
    if (verdict === null || ("code" in verdict && verdict.code === "voucher_above_deposit")) {
      entry.view = await sessionView(session);
      verdict = judgeVoucher({ session, view: entry.view, entry, bytes: body.voucher, signature: body.signature });
    }
    if ("code" in verdict) throw new Refused(verdict.code, verdict.message);
    const { voucher } = verdict;
    entry.paid = { lamports: voucher.lamports, tokens: voucher.tokens, answers: voucher.answers };
    entry.voucher = { voucher, bytes: body.voucher, signature: body.signature };
    if (entry.unsettledSince === null && voucher.lamports > entry.settledLamports) entry.unsettledSince = Date.now();
    await book.save(entry);
    for (const wake of [...entry.waiters]) wake();
    emit({ type: "session-voucher", session, lamports: voucher.lamports });
    sendJson(
      response,
      200,
      encodeSessionVoucherReceipt({ paid: entry.paid, billed: entry.billed, settledLamports: entry.settledLamports }),
    );
  }

  async function handleClose(session: Address, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (stopping.signal.aborted) throw new Refused("stopping", "the node is stopping");
    const body = await readDocument(request, parseSessionCloseBody, "bad_request");
    const view = await sessionView(session);
    if (view.server !== options.server)
      throw new Refused("wrong_server", `session ${session} pays server ${view.server}, not ${options.server}`);
    if (view.status === "closed") throw new Refused("session_not_open", `session ${session} is already closed`);
    if (!verifySessionClose({ session, signature: body.signature, voucherSigner: view.voucherSigner }))
      throw new Refused("bad_signature", `the close is not signed by the session's voucher signer ${view.voucherSigner}`);
    const entry = book.getOrCreate(session);
    if (entry.answering) throw new Refused("answer_in_progress", "an answer of this session is streaming; close when it is done");
    if (entry.closed) throw new Refused("session_not_open", `session ${session} is already being closed`);
    // No ask is taken while the close is in flight (judgeAsk refuses a closed entry); a failed close reopens it.
    entry.closed = true;
    let receipt: CloseReceipt;
    try {
      receipt = await options.closeSession(entry, view);
    } catch (error) {
      entry.closed = false;
      throw new Refused("close_failed", `the settle-and-close transaction failed: ${describeError(error)}`);
    }
    sendJson(response, 200, encodeSessionCloseReceipt({ transaction: receipt.signature, settledLamports: receipt.settledLamports }));
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS).end();
      return;
    }
    if (path === `${SESSION_ROUTE_PREFIX}/info` && request.method === "GET") {
      sendJson(response, 200, encodeSessionInfo(info()));
      return;
    }
    const status = new RegExp(`^${SESSION_ROUTE_PREFIX}/([^/]+)$`).exec(path);
    if (status && request.method === "GET" && status[1] !== "info") {
      if (!isAddress(status[1]!)) throw new Refused("bad_request", `${status[1]} is not a session address`);
      const entry = book.get(status[1]);
      const zero = { lamports: 0n, tokens: 0n, answers: 0 };
      sendJson(
        response,
        200,
        encodeSessionNodeStatus({
          nextAnswer: entry?.nextAnswer ?? 0,
          paid: entry?.paid ?? zero,
          billed: entry?.billed ?? zero,
          settledLamports: entry?.settledLamports ?? 0n,
          voucher: entry?.voucher ? { bytes: entry.voucher.bytes, signature: entry.voucher.signature } : null,
        }),
      );
      return;
    }
    const match = new RegExp(`^${SESSION_ROUTE_PREFIX}/([^/]+)/(answers|vouchers|close)$`).exec(path);
    if (!match || request.method !== "POST") throw new Refused("not_found", `no route ${request.method} ${path}`);
    const session = match[1]!;
    if (!isAddress(session)) throw new Refused("bad_request", `${session} is not a session address`);
    if (match[2] === "answers") await handleAsk(session, request, response);
    else if (match[2] === "close") await handleClose(session, request, response);
    else await handleVoucher(session, request, response);
  }

  const server = createServer((request, response) => {
    const handled = route(request, response).catch((error: unknown) => {
      const refused = error instanceof Refused ? error : null;
      const code: SessionErrorCode = refused?.code ?? "internal";
      const message = refused?.message ?? describeError(error);
      if (!refused) emit({ type: "error", where: `${request.method} ${request.url}`, error: message });
      else emit({ type: "session-refused", session: request.url ?? "", code, message });
      if (response.headersSent) {
        if (!response.writableEnded) response.end(formatSessionEvent({ type: "error", code, message }));
      } else sendJson(response, SESSION_ERROR_STATUS[code], encodeSessionError(code, message));
    });
    streams.add(handled);
    void handled.finally(() => streams.delete(handled));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(policy.port ?? 0, policy.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = policy.host.includes(":") ? `[${policy.host}]` : policy.host;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    activeAnswers: () => active.size,
    close() {
      closed ??= (async () => {
        stopping.abort(new Error("the node is stopping"));
        await Promise.allSettled([...streams]);
        const closing = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closing;
      })();
      return closed;
    },
  };
}
