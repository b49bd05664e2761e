/**
 * probeServerLiveness against real HTTP endpoints on loopback: a node answering with this server's session
 * info, one answering for another server, one serving no sessions (404), a closed port, and servers without an
 * endpoint judged by their on-chain activity.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  probeServerLiveness,
  STALE_AFTER_SLOTS,
  type Server,
  type ServerWithAddress,
} from "@chainference/client";
import { encodeSessionInfo } from "@chainference/client/sessions";

const NOW = 10_000_000n;

/** The fields liveness reads, on an otherwise empty server record (the rest of the account does not matter here). */
function serverAt(address: Address, endpoint: string, lastActiveSlot: bigint, registeredSlot = 0n): ServerWithAddress {
  return { address, server: { endpoint, lastActiveSlot, registeredSlot } as Server };
}

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ http: HttpServer; url: string }> {
  const http = createServer(handler);
  return new Promise((resolve) =>
    http.listen(0, "127.0.0.1", () => resolve({ http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` })),
  );
}

describe("probeServerLiveness", () => {
  let self: Address;
  let other: Address;
  let node: { http: HttpServer; url: string };
  let notSessions: { http: HttpServer; url: string };

  beforeAll(async () => {
    [self, other] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]).then((s) => s.map((k) => k.address));
    node = await listen((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify(
          encodeSessionInfo({
            // Served at /paused/…: the node takes no new work now (idle-time serving)
            ...(req.url?.startsWith("/paused/") ? { paused: "CPU busy with other work: 85 % (serves below 30 %)" } : {}),
            programId: CHAINFERENCE_PROGRAM_ADDRESS,
            server: self,
            operator: other,
            serverKey: new Uint8Array(32).fill(7),
            keyEpoch: 0,
            models: [],
            creditWindowLamports: 50_000n,
            settle: { thresholdLamports: 1_000_000n, intervalMs: 600_000 },
          }),
        ),
      );
    });
    notSessions = await listen((_req, res) => {
      res.statusCode = 404;
      res.end("not found");
    });
  });

  afterAll(() => {
    node.http.close();
    notSessions.http.close();
  });

  it("is live when the endpoint answers with this server's session info", async () => {
    const liveness = await probeServerLiveness(serverAt(self, node.url, 0n), { currentSlot: NOW });
    expect(liveness).toMatchObject({ state: "live", stale: false });
    expect(liveness.detail).toMatch(/^endpoint answered in \d+ ms$/);
    expect(liveness.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("is paused, and not pickable, when the node says it takes no new work, with its reason", async () => {
    const liveness = await probeServerLiveness(serverAt(self, `${node.url}/paused`, 0n), { currentSlot: NOW });
    expect(liveness).toMatchObject({
      state: "paused",
      stale: true,
      detail: "paused: CPU busy with other work: 85 % (serves below 30 %)",
    });
  });

  it("is unreachable when the endpoint answers for another server", async () => {
    const liveness = await probeServerLiveness(serverAt(other, node.url, NOW), { currentSlot: NOW });
    expect(liveness).toEqual({
      state: "unreachable",
      stale: true,
      detail: `endpoint ${node.url} answers for another server (${self})`,
      latencyMs: null,
    });
  });

  it("is unreachable when nothing listens, within the timeout", async () => {
    const started = Date.now();
    const liveness = await probeServerLiveness(serverAt(self, "http://127.0.0.1:9", NOW), { currentSlot: NOW, timeoutMs: 800 });
    expect(liveness).toMatchObject({
      state: "unreachable",
      stale: true,
      detail: "endpoint http://127.0.0.1:9 did not answer within 800 ms",
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("falls back to on-chain activity when the endpoint serves no sessions", async () => {
    const recent = await probeServerLiveness(serverAt(self, notSessions.url, NOW - 10n), { currentSlot: NOW });
    expect(recent).toEqual({
      state: "recent",
      stale: false,
      detail: `endpoint ${notSessions.url} serves no sessions; active on-chain 10 slots ago`,
      latencyMs: null,
    });
    const quiet = await probeServerLiveness(serverAt(self, notSessions.url, NOW - STALE_AFTER_SLOTS - 1n), { currentSlot: NOW });
    expect(quiet).toMatchObject({ state: "quiet", stale: true });
  });

  it("judges a server without an endpoint by its latest activity or registration", async () => {
    expect(await probeServerLiveness(serverAt(self, "", NOW - STALE_AFTER_SLOTS), { currentSlot: NOW })).toMatchObject({ state: "recent" });
    const days = await probeServerLiveness(serverAt(self, "", 0n, NOW - 3n * 216_000n), { currentSlot: NOW });
    expect(days).toEqual({ state: "quiet", stale: true, detail: "no on-chain activity for ~3 days", latencyMs: null });
  });
});
