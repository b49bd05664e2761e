/**
 * An HTTP proxy on 127.0.0.1 in front of a JSON-RPC endpoint that injects faults: it drops the
 * connection before forwarding (the request never arrives), drops it after forwarding (the request was
 * served, the answer is lost), answers HTTP 503, or answers a JSON-RPC internal error (-32603).
 *
 * Faults are drawn from a seeded PRNG at `rate`, and bounded: never more than `maxConsecutive` faults in
 * a row, so a client that retries more than that many times always gets through. `faultNext` forces the
 * next N matching requests to fail one way (for exact scenarios).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "drop-request" | "drop-response" | "http-503" | "json-rpc-error";
export const ALL_FAULTS: readonly FaultKind[] = ["drop-request", "drop-response", "http-503", "json-rpc-error"];

export type FaultProxyOptions = {
  /** Upstream JSON-RPC URL (http://127.0.0.1:PORT). */
  readonly target: string;
  /** Probability that a matching request is faulted (0..1). */
  readonly rate?: number;
  readonly kinds?: readonly FaultKind[];
  readonly seed?: number;
  /** Upper bound on faults in a row (any method). */
  readonly maxConsecutive?: number;
  /** Only these JSON-RPC methods are faulted (all when absent). */
  readonly methods?: readonly string[];
  /** Called for every request with its method and the fault chosen (null when forwarded). */
  readonly onRequest?: (method: string, fault: FaultKind | null) => void;
};

export type FaultStats = { requests: number; forwarded: number; faults: Record<FaultKind, number>; byMethod: Record<string, number> };

export type FaultProxy = {
  readonly url: string;
  readonly stats: FaultStats;
  setRate(rate: number): void;
  /** The next `count` requests for `method` (any when null) fail with `kind`, regardless of rate and bound. */
  faultNext(count: number, kind: FaultKind, method?: string | null): void;
  close(): Promise<void>;
};

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const kinds = options.kinds ?? ALL_FAULTS;
  const maxConsecutive = options.maxConsecutive ?? 2;
  const random = prng(options.seed ?? 1);
  let rate = options.rate ?? 0;
  let consecutive = 0;
  const forced: { count: number; kind: FaultKind; method: string | null }[] = [];
  const stats: FaultStats = {
    requests: 0,
    forwarded: 0,
    faults: { "drop-request": 0, "drop-response": 0, "http-503": 0, "json-rpc-error": 0 },
    byMethod: {},
  };

  const forward = (body: Buffer) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        async (res) => resolve({ status: res.statusCode ?? 502, body: await readBody(res) }),
      );
      upstream.on("error", reject);
      upstream.end(body);
    });

  const pickFault = (method: string): FaultKind | null => {
    const index = forced.findIndex((f) => f.method === null || f.method === method);
    if (index >= 0) {
      const f = forced[index]!;
      if (--f.count === 0) forced.splice(index, 1);
      return f.kind;
    }
    if (options.methods && !options.methods.includes(method)) return null;
    if (consecutive >= maxConsecutive || random() >= rate) return null;
    return kinds[Math.floor(random() * kinds.length)]!;
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    let parsed: { id?: unknown; method?: string } = {};
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      // forwarded as is
    }
    const method = parsed.method ?? "?";
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const fault = pickFault(method);
    consecutive = fault ? consecutive + 1 : 0;
    if (fault) stats.faults[fault]++;
    options.onRequest?.(method, fault);
    try {
      switch (fault) {
        case "drop-request":
          req.socket.destroy();
          return;
        case "http-503":
          res.writeHead(503, { "content-type": "text/plain" }).end("injected 503");
          return;
        case "json-rpc-error":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id ?? null, error: { code: -32603, message: "Internal error (injected)" } }));
          return;
        case "drop-response":
          await forward(body);
          stats.forwarded++;
          req.socket.destroy();
          return;
        default: {
          const answer = await forward(body);
          stats.forwarded++;
          res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
        }
      }
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setRate(next) {
      rate = next;
    },
    faultNext(count, kind, method = null) {
      forced.push({ count, kind, method });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
