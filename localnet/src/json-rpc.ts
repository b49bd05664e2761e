/** JSON-RPC 2.0 as the endpoint speaks it, over HTTP and over WebSocket. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON-RPC error object: a method throws one to answer with it. */
export type RpcFailure = { code: number; message: string; data?: Json };

export type JsonRpcRequest = { id?: Json; method?: string; params?: Json[] };

export type RpcMethod = (params: Json[]) => Promise<Json>;

/** The answer to a body that is not JSON. */
export const PARSE_ERROR: Json = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } };

/** The answer to a method the endpoint does not serve. */
export function methodNotFound(id: Json, method: string | undefined): Json {
  return { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } };
}

/**
 * Runs one request against `methods`: the result, the error a method threw, or -32603 with its text.
 *
 * @example
 * await answerRequest(methods, { jsonrpc: "2.0", id: 1, method: "getSlot" }); // { jsonrpc: "2.0", id: 1, result: 42 }
 */
export async function answerRequest(methods: Readonly<Record<string, RpcMethod>>, request: JsonRpcRequest): Promise<Json> {
  const id = request.id ?? null;
  const method = methods[request.method ?? ""];
  if (!method) return methodNotFound(id, request.method);
  try {
    return { jsonrpc: "2.0", id, result: await method(request.params ?? []) };
  } catch (e) {
    const failure: RpcFailure =
      typeof e === "object" && e !== null && "code" in e ? (e as RpcFailure) : { code: -32603, message: String(e) };
    return { jsonrpc: "2.0", id, error: failure as unknown as Json };
  }
}
