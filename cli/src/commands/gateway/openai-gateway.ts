/**
 * An OpenAI-compatible HTTP API on 127.0.0.1 backed by the network: every chat completion becomes an
 * on-chain request paid from the gateway's wallet, streamed back as Server-Sent Events (or whole),
 * with `usage` taken from the settlement.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  fetchProtocolConfig,
  fetchServers,
  isChainferenceClientError,
  isRpcFailure,
  isTransactionFailed,
  validateModelId,
  type PromptPayload,
} from "@chainference/client";
import type { Session } from "../../shared/context/session";
import { followRequest, postAsk, type AskOutcome } from "../ask/post-and-follow";
import { chooseServers, previewEligibility, type AskTerms, type EligibilityPreview } from "../ask/eligibility";
import { splitCost } from "../ask/settlement-report";
import { describeError } from "../../shared/errors/describe-error";
import { isCliError } from "../../shared/errors/cli-error";
import { GatewayError, isGatewayError, modelNotFound, parseChatCompletionRequest, type ChatCompletionRequest } from "./openai-types";
import { allowedOrigin, checkApiKey, checkContentType, checkHost, checkOrigin, corsHeaders, preflightHeaders } from "./request-guard";
import { callKeys, createIdempotencyCache, fingerprint, recordResponse, replayResponse } from "./idempotency-cache";
import type { SessionPool } from "./session-pool";

export type GatewayOptions = {
  readonly session: Session;
  readonly wallet: KeyPairSigner;
  /** Stake, filters and allow-list applied to every request (the model comes from each call). */
  readonly terms: Omit<AskTerms, "model">;
  /** OpenAI-style names → Hugging Face ids; HF ids are accepted directly too. */
  readonly aliases: ReadonlyMap<string, string>;
  /** `max_tokens` when a call sets none. */
  readonly defaultMaxTokens: number;
  /** Upper bound on `max_tokens`. */
  readonly maxTokensCap: number;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** Browser origins that may call the gateway (`*` = any); others are refused with 403. */
  readonly allowOrigins?: readonly string[];
  /** Host names accepted in the `Host` header besides IPs, loopback names and the bound host. */
  readonly allowHosts?: readonly string[];
  /** When set, every call needs `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** One line per call (request address, outcome, cost). */
  readonly log?: (line: string) => void;
  /** Answer through sessions from this pool (the default of `chainference gateway`); absent = one on-chain request per call. */
  readonly sessions?: SessionPool;
};

export type Gateway = { readonly url: string; close(): Promise<void> };

const MAX_BODY_BYTES = 1 << 20;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(text);
}

function errorBody(e: GatewayError) {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}

/** Maps a failure while posting to an HTTP error a client can act on. */
function toGatewayError(e: unknown): GatewayError {
  if (isGatewayError(e)) return e;
  const message = describeError(e);
  if (isChainferenceClientError(e, CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE))
    return new GatewayError(400, message, "invalid_request_error", "context_length_exceeded", "messages");
  if (isCliError(e)) return new GatewayError(503, message, "server_error", "no_eligible_server");
  if (isRpcFailure(e)) return new GatewayError(502, message, "api_error", "rpc_unreachable");
  if (isChainferenceClientError(e, CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED))
    return new GatewayError(504, message, "api_error", "transaction_not_confirmed");
  if (isTransactionFailed(e)) return new GatewayError(502, message, "api_error", "transaction_failed");
  return new GatewayError(500, message, "api_error", null);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new GatewayError(413, "request body is larger than 1 MiB", "invalid_request_error");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, "the request body is not valid JSON", "invalid_request_error");
  }
}

/** True when some server offers the preview's model at all (so a refusal is about terms, not the model). */
export function isModelServed(preview: EligibilityPreview): boolean {
  return (
    preview.eligible.length > 0 ||
    preview.ineligible.some((s) => !s.reasons.some((r) => r.reason === "model-not-offered" || r.reason === "inactive"))
  );
}

/** The `max_tokens` a call gets: its own (refused with a 400 above the cap, never clamped) or the default. */
export function checkMaxTokens(requested: number | null, defaultMaxTokens: number, cap: number): number {
  if (requested === null) return defaultMaxTokens;
  if (requested > cap)
    throw new GatewayError(
      400,
      `max_tokens is too large: ${requested}. This gateway allows at most ${cap} completion tokens (its --max-tokens).`,
      "invalid_request_error",
      "invalid_value",
      "max_tokens",
    );
  return requested;
}

/**
 * Starts the gateway.
 *
 * @example
 * const gateway = await startGateway({ session, wallet, terms, aliases: new Map(), defaultMaxTokens: 256, maxTokensCap: 512, port: 8080 });
 * // OpenAI clients: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused" })
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { session, wallet } = options;
  const log = options.log ?? (() => undefined);

  const resolveModel = (name: string): string => {
    const mapped = options.aliases.get(name) ?? name;
    if (validateModelId(mapped) !== null)
      throw modelNotFound(
        `model '${name}' is neither a Hugging Face id (org/name) nor one of: ${[...options.aliases.keys()].join(", ") || "(no aliases)"}`,
      );
    return mapped;
  };

  const listModels = async () => {
    const served = new Set((await fetchServers(session.chain, { activeOnly: true })).flatMap((s) => s.server.models.map((m) => m.hfId)));
    const ids = [...served, ...[...options.aliases].filter(([, target]) => served.has(target)).map(([alias]) => alias)];
    return ids.map((id) => ({
      id,
      object: "model",
      created: 0,
      owned_by: options.aliases.has(id) ? `chainference:${options.aliases.get(id)}` : "chainference",
    }));
  };

  const complete = async (
    call: ChatCompletionRequest,
    res: ServerResponse,
    onPaying: () => void,
    cors: Record<string, string>,
  ): Promise<void> => {
    const model = resolveModel(call.model);
    const terms: AskTerms = { ...options.terms, model };
    const payload: PromptPayload = {
      v: 1,
      messages: call.messages,
      maxTokens: checkMaxTokens(call.maxTokens, options.defaultMaxTokens, options.maxTokensCap),
      ...(call.temperature === null ? {} : { temperature: call.temperature }),
    };
    const config = await fetchProtocolConfig(session.chain);
    if (config.paused)
      throw new GatewayError(503, "the protocol is paused by its admin: try again later", "server_error", "protocol_paused");
    const preview = await previewEligibility(session.chain, terms, payload);
    if (preview.eligible.length === 0 && !isModelServed(preview))
      throw modelNotFound(`model '${model}' is not served by any active server`);
    if (preview.eligible.length === 0) {
      const reasons = [...new Set(preview.ineligible.flatMap((s) => s.reasons.map((r) => r.reason)))].join(", ");
      throw new GatewayError(
        503,
        `no server can take a request for ${model}${reasons ? ` (${reasons})` : " (no servers registered)"}`,
        "server_error",
        "no_eligible_server",
      );
    }
    if (chooseServers(preview).length === 0)
      throw new GatewayError(
        503,
        `every server that can take a request for ${model} looks offline (${preview.eligible.map((s) => s.liveness.detail).join("; ")})`,
        "server_error",
        "no_live_server",
      );
    if (options.sessions) {
      await completeInSession(options.sessions, call, res, onPaying, cors, terms, payload);
      return;
    }
    // From here a request may land even if posting throws (an unconfirmed transaction): the call counts as paid.
    onPaying();
    const posted = await postAsk(session, wallet, terms, payload, preview);
    const id = `chatcmpl-${posted.address}`;
    const created = Math.floor(Date.now() / 1000);
    const stop = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) stop.abort();
    });
    const chunk = (delta: Record<string, string>, finishReason: string | null, extra: Record<string, unknown> = {}) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(call.includeUsage ? { usage: null } : {}),
      ...extra,
    });
    const sse = (data: unknown) => res.write(`data: ${JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n\n`);
    if (call.stream) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-chainference-request": posted.address,
        ...cors,
      });
      sse(chunk({ role: "assistant", content: "" }, null));
    }
    const outcome: AskOutcome = await followRequest(
      session,
      wallet,
      posted,
      call.stream ? { onChunk: (text) => text && sse(chunk({ content: text }, null)) } : {},
      { signal: stop.signal, ...(terms.handOffWaitMs === undefined ? {} : { handOffWaitMs: terms.handOffWaitMs }) },
    );
    if (outcome.status !== "settled" || !outcome.response) {
      const failure = new GatewayError(
        504,
        `request ${posted.address} got no answer: ${outcome.note ?? outcome.status}`,
        "server_error",
        "no_answer",
      );
      log(`${posted.address} ${outcome.status}: ${outcome.note ?? ""}`);
      if (call.stream) {
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(errorBody(failure))}\n\n`);
        return;
      }
      throw failure;
    }
    const r = outcome.response;
    const { fee, serverPayout, refund } = splitCost(r.cost, terms.stake, config.feeBps);
    const usage = { prompt_tokens: r.tokensIn, completion_tokens: r.tokensOut, total_tokens: r.tokensIn + r.tokensOut };
    const finishReason = r.tokensOut >= payload.maxTokens ? "length" : "stop";
    const settlement = {
      request: posted.address,
      server: r.server,
      stake: terms.stake,
      cost: r.cost,
      fee,
      server_payout: serverPayout,
      refund,
    };
    log(`${posted.address} settled by ${r.server}: ${r.tokensIn} tokens in, ${r.tokensOut} out, cost ${r.cost} lamports`);
    if (call.stream) {
      sse(chunk({}, finishReason, { chainference: settlement }));
      if (call.includeUsage) sse({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
      res.end("data: [DONE]\n\n");
      return;
    }
    sendJson(
      res,
      200,
      {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          { index: 0, message: { role: "assistant", content: outcome.text, refusal: null }, logprobs: null, finish_reason: finishReason },
        ],
        usage,
        chainference: settlement,
      },
      { "x-chainference-request": posted.address, ...cors },
    );
  };

  /** A call answered in the model's session: no transaction per call; usage and cost from the voucher. */
  const completeInSession = async (
    pool: SessionPool,
    call: ChatCompletionRequest,
    res: ServerResponse,
    onPaying: () => void,
    cors: Record<string, string>,
    terms: AskTerms,
    payload: PromptPayload,
  ): Promise<void> => {
    const stop = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) stop.abort();
    });
    const created = Math.floor(Date.now() / 1000);
    let id = "";
    const chunk = (delta: Record<string, string>, finishReason: string | null, extra: Record<string, unknown> = {}) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: terms.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(call.includeUsage ? { usage: null } : {}),
      ...extra,
    });
    const sse = (data: unknown) => res.write(`data: ${JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n\n`);
    const { live, result } = await pool.answer(terms, payload, {
      onPaying,
      signal: stop.signal,
      onStart: (started) => {
        id = `chatcmpl-${started.account.address}-${started.progress.nextAnswer}`;
        if (!call.stream) return;
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
          "x-chainference-session": started.account.address,
          ...cors,
        });
        sse(chunk({ role: "assistant", content: "" }, null));
      },
      onText: (text) => {
        if (call.stream && text) sse(chunk({ content: text }, null));
      },
    });
    const usage = { prompt_tokens: result.tokensIn, completion_tokens: result.tokensOut, total_tokens: result.tokensIn + result.tokensOut };
    const finishReason = result.finishReason === "length" ? "length" : "stop";
    const settlement = {
      session: live.account.address,
      answer: result.answer,
      server: live.account.server,
      cost: result.lamports,
      session_total: result.totals.lamports,
      deposit: live.account.deposit,
    };
    log(
      `${live.account.address}#${result.answer} answered by ${live.account.server}: ${result.tokensIn} tokens in, ${result.tokensOut} out, cost ${result.lamports} lamports (session total ${result.totals.lamports})`,
    );
    if (call.stream) {
      sse(chunk({}, finishReason, { chainference: settlement }));
      if (call.includeUsage) sse({ id, object: "chat.completion.chunk", created, model: terms.model, choices: [], usage });
      res.end("data: [DONE]\n\n");
      return;
    }
    sendJson(
      res,
      200,
      {
        id,
        object: "chat.completion",
        created,
        model: terms.model,
        choices: [
          { index: 0, message: { role: "assistant", content: result.text, refusal: null }, logprobs: null, finish_reason: finishReason },
        ],
        usage,
        chainference: settlement,
      },
      { "x-chainference-session": live.account.address, ...cors },
    );
  };

  const boundHost = options.host ?? "127.0.0.1";
  const idempotency = createIdempotencyCache({ maxEntries: 256, ttlMs: 60 * 60_000 });

  /** A chat completion, replayed when it repeats a recorded call (same Idempotency-Key, or an SDK retry). */
  const chatCompletion = async (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<void> => {
    const refusal = checkContentType(req.headers);
    if (refusal) throw refusal;
    const body = await readBody(req);
    const call = parseChatCompletionRequest(parseJson(body));
    const bodyHash = fingerprint(body);
    const keys = callKeys(req.headers, bodyHash);
    const earlier = keys.replayFrom === null ? null : idempotency.lookup(keys.replayFrom, bodyHash);
    if (earlier) {
      replayResponse(res, await earlier, cors);
      return;
    }
    let paid = false;
    const recorded = recordResponse(res);
    let finished!: () => void;
    const run = new Promise<void>((resolve) => (finished = resolve)).then(recorded);
    idempotency.track(keys.recordAs, bodyHash, run, () => paid);
    try {
      await complete(call, res, () => (paid = true), cors);
    } catch (e) {
      sendError(res, e, cors);
    } finally {
      finished();
    }
  };

  const sendError = (res: ServerResponse, e: unknown, cors: Record<string, string>) => {
    const error = toGatewayError(e);
    if (error.status >= 500) log(error.message);
    if (res.headersSent) {
      if (!res.writableEnded) res.end(`data: ${JSON.stringify(errorBody(error))}\n\n`);
    } else sendJson(res, error.status, errorBody(error), { ...cors, ...(error.status === 401 ? { "www-authenticate": "Bearer" } : {}) });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname.replace(/\/+$/, "");
    const origin = allowedOrigin(req.headers, options.allowOrigins ?? []);
    const cors = corsHeaders(origin);
    try {
      const refusal = checkHost(req.headers, boundHost, options.allowHosts ?? []) ?? checkOrigin(req.headers, options.allowOrigins ?? []);
      if (refusal) throw refusal;
      if (req.method === "OPTIONS") {
        res.writeHead(204, { allow: "GET, POST, OPTIONS", ...(origin === undefined ? {} : preflightHeaders(req.headers, origin)) }).end();
        return;
      }
      const unauthorized = checkApiKey(req.headers, options.apiKey);
      if (unauthorized) throw unauthorized;
      if (req.method === "GET" && path === "/v1/models") {
        sendJson(res, 200, { object: "list", data: await listModels() }, cors);
      } else if (req.method === "GET" && path.startsWith("/v1/models/")) {
        const id = decodeURIComponent(path.slice("/v1/models/".length));
        const model = (await listModels()).find((m) => m.id === id);
        if (!model) throw modelNotFound(`model '${id}' is not served by any active server`);
        sendJson(res, 200, model, cors);
      } else if (req.method === "POST" && path === "/v1/chat/completions") {
        await chatCompletion(req, res, cors);
      } else {
        throw new GatewayError(
          404,
          `Invalid URL (${req.method} ${path || "/"}): use POST /v1/chat/completions or GET /v1/models`,
          "invalid_request_error",
          "unknown_url",
        );
      }
    } catch (e) {
      sendError(res, e, cors);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, boundHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${boundHost.includes(":") ? `[${boundHost}]` : boundHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
