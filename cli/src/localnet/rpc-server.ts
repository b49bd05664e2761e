import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  getBase58Decoder,
  getBase58Encoder,
  getBase64Decoder,
  getBase64Encoder,
  getTransactionDecoder,
  type Address,
  type Signature,
} from "@solana/kit";
import { isTransactionFailed, type LiteSvmChain, type MemcmpFilter } from "@chainference/client";

/**
 * A Solana JSON-RPC endpoint (the subset wallets, @solana/kit and the Chainference SDK use)
 * over an in-process LiteSVM chain, so separate processes (a provider node, a client CLI) can
 * share one local chain at http://127.0.0.1:PORT like they would a validator.
 */
export type LocalRpcServer = { readonly url: string; readonly port: number; close(): Promise<void> };

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
      const cfg = (config ?? {}) as { encoding?: string; withContext?: boolean; filters?: { dataSize?: number; memcmp?: { offset: number; bytes: string; encoding?: string } }[] };
      const memcmp: MemcmpFilter[] = [];
      let dataSize: number | undefined;
      for (const f of cfg.filters ?? []) {
        if (f.dataSize !== undefined) dataSize = Number(f.dataSize);
        if (f.memcmp) memcmp.push({ offset: Number(f.memcmp.offset), bytes: f.memcmp.encoding === "base64" ? b64e.encode(f.memcmp.bytes) : b58e.encode(f.memcmp.bytes) });
      }
      const accounts = await chain.getProgramAccounts(program as Address, { ...(dataSize === undefined ? {} : { dataSize }), memcmp });
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
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
