import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo, Socket } from "node:net";
import {
  getBase58Decoder,
  getBase58Encoder,
  getBase64Decoder,
  getBase64Encoder,
  getTransactionDecoder,
  type Address,
  type EncodedAccount,
  type Signature,
} from "@solana/kit";
import { isTransactionFailed, matchesQuery, type MemcmpFilter, type ProgramAccountsQuery } from "@chainference/client";
import type { LiteSvmChain } from "@chainference/client/litesvm";

/**
 * A Solana JSON-RPC endpoint (the subset wallets, @solana/kit and the Chainference SDK use)
 * over an in-process LiteSVM chain, so separate processes (a provider node, a client CLI) can
 * share one local chain at http://127.0.0.1:PORT like they would a validator.
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

/** The subset of the `ws` package used here (a dependency of @solana/kit's WebSocket channel; untyped in this repo). */
type WsSocket = { readyState: number; send(data: string): void; on(event: string, listener: (...args: any[]) => void): void; close(): void };
type WsServer = {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, done: (ws: WsSocket) => void): void;
  close(): void;
};

/** `ws`'s WebSocketServer when the package is installed (it comes with @solana/kit), else null. */
function loadWebSocketServer(): (new (options: { noServer: true }) => WsServer) | null {
  try {
    return (createRequire(import.meta.url)("ws") as { WebSocketServer: new (options: { noServer: true }) => WsServer }).WebSocketServer;
  } catch {
    return null;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type RpcFailure = { code: number; message: string; data?: Json };

const b58e = getBase58Encoder();
const b58d = getBase58Decoder();
const b64e = getBase64Encoder();
const b64d = getBase64Decoder();
const txDecoder = getTransactionDecoder();

const encodeData = (data: Uint8Array, encoding: string): Json =>
  encoding === "base58" ? [b58d.decode(data), "base58"] : [b64d.decode(data), "base64"];

/**
 * A transaction failure in the JSON form validators send (`{"InstructionError":[0,{"Custom":12}]}`,
 * `{"InstructionError":[0,"MissingRequiredSignature"]}`, `"BlockhashNotFound"`), which @solana/kit
 * decodes into named errors; LiteSVM reports these as Rust debug text.
 */
export function rpcTransactionError(failure: { customCode: number | null; instructionIndex: number | null; reason: string }): Json {
  const index = failure.instructionIndex ?? 0;
  if (failure.customCode !== null) return { InstructionError: [index, { Custom: failure.customCode }] };
  const instruction = /^TransactionErrorInstructionError \{ index: \d+, error: (\w+) \}$/.exec(failure.reason);
  if (instruction?.[1]) return { InstructionError: [index, instruction[1]] };
  const withAccount = /^TransactionError(\w+) \{ account_index: (\d+) \}$/.exec(failure.reason);
  if (withAccount?.[1]) return { [withAccount[1]]: { account_index: Number(withAccount[2]) } };
  const fieldless = /^(?:TransactionError)?(\w+)$/.exec(failure.reason);
  return fieldless?.[1] ?? failure.reason;
}

type RpcFilter = { dataSize?: number; memcmp?: { offset: number; bytes: string; encoding?: string } };

/** `getProgramAccounts` / `programSubscribe` filters as a query (memcmp bytes in base58 unless said otherwise). */
function parseFilters(filters: readonly RpcFilter[] = []): ProgramAccountsQuery {
  const memcmp: MemcmpFilter[] = [];
  let dataSize: number | undefined;
  for (const f of filters) {
    if (f.dataSize !== undefined) dataSize = Number(f.dataSize);
    if (f.memcmp) memcmp.push({ offset: Number(f.memcmp.offset), bytes: f.memcmp.encoding === "base64" ? b64e.encode(f.memcmp.bytes) : b58e.encode(f.memcmp.bytes) });
  }
  return { ...(dataSize === undefined ? {} : { dataSize }), memcmp };
}

/** Serves `chain` over HTTP JSON-RPC on 127.0.0.1 (port 0 picks a free port). */
export async function startLocalRpcServer(chain: LiteSvmChain, port = 8899): Promise<LocalRpcServer> {
  const statuses = new Map<Signature, { slot: bigint; err: Json }>();
  const ctx = async () => ({ slot: Number(await chain.getSlot()), apiVersion: "2.2.0" });
  const accountJson = (a: { lamports: bigint; owner: Address; data: Uint8Array | ArrayLike<number>; executable: boolean }, encoding: string): Json => ({
    data: encodeData(Uint8Array.from(a.data as ArrayLike<number>), encoding),
    executable: a.executable,
    lamports: Number(a.lamports),
    owner: a.owner,
    rentEpoch: 0,
    space: (a.data as Uint8Array).length,
  });

  const methods: Record<string, (params: Json[]) => Promise<Json>> = {
    getHealth: async () => "ok",
    getVersion: async () => ({ "solana-core": "2.2.0-litesvm", "feature-set": 0 }),
    getGenesisHash: async () => "LiteSVM1111111111111111111111111111111111111",
    getSlot: async () => Number(await chain.getSlot()),
    getBlockHeight: async () => Number(await chain.getSlot()),
    getEpochInfo: async () => {
      const slot = Number(await chain.getSlot());
      return { absoluteSlot: slot, blockHeight: slot, epoch: 0, slotIndex: slot, slotsInEpoch: 432000, transactionCount: null };
    },
    getLatestBlockhash: async () => {
      const slot = await chain.getSlot();
      return { context: await ctx(), value: { blockhash: chain.svm.latestBlockhash(), lastValidBlockHeight: Number(slot + 150n) } };
    },
    isBlockhashValid: async () => ({ context: await ctx(), value: true }),
    getBalance: async ([address]) => ({ context: await ctx(), value: Number(await chain.getBalance(address as Address)) }),
    getMinimumBalanceForRentExemption: async ([size]) => Number(await chain.getMinimumBalanceForRentExemption(Number(size))),
    getAccountInfo: async ([address, config]) => {
      const account = await chain.getAccount(address as Address);
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base58";
      return { context: await ctx(), value: account ? accountJson(account as never, encoding) : null };
    },
    getMultipleAccounts: async ([addresses, config]) => {
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base64";
      const accounts = await chain.getAccounts(addresses as Address[]);
      return { context: await ctx(), value: accounts.map((a) => (a ? accountJson(a as never, encoding) : null)) };
    },
    getProgramAccounts: async ([program, config]) => {
      const cfg = (config ?? {}) as { encoding?: string; withContext?: boolean; filters?: RpcFilter[] };
      const accounts = await chain.getProgramAccounts(program as Address, parseFilters(cfg.filters));
      const list = accounts.map((a) => ({ pubkey: a.address, account: accountJson(a as never, cfg.encoding ?? "base64") }));
      return cfg.withContext ? { context: await ctx(), value: list } : list;
    },
    requestAirdrop: async ([address, amount]) => {
      await chain.airdrop(address as Address, BigInt(amount as number));
      // LiteSVM airdrops are not transactions with a usable signature: report a synthetic one.
      const signature = b58d.decode(crypto.getRandomValues(new Uint8Array(64))) as Signature;
      statuses.set(signature, { slot: await chain.getSlot(), err: null });
      return signature;
    },
    sendTransaction: async ([wire, config]) => {
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base58";
      const bytes = encoding === "base64" ? b64e.encode(wire as string) : b58e.encode(wire as string);
      try {
        const sent = chain.submit(txDecoder.decode(bytes));
        statuses.set(sent.signature, { slot: sent.slot, err: null });
        return sent.signature;
      } catch (e) {
        if (!isTransactionFailed(e)) throw e;
        const { logs } = e.failure;
        const err = rpcTransactionError(e.failure);
        throw { code: -32002, message: `Transaction simulation failed: ${e.message}`, data: { err, logs: [...logs], accounts: null, unitsConsumed: 0, returnData: null } } satisfies RpcFailure;
      }
    },
    getSignatureStatuses: async ([signatures]) => ({
      context: await ctx(),
      value: (signatures as string[]).map((s) => {
        const status = statuses.get(s as Signature);
        return status ? { slot: Number(status.slot), confirmations: null, err: status.err, status: { Ok: null }, confirmationStatus: "finalized" } : null;
      }),
    }),
    getSignaturesForAddress: async ([address, config]) => {
      const limit = (config as { limit?: number } | undefined)?.limit ?? 1000;
      const signatures = await chain.getSignaturesForAddress(address as Address, limit);
      return signatures.map((signature) => ({
        signature,
        slot: Number(chain.getLanded(signature)?.slot ?? 0n),
        err: null,
        memo: null,
        blockTime: null,
        confirmationStatus: "finalized",
      }));
    },
    getTransaction: async ([signature]) => {
      const landed = chain.getLanded(signature as Signature);
      if (!landed) return null;
      const keys = landed.accountKeys;
      return {
        slot: Number(landed.slot),
        blockTime: null,
        version: 0,
        transaction: {
          signatures: [landed.signature],
          message: {
            accountKeys: [...keys],
            header: { numRequiredSignatures: 0, numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: 0 },
            recentBlockhash: "11111111111111111111111111111111",
            instructions: landed.history.instructions.map((ix) => ({
              programIdIndex: keys.indexOf(ix.programAddress),
              accounts: ix.accounts.map((a) => keys.indexOf(a)),
              data: b58d.decode(ix.data),
              stackHeight: null,
            })),
            addressTableLookups: [],
          },
        },
        meta: {
          err: null,
          status: { Ok: null },
          fee: Number(landed.fee),
          preBalances: [],
          postBalances: [],
          innerInstructions: [],
          logMessages: [...landed.logs],
          computeUnitsConsumed: Number(landed.computeUnits ?? 0n),
          loadedAddresses: { writable: [], readonly: [] },
          rewards: [],
        },
      };
    },
  };

  const handle = async (request: { id?: Json; method?: string; params?: Json[] }): Promise<Json> => {
    const id = request.id ?? null;
    const method = methods[request.method ?? ""];
    if (!method) return { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${request.method}` } };
    try {
      return { jsonrpc: "2.0", id, result: await method(request.params ?? []) };
    } catch (e) {
      const failure: RpcFailure = typeof e === "object" && e !== null && "code" in e ? (e as RpcFailure) : { code: -32603, message: String(e) };
      return { jsonrpc: "2.0", id, error: failure as unknown as Json };
    }
  };

  // WebSocket subscriptions: pushed after each landed transaction that touches the account / a program account.
  const WebSocketServer = loadWebSocketServer();
  const wss = WebSocketServer ? new WebSocketServer({ noServer: true }) : null;
  let nextSubscription = 1;
  const subscriptions = new Map<number, { socket: WsSocket; stop: () => void }>();
  const notify = (socket: WsSocket, method: string, subscription: number, slot: bigint, value: Json) => {
    if (socket.readyState !== 1) return;
    socket.send(JSON.stringify({ jsonrpc: "2.0", method, params: { result: { context: { slot: Number(slot) }, value }, subscription } }));
  };
  const svmAccount = (a: EncodedAccount) => ({ lamports: a.lamports, owner: a.programAddress, data: a.data, executable: a.executable });
  const closedAccount = (encoding: string): Json =>
    accountJson({ lamports: 0n, owner: "11111111111111111111111111111111" as Address, data: new Uint8Array(), executable: false }, encoding);
  const subscribe = (socket: WsSocket, method: string, params: Json[]): Json => {
    const id = nextSubscription++;
    const encoding = (params[1] as { encoding?: string } | undefined)?.encoding ?? (method === "accountSubscribe" ? "base58" : "base64");
    if (method === "accountSubscribe") {
      const address = params[0] as Address;
      const stop = chain.onLanded((landed) => {
        if (!landed.accountKeys.includes(address)) return;
        const account = chain.svm.getAccount(address);
        notify(socket, "accountNotification", id, landed.slot, account.exists ? accountJson(svmAccount(account), encoding) : closedAccount(encoding));
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
  const sockets = new Set<WsSocket>();
  const onSocket = (socket: WsSocket) => {
    sockets.add(socket);
    socket.on("message", (raw: Buffer) => {
      let request: { id?: Json; method?: string; params?: Json[] };
      try {
        request = JSON.parse(raw.toString("utf8"));
      } catch {
        socket.send(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
        return;
      }
      const id = request.id ?? null;
      const method = request.method ?? "";
      if (method === "ping" || id === null) return; // kit's keep-alive; notifications need no answer
      let result: Json;
      if (method === "accountSubscribe" || method === "programSubscribe") result = subscribe(socket, method, request.params ?? []);
      else if (method === "accountUnsubscribe" || method === "programUnsubscribe") result = unsubscribe(socket, Number(request.params?.[0]));
      else {
        socket.send(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } }));
        return;
      }
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, result }));
    });
    socket.on("close", () => {
      sockets.delete(socket);
      for (const [id, entry] of subscriptions) if (entry.socket === socket) unsubscribe(socket, id);
    });
  };
  const upgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!wss) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, onSocket);
  };

  const server: Server = createServer((req, res) => {
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
        body = Array.isArray(parsed) ? await Promise.all(parsed.map(handle)) : await handle(parsed);
      } catch {
        body = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } };
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
  const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    wsUrl: wss ? `ws://127.0.0.1:${wsServer ? actual + 1 : actual}` : null,
    close: async () => {
      for (const [id, entry] of subscriptions) unsubscribe(entry.socket, id);
      for (const socket of sockets) socket.close();
      wss?.close();
      await Promise.all([closeServer(server), ...(wsServer ? [closeServer(wsServer)] : [])]);
    },
  };
}
