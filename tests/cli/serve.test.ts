/**
 * `chainference serve` as its own process against a `chainference localnet` without a provider: it
 * registers the operator's server, answers a client's `ask`, and stops cleanly on Ctrl-C.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcChain } from "@chainference/client";
import { isolatedEnv, keypairAddress, runCli, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";

describe("chainference serve", () => {
  let localnet: CliDaemon;
  let serve: CliDaemon;
  let url: string;
  let client: string;
  let operator: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-serve-"));
    const admin = writeKeypairFile(keys, "admin");
    operator = writeKeypairFile(keys, "operator");
    client = writeKeypairFile(keys, "client");
    localnet = startCli(["localnet", "--port", "0", "--keypair", admin], { env });
    url = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/, 120_000))[1]!;
    await localnet.waitFor(/^Ready\./m);
    const chain = createRpcChain(url, { pollMs: 50 });
    await chain.airdrop(keypairAddress(operator), 1_000_000_000n);
    await chain.airdrop(keypairAddress(client), 1_000_000_000n);
    serve = startCli(["serve", "--url", url, "--keypair", operator, "--serve-hours", "00:00-24:00", "--rotate-key-every", "7d"], {
      env: { ...env, CHAINFERENCE_KEYRING_PASSPHRASE: "cli test passphrase" },
    });
    await serve.waitFor(/Serving as server \w+/, 120_000);
  }, 300_000);

  afterAll(async () => {
    await serve?.stop();
    expect(await localnet?.stop()).toBe(0);
  });

  it("refuses an unfunded operator in one line before loading the model or writing a keyring", async () => {
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-serve-unfunded-"));
    const unfunded = writeKeypairFile(keys, "unfunded");
    const address = keypairAddress(unfunded);
    const result = await runCli(["serve", "--url", url, "--keypair", unfunded], { env, timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `chainference: operator ${address} holds 0 SOL on ${url}: fund it before serving (registering pays the server account's rent; each answer pays fees and its response's rent): e.g. solana airdrop 1 ${address} --url ${url}`,
    );
    expect(result.stderr).not.toMatch(/loading the weights/);
    expect(existsSync(join(env.HOME!, ".config", "chainference", `server-keyring-${address}.json`))).toBe(false);
  });

  it("shows the model loading, then registers the operator's server", () => {
    expect(serve.output()).toMatch(/loading the weights: done/);
    expect(serve.output()).toMatch(/registered: key epoch 0, serving QuantFactory\/SmolLM2-135M-Instruct-GGUF/);
  });

  it("states its idle policy, key rotation and encrypted keyring, and writes the keyring encrypted", async () => {
    await serve.waitFor(/keyring encrypted at rest/);
    expect(serve.output()).toContain(
      "serving only when idle (hours 00:00-24:00); key rotated every 604,800 s; keyring encrypted at rest; 'chainference serve pause' pauses by hand.",
    );
    const keyring = join(env.HOME!, ".config", "chainference", `server-keyring-${keypairAddress(operator)}.json`);
    expect(readFileSync(keyring).subarray(0, 4).toString("latin1")).toBe("CFKR");
  });

  it("says which device runs the model: gpu auto resolves to the CPU on this machine", () => {
    // the default config: gpu auto, concurrency 4 (one slot each), every core but one for llama.cpp
    expect(serve.output()).toMatch(/ {2}llama\.cpp on the CPU: 0\/\d+ layers on the GPU, 4 slots, \d+ threads?\n/);
    expect(serve.output()).toMatch(/serving QuantFactory\/SmolLM2-135M-Instruct-GGUF\S* Q4_1 \(llama\.cpp on the CPU: 0\/\d+ layers/);
  });

  it("refuses an unknown --gpu value as a usage error, naming the choices", async () => {
    const result = await runCli(["serve", "--gpu", "rocm", "--url", url], { env, timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are auto, cuda, vulkan, cpu");
  });

  it("answers a request from another process and settles it", async () => {
    const server = /Serving as server (\w+)/.exec(serve.output())![1]!;
    const result = await runCli(["ask", "Say yes.", "--max-tokens", "8", "--url", url, "--keypair", client], { env, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Locked by server ${server}`);
    expect(result.stdout).toMatch(/complete_request\s+server/);
    await serve.waitFor(/request \w+ completed \(/);
  });

  it("pauses and resumes the running node by hand ('serve pause|resume', the pause file beside its keyring)", async () => {
    const paused = await runCli(["serve", "pause", "--reason", "rendering", "--keypair", operator], { env, timeoutMs: 60_000 });
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/Paused the node using .*server-keyring-\w+\.json/);
    await serve.waitFor(/paused: paused by the operator: rendering; taking no new requests or session answers/, 30_000);
    const resumed = await runCli(["serve", "resume", "--keypair", operator], { env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    await serve.waitFor(/serving again: taking new requests and session answers/, 30_000);
  });

  it("refuses bad idle flags as usage errors", async () => {
    const hours = await runCli(["serve", "--serve-hours", "nights", "--url", url], { env, timeoutMs: 60_000 });
    expect(hours.code).toBe(2);
    expect(hours.stderr).toContain('--serve-hours: serve hours "nights": "nights" must be a window like 22:00-07:00');
    const cpu = await runCli(["serve", "--idle-cpu-below", "150%", "--url", url], { env, timeoutMs: 60_000 });
    expect(cpu.code).toBe(2);
    expect(cpu.stderr).toContain("--idle-cpu-below must be a percentage above 0 and at most 100, such as 30%, got '150%'");
  });

  it("stops on Ctrl-C after finishing the answers in progress, exit 0", async () => {
    expect(await serve.stop()).toBe(0);
    expect(serve.output()).toMatch(/server marked inactive on-chain: it leaves allow-lists/);
    expect(serve.output()).toContain("Provider node stopped.");
  });
});
