/** The gateway's access checks and idempotency cache as pure functions: the edge cases the process tests do not reach. */
import { describe, expect, it } from "vitest";
import {
  checkApiKey,
  checkContentType,
  checkHost,
  checkOrigin,
  hostName,
  isLoopbackHost,
} from "../../cli/src/commands/gateway/request-guard";
import { callKeys, createIdempotencyCache, type RecordedResponse } from "../../cli/src/commands/gateway/idempotency-cache";
import { parseAccess } from "../../cli/src/commands/gateway/access-flags";

describe("Host header (DNS rebinding guard)", () => {
  it("parses names, ports and IPv6 brackets", () => {
    expect(hostName("LocalHost:8080")).toBe("localhost");
    expect(hostName("[::1]:8080")).toBe("::1");
    expect(hostName("::1")).toBe("::1");
    expect(hostName("example.com.")).toBe("example.com");
  });

  it("knows loopback names and addresses", () => {
    for (const h of ["localhost", "api.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]:80"]) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.168.1.2", "localhost.evil.example"]) expect(isLoopbackHost(h)).toBe(false);
  });

  it("allows IPs, loopback names, the bound host and --allow-host; refuses other names", () => {
    const check = (host: string | undefined, allow: string[] = [], bound = "127.0.0.1") => checkHost({ host }, bound, allow)?.status ?? 200;
    expect(check("127.0.0.1:8080")).toBe(200);
    expect(check("192.168.1.5:8080")).toBe(200);
    expect(check("localhost:8080")).toBe(200);
    expect(check("rebind.evil.example:8080")).toBe(403);
    expect(check("gw.lan:8080", [], "gw.lan")).toBe(200);
    expect(check("gateway.test", ["gateway.test"])).toBe(200);
    expect(check("a.corp.example", [".corp.example"])).toBe(200);
    expect(check("corp.example.evil", [".corp.example"])).toBe(403);
    expect(check(undefined)).toBe(400);
  });
});

describe("Origin, content type and API key", () => {
  it("refuses browser origins unless allowed, and cross-site fetches without one", () => {
    expect(checkOrigin({}, [])).toBeNull();
    expect(checkOrigin({ origin: "https://evil.example" }, [])?.status).toBe(403);
    expect(checkOrigin({ origin: "null" }, [])?.status).toBe(403);
    expect(checkOrigin({ origin: "https://App.example" }, ["https://app.example/"])).toBeNull();
    expect(checkOrigin({ origin: "https://any.example" }, ["*"])).toBeNull();
    expect(checkOrigin({ "sec-fetch-site": "cross-site" }, [])?.status).toBe(403);
    expect(checkOrigin({ "sec-fetch-site": "none" }, [])).toBeNull();
  });

  it("accepts only application/json bodies", () => {
    expect(checkContentType({ "content-type": "application/json; charset=utf-8" })).toBeNull();
    expect(checkContentType({ "content-type": "text/plain" })?.status).toBe(415);
    expect(checkContentType({ "content-type": "application/x-www-form-urlencoded" })?.status).toBe(415);
    expect(checkContentType({})?.status).toBe(415);
  });

  it("checks the bearer key only when one is set", () => {
    expect(checkApiKey({}, undefined)).toBeNull();
    expect(checkApiKey({ authorization: "Bearer k1" }, "k1")).toBeNull();
    expect(checkApiKey({ authorization: "bearer k1" }, "k1")).toBeNull();
    expect(checkApiKey({ authorization: "Bearer k2" }, "k1")).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect(checkApiKey({}, "k1")).toMatchObject({ status: 401, code: "invalid_api_key" });
  });

  it("requires an API key for a non-loopback --host and checks --allow-origin", () => {
    expect(() => parseAccess({ host: "0.0.0.0" }, {})).toThrow(/refusing to listen on 0\.0\.0\.0 without an API key/);
    expect(parseAccess({ host: "0.0.0.0" }, { CHAINFERENCE_GATEWAY_API_KEY: "k" }).apiKey).toBe("k");
    expect(parseAccess({ host: "::1" }, {}).apiKey).toBeUndefined();
    expect(() => parseAccess({ host: "127.0.0.1", allowOrigin: ["evil.example"] }, {})).toThrow(/--allow-origin/);
    expect(parseAccess({ host: "127.0.0.1", allowOrigin: ["https://a.example,http://localhost:3000"] }, {}).allowOrigins).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
  });
});

describe("idempotency cache", () => {
  const response = (n: number): RecordedResponse => ({ status: 200, headers: {}, chunks: [String(n)] });
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it("replays from the Idempotency-Key, or from the body only for an SDK retry", () => {
    expect(callKeys({ "idempotency-key": "k" }, "h")).toEqual({ recordAs: ["body:h", "key:k"], replayFrom: "key:k" });
    expect(callKeys({}, "h")).toEqual({ recordAs: ["body:h"], replayFrom: null });
    expect(callKeys({ "x-stainless-retry-count": "1" }, "h").replayFrom).toBe("body:h");
  });

  it("keeps paid calls, forgets unpaid ones, refuses a key reused with another body", async () => {
    const cache = createIdempotencyCache({ maxEntries: 8, ttlMs: 60_000 });
    cache.track(["key:a"], "h1", Promise.resolve(response(1)), () => true);
    cache.track(["key:b"], "h2", Promise.resolve(response(2)), () => false);
    await settle();
    expect(await cache.lookup("key:a", "h1")).toEqual(response(1));
    expect(cache.lookup("key:b", "h2")).toBeNull();
    expect(() => cache.lookup("key:a", "other")).toThrow(/different request body/);
  });

  it("is bounded by count and age", async () => {
    let now = 0;
    const cache = createIdempotencyCache({ maxEntries: 2, ttlMs: 1_000 }, () => now);
    for (const k of ["a", "b", "c"]) cache.track([`key:${k}`], k, Promise.resolve(response(1)), () => true);
    await settle();
    expect(cache.lookup("key:a", "a")).toBeNull();
    expect(cache.lookup("key:c", "c")).not.toBeNull();
    now = 2_000;
    expect(cache.lookup("key:c", "c")).toBeNull();
  });
});
