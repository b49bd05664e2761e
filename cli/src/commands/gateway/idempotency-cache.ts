/**
 * One logical call, one paid request: responses recorded by call key (an `Idempotency-Key` header, or the
 * body of a call an OpenAI SDK marks as a retry), replayed to a repeat instead of posting again. In memory,
 * bounded by count and age; a call that posted nothing is forgotten when it ends, so it can be tried again.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError } from "./openai-types";

/** A response as written: status, headers and body chunks. */
export type RecordedResponse = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly chunks: readonly string[];
};

type Entry = { readonly fingerprint: string; readonly at: number; readonly result: Promise<RecordedResponse> };

/** SHA-256 of a request body, hex. */
export const fingerprint = (body: string): string => createHash("sha256").update(body).digest("hex");

/**
 * The keys a call is recorded under and may be replayed from: `key:<Idempotency-Key>` when sent, and
 * `body:<sha256>` always; `replayFrom` is the key to look up (the body key only for SDK retries, marked by
 * `X-Stainless-Retry-Count` ≥ 1, so a deliberate repeat of the same prompt is a new call).
 */
export function callKeys(headers: IncomingMessage["headers"], bodyHash: string): { recordAs: string[]; replayFrom: string | null } {
  const raw = headers["idempotency-key"];
  const key = Array.isArray(raw) ? raw[0] : raw;
  const retry = Number(headers["x-stainless-retry-count"] ?? "0") >= 1;
  const recordAs = [`body:${bodyHash}`, ...(key ? [`key:${key}`] : [])];
  return { recordAs, replayFrom: key ? `key:${key}` : retry ? `body:${bodyHash}` : null };
}

/** Captures what a handler writes to `res` (it still goes to the client). */
export function recordResponse(res: ServerResponse): () => RecordedResponse {
  let status = 200;
  let headers: Record<string, string> = {};
  const chunks: string[] = [];
  const { writeHead, write, end } = res;
  res.writeHead = ((code: number, h?: Record<string, string>) => {
    status = code;
    headers = { ...(h ?? {}) };
    return writeHead.call(res, code, h);
  }) as typeof res.writeHead;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (write as (...a: unknown[]) => boolean).call(res, chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk === "string" || Buffer.isBuffer(chunk)) chunks.push(String(chunk));
    return (end as (...a: unknown[]) => ServerResponse).call(res, chunk, ...rest);
  }) as typeof res.end;
  return () => ({ status, headers, chunks });
}

/** CORS headers belong to the request being answered, not to the one recorded. */
const isCorsHeader = (name: string) => name.toLowerCase().startsWith("access-control-") || name.toLowerCase() === "vary";

/** Writes a recorded response again, marked `Idempotent-Replayed: true`. */
export function replayResponse(res: ServerResponse, recorded: RecordedResponse, cors: Record<string, string> = {}): void {
  const headers = Object.fromEntries(Object.entries(recorded.headers).filter(([name]) => !isCorsHeader(name)));
  res.writeHead(recorded.status, { ...headers, ...cors, "idempotent-replayed": "true" });
  for (const chunk of recorded.chunks) res.write(chunk);
  res.end();
}

export type IdempotencyCache = {
  /** The recorded (or in-flight) response for `key`; throws a 400 when the key was used with another body. */
  lookup(key: string, bodyHash: string): Promise<RecordedResponse> | null;
  /** Records a call under `keys` while it runs; `paid()` says whether it posted a request (kept) or not (forgotten). */
  track(keys: readonly string[], bodyHash: string, run: Promise<RecordedResponse>, paid: () => boolean): void;
};

/**
 * An in-memory cache of at most `maxEntries` calls younger than `ttlMs`.
 *
 * @example
 * const cache = createIdempotencyCache({ maxEntries: 256, ttlMs: 3_600_000 });
 */
export function createIdempotencyCache(limits: { maxEntries: number; ttlMs: number }, now = Date.now): IdempotencyCache {
  const entries = new Map<string, Entry>();
  const prune = () => {
    for (const [key, entry] of entries) if (now() - entry.at > limits.ttlMs) entries.delete(key);
    while (entries.size > limits.maxEntries) entries.delete(entries.keys().next().value!);
  };
  return {
    lookup(key, bodyHash) {
      prune();
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.fingerprint !== bodyHash)
        throw new GatewayError(
          400,
          "this Idempotency-Key was already used with a different request body",
          "invalid_request_error",
          "idempotency_key_reused",
          "Idempotency-Key",
        );
      return entry.result;
    },
    track(keys, bodyHash, run, paid) {
      const entry: Entry = { fingerprint: bodyHash, at: now(), result: run };
      for (const key of keys) entries.set(key, entry);
      prune();
      void run.then(
        () => !paid() && keys.forEach((key) => entries.get(key) === entry && entries.delete(key)),
        () => keys.forEach((key) => entries.get(key) === entry && entries.delete(key)),
      );
    },
  };
}
