/**
 * The gateway's checks on who may call it, as pure functions over request headers: the `Host` header
 * against DNS rebinding, browser `Origin`s against an allow-list (with CORS preflight answers), JSON
 * content types, and an optional bearer API key. Each returns the refusal as a {@link GatewayError}, or null.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { GatewayError } from "./openai-types";

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The host name of a `Host` header value, without port or IPv6 brackets, lowercased (`[::1]:8080` → `::1`). */
export function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith("[")) return v.slice(1, v.indexOf("]") === -1 ? undefined : v.indexOf("]"));
  const colons = v.split(":").length - 1;
  return (colons === 1 ? v.slice(0, v.indexOf(":")) : v).replace(/\.$/, "");
}

/** True for names and addresses that only reach this machine: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host);
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  return name === "::1" || name === "0:0:0:0:0:0:0:1";
}

/**
 * Refuses a `Host` a DNS-rebinding page would send. Allowed: IP literals (a browser that connects to an IP
 * sends that IP, and its Origin check still applies), loopback names, the bound host, and `allowHosts`
 * (exact names, or `.example.com` for a domain and its subdomains).
 */
export function checkHost(headers: Headers, boundHost: string, allowHosts: readonly string[]): GatewayError | null {
  const value = header(headers, "host");
  if (!value) return new GatewayError(400, "the request has no Host header", "invalid_request_error", "host_not_allowed");
  const name = hostName(value);
  if (isIP(name) !== 0 || isLoopbackHost(name) || name === hostName(boundHost)) return null;
  const allowed = allowHosts.some((h) => {
    const a = h.toLowerCase();
    return a.startsWith(".") ? name === a.slice(1) || name.endsWith(a) : name === a;
  });
  if (allowed) return null;
  return new GatewayError(
    403,
    `Host '${value}' is not allowed (DNS rebinding guard): use 127.0.0.1 or localhost, or start the gateway with --allow-host ${name}`,
    "invalid_request_error",
    "host_not_allowed",
  );
}

/** An origin as browsers send it: lowercased, no trailing slash. */
export const normalizeOrigin = (origin: string): string => origin.trim().toLowerCase().replace(/\/+$/, "");

/** The request's browser origin when `allowOrigins` lets it through (`*` allows any), else undefined. */
export function allowedOrigin(headers: Headers, allowOrigins: readonly string[]): string | undefined {
  const origin = header(headers, "origin");
  if (origin === undefined) return undefined;
  return allowOrigins.includes("*") || allowOrigins.map(normalizeOrigin).includes(normalizeOrigin(origin)) ? origin : undefined;
}

/**
 * Refuses a request from a web page: one with an `Origin` not in `allowOrigins`, or one a browser marks as
 * cross-site (`Sec-Fetch-Site`) without an Origin. SDKs and curl send neither.
 */
export function checkOrigin(headers: Headers, allowOrigins: readonly string[]): GatewayError | null {
  const origin = header(headers, "origin");
  if (origin !== undefined && allowedOrigin(headers, allowOrigins) === undefined)
    return new GatewayError(
      403,
      `requests from the web origin '${origin}' are not allowed: start the gateway with --allow-origin ${origin} to let that page spend the wallet`,
      "invalid_request_error",
      "origin_not_allowed",
    );
  const site = header(headers, "sec-fetch-site");
  if (origin === undefined && (site === "cross-site" || site === "same-site"))
    return new GatewayError(403, "cross-site browser requests are not allowed", "invalid_request_error", "origin_not_allowed");
  return null;
}

/** CORS headers for a response to an allowed origin (none when the request has no allowed origin). */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin === undefined ? {} : { "access-control-allow-origin": origin, vary: "Origin" };
}

/** The answer to a CORS preflight from an allowed origin: the methods and the headers it asked for. */
export function preflightHeaders(headers: Headers, origin: string): Record<string, string> {
  return {
    ...corsHeaders(origin),
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": header(headers, "access-control-request-headers") ?? "authorization, content-type, idempotency-key",
    "access-control-max-age": "600",
  };
}

/** Refuses a body that is not declared `application/json` (a page can send `text/plain` without preflight). */
export function checkContentType(headers: Headers): GatewayError | null {
  const type = (header(headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return null;
  return new GatewayError(
    415,
    `Content-Type must be application/json, got '${type || "(none)"}'`,
    "invalid_request_error",
    "unsupported_media_type",
  );
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Refuses a request without `Authorization: Bearer <apiKey>` (constant-time compare); null when no key is set. */
export function checkApiKey(headers: Headers, apiKey: string | undefined): GatewayError | null {
  if (apiKey === undefined) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header(headers, "authorization") ?? "");
  if (match && timingSafeEqual(digest(match[1]!.trim()), digest(apiKey))) return null;
  return new GatewayError(
    401,
    match ? "Incorrect API key provided." : "Missing API key: send Authorization: Bearer <key> (the gateway's --api-key).",
    "invalid_request_error",
    "invalid_api_key",
  );
}
