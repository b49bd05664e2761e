/** The `ws` package, loaded when installed (it comes with @solana/kit; untyped in this repo). */
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";

/** The subset of a `ws` socket used here. */
export type WsSocket = {
  readyState: number;
  send(data: string): void;
  on(event: string, listener: (...args: any[]) => void): void;
  close(): void;
};

/** The subset of `ws`'s WebSocketServer used here. */
export type WsServer = {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, done: (ws: WsSocket) => void): void;
  close(): void;
};

/** `ws`'s WebSocketServer when the package is installed, else null. */
export function loadWebSocketServer(): (new (options: { noServer: true }) => WsServer) | null {
  try {
    return (createRequire(import.meta.url)("ws") as { WebSocketServer: new (options: { noServer: true }) => WsServer }).WebSocketServer;
  } catch {
    return null;
  }
}
