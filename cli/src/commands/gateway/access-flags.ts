/** `chainference gateway`'s access flags (--host, --api-key, --allow-origin, --allow-host), checked before anything starts. */
import { usageError } from "../../shared/errors/cli-error";
import { isLoopbackHost } from "./request-guard";

export type GatewayAccess = {
  readonly host: string;
  readonly apiKey: string | undefined;
  readonly allowOrigins: readonly string[];
  readonly allowHosts: readonly string[];
};

const list = (values: readonly string[] = []) =>
  values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * Reads the access flags; refuses a non-loopback `--host` without an API key, and origins that are not
 * `scheme://host[:port]` (or `*`).
 *
 * @example
 * parseAccess({ host: "0.0.0.0", apiKey: "k" }, {}); // { host: "0.0.0.0", apiKey: "k", allowOrigins: [], allowHosts: [] }
 */
export function parseAccess(
  flags: { host: string; apiKey?: string; allowOrigin?: string[]; allowHost?: string[] },
  env: Readonly<Record<string, string | undefined>>,
): GatewayAccess {
  const apiKey = flags.apiKey || env.CHAINFERENCE_GATEWAY_API_KEY || undefined;
  const host = flags.host.trim();
  if (!host) throw usageError("--host must be an address, for example 127.0.0.1");
  if (!isLoopbackHost(host) && apiKey === undefined)
    throw usageError(
      `refusing to listen on ${host} without an API key: anyone who reaches it could spend the wallet; set --api-key or CHAINFERENCE_GATEWAY_API_KEY, or keep the default --host 127.0.0.1`,
    );
  const allowOrigins = list(flags.allowOrigin);
  for (const origin of allowOrigins)
    if (origin !== "*" && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\/?$/i.test(origin))
      throw usageError(`--allow-origin '${origin}' must look like https://app.example or http://localhost:3000 (or *)`);
  return { host, apiKey, allowOrigins, allowHosts: list(flags.allowHost) };
}
