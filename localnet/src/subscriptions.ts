/**
 * WebSocket JSON-RPC: account and program subscriptions, pushed after each landed transaction that
 * touches the account / a program account.
 */
import type { Address } from "@solana/kit";
import { matchesQuery } from "@chainference/client";
import { type LiteSvmChain } from "@chainference/client/litesvm";
import { accountJson, closedAccountJson, svmAccount } from "./account-json";
import { methodNotFound, PARSE_ERROR, type Json, type JsonRpcRequest } from "./json-rpc";
import { parseFilters, type RpcFilter } from "./program-filters";
import type { WsSocket } from "./websocket";

export type Subscriptions = {
  /** Serves one connected socket until it closes. */
  onSocket(socket: WsSocket): void;
  /** Ends every subscription and closes every socket. */
  close(): void;
};

const notify = (socket: WsSocket, method: string, subscription: number, slot: bigint, value: Json) => {
  if (socket.readyState !== 1) return;
  socket.send(JSON.stringify({ jsonrpc: "2.0", method, params: { result: { context: { slot: Number(slot) }, value }, subscription } }));
};

/**
 * The subscription state of one endpoint: the open sockets and, by id, each subscription's socket
 * and the listener to stop.
 *
 * @example
 * const subscriptions = createSubscriptions(chain);
 * wss.handleUpgrade(req, socket, head, subscriptions.onSocket);
 */
export function createSubscriptions(chain: LiteSvmChain): Subscriptions {
  let nextSubscription = 1;
  const subscriptions = new Map<number, { socket: WsSocket; stop: () => void }>();
  const sockets = new Set<WsSocket>();

  const subscribe = (socket: WsSocket, method: string, params: Json[]): Json => {
    const id = nextSubscription++;
    const encoding = (params[1] as { encoding?: string } | undefined)?.encoding ?? (method === "accountSubscribe" ? "base58" : "base64");
    if (method === "accountSubscribe") {
      const address = params[0] as Address;
      const stop = chain.onLanded((landed) => {
        if (!landed.accountKeys.includes(address)) return;
        const account = chain.svm.getAccount(address);
        notify(
          socket,
          "accountNotification",
          id,
          landed.slot,
          account.exists ? accountJson(svmAccount(account), encoding) : closedAccountJson(encoding),
        );
      });
      subscriptions.set(id, { socket, stop });
      return id;
    }
    const program = params[0] as Address;
    const query = parseFilters((params[1] as { filters?: RpcFilter[] } | undefined)?.filters);
    const stop = chain.onLanded((landed) => {
      for (const address of new Set(landed.accountKeys)) {
        const account = chain.svm.getAccount(address);
        if (!account.exists || account.programAddress !== program || !matchesQuery(account.data, query)) continue;
        notify(socket, "programNotification", id, landed.slot, { pubkey: address, account: accountJson(svmAccount(account), encoding) });
      }
    });
    subscriptions.set(id, { socket, stop });
    return id;
  };

  const unsubscribe = (socket: WsSocket, id: number): boolean => {
    const entry = subscriptions.get(id);
    if (!entry || entry.socket !== socket) return false;
    entry.stop();
    subscriptions.delete(id);
    return true;
  };

  const onSocket = (socket: WsSocket) => {
    sockets.add(socket);
    socket.on("message", (raw: Buffer) => {
      let request: JsonRpcRequest;
      try {
        request = JSON.parse(raw.toString("utf8"));
      } catch {
        socket.send(JSON.stringify(PARSE_ERROR));
        return;
      }
      const id = request.id ?? null;
      const method = request.method ?? "";
      if (method === "ping" || id === null) return; // kit's keep-alive; notifications need no answer
      let result: Json;
      if (method === "accountSubscribe" || method === "programSubscribe") result = subscribe(socket, method, request.params ?? []);
      else if (method === "accountUnsubscribe" || method === "programUnsubscribe")
        result = unsubscribe(socket, Number(request.params?.[0]));
      else {
        socket.send(JSON.stringify(methodNotFound(id, method)));
        return;
      }
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, result }));
    });
    socket.on("close", () => {
      sockets.delete(socket);
      for (const [id, entry] of subscriptions) if (entry.socket === socket) unsubscribe(socket, id);
    });
  };

  return {
    onSocket,
    close: () => {
      for (const [id, entry] of subscriptions) unsubscribe(entry.socket, id);
      for (const socket of sockets) socket.close();
    },
  };
}
