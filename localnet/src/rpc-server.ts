/**
 * A Solana JSON-RPC endpoint over an in-process LiteSVM chain: HTTP JSON-RPC (./rpc-methods.ts) on
 * 127.0.0.1 and WebSocket subscriptions (./subscriptions.ts) beside it.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { LiteSvmChain } from "@chainference/client/litesvm";
import { answerRequest, PARSE_ERROR, type Json } from "./json-rpc";
import { createRpcMethods } from "./rpc-methods";
import { createSubscriptions } from "./subscriptions";
import { loadWebSocketServer } from "./websocket";

/**
 * A Solana JSON-RPC endpoint (the subset wallets, @solana/kit and the Chainference SDK use)
 * over an in-process LiteSVM chain, so separate processes (a provider node, a client CLI) can
 * share one local chain at http://127.0.0.1:PORT like they would a validator. Like a validator's RPC it
 * answers browsers from any origin (CORS, with preflight), so the web app works against it.
 */
export type LocalRpcServer = {
  readonly url: string;
  readonly port: number;
  /**
   * WebSocket JSON-RPC (account/program subscriptions), or null when the `ws` package is not installed.
   * Served on port+1 as the Solana CLI derives it (so `createRpcChain(url)` finds it), and on `port` itself
   * when port+1 was taken.
   */
  readonly wsUrl: string | null;
  close(): Promise<void>;
};

const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

/**
 * Serves `chain` over HTTP JSON-RPC on 127.0.0.1 (port 0 picks a free port).
 *
 * @example
 * const server = await startLocalRpcServer(createLiteSvmChain({ programs }), 0);
 * const chain = createRpcChain(server.url);
 */
export async function startLocalRpcServer(chain: LiteSvmChain, port = 8899): Promise<LocalRpcServer> {
  const methods = createRpcMethods(chain);
  const WebSocketServer = loadWebSocketServer();
  const wss = WebSocketServer ? new WebSocketServer({ noServer: true }) : null;
  const subscriptions = createSubscriptions(chain);
  const upgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!wss) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, subscriptions.onSocket);
  };

  const server: Server = createServer((req, res) => {
    // Browsers (the web app) may call it from any origin, as a validator's RPC allows: nothing here is secret.
    res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS") {
      res
        .writeHead(204, {
          "access-control-allow-methods": "POST, OPTIONS",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
          "access-control-max-age": "86400",
        })
        .end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      let body: Json;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"), (_k, v) => v);
        body = Array.isArray(parsed)
          ? await Promise.all(parsed.map((r) => answerRequest(methods, r)))
          : await answerRequest(methods, parsed);
      } catch {
        body = PARSE_ERROR;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  server.on("upgrade", upgrade);
  // The Solana CLI's rule (and createRpcChain's default): WebSocket on port+1. Best effort; else same port.
  let wsServer: Server | null = null;
  if (wss) {
    const candidate = createServer((_req, res) => void res.writeHead(426).end());
    candidate.on("upgrade", upgrade);
    wsServer = await new Promise<Server | null>((resolve) => {
      candidate.once("error", () => resolve(null));
      candidate.listen(actual + 1, "127.0.0.1", () => resolve(candidate));
    });
  }
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    wsUrl: wss ? `ws://127.0.0.1:${wsServer ? actual + 1 : actual}` : null,
    close: async () => {
      subscriptions.close();
      wss?.close();
      await Promise.all([closeServer(server), ...(wsServer ? [closeServer(wsServer)] : [])]);
    },
  };
}
