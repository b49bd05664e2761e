/**
 * `npm run bench:history [-- --requests 10,100,300]`: what `fetchHistory` costs on the local network (the real
 * program on LiteSVM served over JSON-RPC on 127.0.0.1, real crypto). For each N, a fresh wallet makes N requests,
 * each answered in 3 chunks and completed through the SDK's server-side calls (on the in-process chain, so the
 * set-up is quick); then the history is read once through the RPC endpoint. Reports JSON-RPC calls by method
 * (counted at the endpoint) and wall time. No model, no quiet machine needed: numbers are RPC round trips.
 */
import { parseArgs } from "node:util";
import { createRpcChain, fetchHistory, postRequest } from "@chainference/client";
import { startFaultProxy } from "../tests/helpers/fault-proxy";
import {
  PRICE_IN,
  PRICE_OUT,
  TEST_MODEL,
  answerWithSdk,
  fundedSigner,
  listingsOf,
  payload,
  registerOperator,
  startLocalNetwork,
} from "../tests/helpers/local-network";

const { values } = parseArgs({ options: { requests: { type: "string", default: "10,100" } } });
const sizes = values.requests.split(",").map(Number);

const network = await startLocalNetwork();
const proxy = await startFaultProxy({ target: network.rpc.url, rate: 0 });
const rpcChain = createRpcChain(proxy.url, { pollMs: 5, wsUrl: null });
const op = await registerOperator(network);
const servers = await listingsOf(network.chain, [op]);
const rows: string[] = [];
for (const n of sizes) {
  const client = await fundedSigner(network.chain, 100n * 1_000_000_000n);
  for (let i = 0; i < n; i++) {
    const posted = await postRequest(network.chain, {
      client,
      model: TEST_MODEL,
      payload: payload(`question ${i}`),
      servers,
      stake: 1_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
    });
    await answerWithSdk(network.chain, op, posted.address, ["an ", "answer"]);
  }
  const before = { ...proxy.stats.byMethod };
  const started = performance.now();
  const history = await fetchHistory(rpcChain, client);
  const ms = performance.now() - started;
  if (history.length !== n || history.some((e) => e.status !== "completed" || !e.decrypted.response)) throw new Error("history incomplete");
  const calls = Object.entries(proxy.stats.byMethod)
    .map(([method, count]) => [method, count - (before[method] ?? 0)] as const)
    .filter(([, count]) => count > 0);
  const total = calls.reduce((sum, [, count]) => sum + count, 0);
  rows.push(`| ${n} | ${total} | ${calls.map(([m, c]) => `${m} ${c}`).join(", ")} | ${(ms / 1000).toFixed(2)} s |`);
  console.error(rows.at(-1));
}
console.log(["| requests | RPC calls | by method | wall time |", "| ---: | ---: | --- | ---: |", ...rows].join("\n"));
await proxy.close();
await network.close();
