/**
 * The gateway's failover between two real provider nodes (`chainference serve`, each its own process with sessions
 * on) on one `chainference localnet` with 40 ms slots: the first call opens a session with the best eligible server;
 * that node is then killed; the next call fails over to the other server (a session opened there) and answers. At
 * shutdown the dead node's session is closed by the forced path (request close, grace window, close) and the live
 * one cooperatively: the wallet ends at exactly its start minus what the second server was paid and four fees (two
 * opens, the request close and the close); the killed node never settled, so its answer cost the client nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "@solana/kit";
import { createRpcChain, type Chain } from "@chainference/client";
import { fetchSessionAccount } from "@chainference/client/sessions";
import { untilOpenSlotExpired } from "../helpers/open-slot";
import { freePort } from "../helpers/provider-harness";
import { isolatedEnv, keypairAddress, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";

const TX_FEE = 5_000n;

type SessionField = { chainference: { session: Address; answer: number; cost: string; session_total: string; server: Address } };

/** Resolves with the exit code once `daemon` has exited (no SIGKILL timer: a forced close waits out a grace window). */
function exitOf(daemon: CliDaemon): Promise<number | null> {
  return daemon.child.exitCode !== null ? Promise.resolve(daemon.child.exitCode) : new Promise((r) => daemon.child.once("close", r));
}

describe("gateway failover between two real nodes", () => {
  let localnet: CliDaemon;
  const nodes = new Map<Address, CliDaemon>();
  let gateway: CliDaemon;
  let openai: OpenAI;
  let chain: Chain;
  let wallet: Address;
  let start: bigint;
  let first: SessionField["chainference"];
  let second: SessionField["chainference"];

  const ask = async (content: string) => {
    const completion = await openai.chat.completions.create({ model: "default", messages: [{ role: "user", content }], max_tokens: 8 });
    expect(completion.choices[0]!.message.content!.trim().length).toBeGreaterThan(0);
    return (completion as unknown as SessionField).chainference;
  };

  beforeAll(async () => {
    const env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-gateway-failover-"));
    const client = writeKeypairFile(keys, "client");
    wallet = keypairAddress(client);
    localnet = startCli(["localnet", "--port", "0", "--keypair", join(keys, "admin.json"), "--slot-ms", "40"], { env });
    const rpcUrl = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/, 180_000))[1]!;
    await localnet.waitFor(/^Ready\./m, 180_000);
    chain = createRpcChain(rpcUrl, { pollMs: 50 });
    await chain.airdrop(wallet, 1_000_000_000n);
    for (const name of ["operator-a", "operator-b"]) {
      const operator = writeKeypairFile(keys, name);
      await chain.airdrop(keypairAddress(operator), 1_000_000_000n);
      const port = await freePort();
      const config = join(keys, `${name}-node.json`);
      writeFileSync(config, JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, concurrency: 1, sessions: { port } }));
      const node = startCli(["serve", "--url", rpcUrl, "--keypair", operator, "--config", config], { env });
      const server = (await node.waitFor(/Serving as server (\w+)/, 180_000))[1] as Address;
      nodes.set(server, node);
    }
    start = await chain.getBalance(wallet);
    gateway = startCli(["gateway", "--port", "0", "--url", rpcUrl, "--keypair", client, "--deposit", "0.01"], { env });
    const [, base] = await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+\/v1)/, 120_000);
    openai = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0, timeout: 120_000 });
  }, 400_000);

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) await gateway.stop();
    for (const node of nodes.values()) await node.stop();
    expect(await localnet?.stop()).toBe(0);
  });

  it("the first call opens a session with one of the two servers", async () => {
    first = await ask("Say hello.");
    expect(nodes.has(first.server)).toBe(true);
    expect(first.answer).toBe(0);
  });

  it("once that node is killed, the next call fails over to the other server in a new session and answers", async () => {
    // Given the first server's node killed mid-use (no graceful stop: its vouchers are never settled)
    const dead = nodes.get(first.server)!;
    dead.child.kill("SIGKILL");
    await exitOf(dead);
    // When
    second = await ask("Name a color.");
    // Then
    expect(second.server).not.toBe(first.server);
    expect(nodes.has(second.server)).toBe(true);
    expect(second.session).not.toBe(first.session);
    expect(second.answer).toBe(0);
    expect(gateway.output()).toContain(`server ${first.server} failed (`);
    // and the next call stays with the live server, in the same session
    const third = await ask("Name a fruit.");
    expect(third).toMatchObject({ server: second.server, session: second.session, answer: 1 });
    second = third;
  });

  it("shutdown closes the dead server's session by the forced path and the live one cooperatively: the wallet loses nothing but the live server's pay and four fees", async () => {
    // Given both open slots out of the 150-slot window, so each close frees its account and returns the rent
    await untilOpenSlotExpired(chain, second.session);
    // When
    gateway.child.kill("SIGINT");
    expect(await exitOf(gateway)).toBe(0);
    // Then
    const output = gateway.output();
    expect(output).toMatch(new RegExp(`closed session ${first.session} by the forced path \\(Cannot reach the session node`));
    expect(output).toContain(`closed session ${second.session} cooperatively by its node`);
    expect(await fetchSessionAccount(chain, first.session)).toBeNull();
    expect(await fetchSessionAccount(chain, second.session)).toBeNull();
    // the second server was paid exactly what its vouchers signed; the killed one nothing
    expect(await chain.getBalance(wallet)).toBe(start - BigInt(second.session_total) - 4n * TX_FEE);
  });
});
