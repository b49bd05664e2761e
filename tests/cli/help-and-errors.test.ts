/**
 * The `chainference` binary's help and its failure mode: every bad flag or input ends as ONE line on
 * stderr saying what to do, with a non-zero exit (2 for usage errors).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli, writeKeypairFile, type CliResult } from "./cli-process";

/** The one line the command printed on stderr (and that there was exactly one). */
function oneErrorLine(result: CliResult): string {
  const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, `stderr:\n${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^chainference: /);
  return lines[0]!;
}

const COMMANDS = [
  "demo",
  "localnet",
  "keygen",
  "airdrop",
  "servers",
  "ask",
  "history",
  "cancel",
  "expire",
  "rate",
  "admin",
  "serve",
  "gateway",
  "web",
];

describe("chainference --help", () => {
  it("lists every command with examples and the global options", async () => {
    // When the root help is asked for
    const result = await runCli(["--help"]);
    // Then it exits 0 and names each command, the global options and examples
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
    for (const option of ["--url", "--keypair", "--json", "--verbose"]) expect(result.stdout).toContain(option);
    expect(result.stdout).toContain("Examples:");
  });

  it("says --url defaults to localnet, as the README and the behaviour do", async () => {
    // When the root help is asked for
    const result = await runCli(["--help"]);
    // Then the --url line names localnet as the fallback and never mainnet-beta as a default
    const urlHelp = result.stdout.slice(result.stdout.indexOf("--url"), result.stdout.indexOf("--keypair"));
    expect(urlHelp.replace(/\s+/g, " ")).toMatch(/else localnet/);
    expect(urlHelp).not.toMatch(/else mainnet-beta/);
  });

  it("answers without loading the SDK (fast enough to type)", async () => {
    // When help runs twice (the first may warm the transpiler cache)
    await runCli(["--help"]);
    const result = await runCli(["ask", "--help"]);
    // Then the second finishes well under the time a chain command takes
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(5_000);
  });

  it("states what --fan-out costs in privacy, for ask and the gateway", async () => {
    for (const command of ["ask", "gateway"]) {
      const help = (await runCli([command, "--help"])).stdout.replace(/\s+/g, " ");
      expect(help).toMatch(/--fan-out <n>\s+name n servers at once \(1-8, default 1\)\. Every named server can read the prompt/);
    }
  });

  it.each(COMMANDS)("documents '%s' with examples", async (command) => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: chainference ${command}`);
    if (command !== "cancel" && command !== "expire" && command !== "rate") expect(result.stdout).toMatch(/Examples:|Commands:/);
  });
});

describe.concurrent("bad flags and input", () => {
  let keypair: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env = isolatedEnv();
    keypair = writeKeypairFile(mkdtempSync(join(tmpdir(), "cf-cli-keys-")), "wallet");
  });

  it.each([
    { args: ["frobnicate"], says: /unknown command 'frobnicate'.*chainference --help/ },
    { args: ["ask", "hi", "--bogus"], says: /unknown option '--bogus'.*chainference ask --help/ },
    { args: ["ask"], says: /missing required argument 'prompt'.*chainference ask --help/ },
    { args: ["rate", "x"], says: /missing required argument 'rating'/ },
  ])("commander rejects $args in one line with exit 2", async ({ args, says }) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(oneErrorLine(result)).toMatch(says);
  });

  it.each([
    { args: ["ask", "hi", "--stake", "lots"], says: /--stake must be an amount of SOL such as 0\.01/ },
    { args: ["ask", "hi", "--stake", "0.0000000001"], says: /--stake must be an amount of SOL.*at most 9 decimals/ },
    { args: ["ask", "hi", "--timeout", "soon"], says: /--timeout must be a duration such as 90s, 5m or 1h/ },
    { args: ["ask", "hi", "--model", "gemma"], says: /--model 'gemma' is not a Hugging Face id \(org\/name\)/ },
    { args: ["ask", "hi", "--model", "org/-bad-"], says: /--model 'org\/-bad-' is not a Hugging Face id/ },
    { args: ["ask", "hi", "--server", "not-an-address"], says: /--server 'not-an-address' is not a base58 account address/ },
    { args: ["ask", "hi", "--min-success", "150"], says: /--min-success must be a percentage from 0 to 100/ },
    { args: ["ask", "hi", "--fan-out", "9"], says: /--fan-out must be a whole number from 1 to 8/ },
    { args: ["ask", "hi", "--fan-out", "0"], says: /--fan-out must be a whole number from 1 to 8/ },
    { args: ["ask", "hi", "--hand-off-wait", "10ms"], says: /--hand-off-wait must be at least 500ms/ },
    { args: ["gateway", "--hand-off-wait", "later"], says: /--hand-off-wait must be a duration such as 90s/ },
    { args: ["ask", "   "], says: /the prompt is empty/ },
    { args: ["ask", "hi", "--url", "moon"], says: /--url "moon" is neither a cluster moniker/ },
    { args: ["rate", "9y8vP4wD3cXn1tqTQpJ6Yg4v9cWm2kq1dU5Jx3nW4sZa", "7"], says: /rating must be a whole number from 1 to 5/ },
    { args: ["cancel", "nope"], says: /request 'nope' is not a base58 account address/ },
    {
      args: ["admin", "set-fee", "99999"],
      says: /^chainference: the fee \(basis points\) must be a whole number from 0 to 2500, got '99999'$/,
    },
    { args: ["gateway", "--model-alias", "gpt4"], says: /--model-alias must look like name=org\/model/ },
  ])("$args → one line, exit 2", async ({ args, says }) => {
    const result = await runCli(["--keypair", keypair, "--url", "http://127.0.0.1:9", ...args], { env });
    expect(result.code).toBe(2);
    expect(oneErrorLine(result)).toMatch(says);
  });

  it("names the missing keypair file and how to create one", async () => {
    const missing = join(tmpdir(), "cf-no-such-dir", "id.json");
    const result = await runCli(["history", "--keypair", missing, "--url", "http://127.0.0.1:9"], { env });
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(
      new RegExp(
        `No keypair at ${missing.replace(/[.]/g, "\\.")}\\. Create one with .chainference keygen..*solana-keygen new.*--keypair.*.chainference airdrop 1.`,
      ),
    );
  });

  it("airdrop refuses mainnet-beta and a bad amount before touching any network", async () => {
    const mainnet = await runCli(["airdrop", "1", "--keypair", keypair, "--url", "mainnet-beta"], { env });
    expect(mainnet.code).toBe(1);
    expect(oneErrorLine(mainnet)).toMatch(/mainnet-beta has no faucet: airdrops exist on localnet, devnet and testnet only/);
    const amount = await runCli(["airdrop", "lots", "--keypair", keypair, "--url", "http://127.0.0.1:9"], { env });
    expect(amount.code).toBe(2);
    expect(oneErrorLine(amount)).toMatch(/amount must be an amount of SOL such as 0\.01/);
  });

  it("airdrop says when no faucet answers", async () => {
    const result = await runCli(["airdrop", "1", "--keypair", keypair, "--url", "http://127.0.0.1:9"], { env });
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(
      /the faucet at http:\/\/127\.0\.0\.1:9 did not pay: .*is a validator or `chainference localnet` running there/,
    );
  });

  it("rejects a file that is not a Solana keypair", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "cf-bad-key-")), "id.json");
    writeFileSync(bad, "[1,2,3]");
    const result = await runCli(["history", "--keypair", bad, "--url", "http://127.0.0.1:9"], { env });
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(/is not a Solana keypair file.*64/);
  });

  it("says a directory given as keypair is a directory, not EISDIR", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-key-dir-"));
    const result = await runCli(["history", "--keypair", dir, "--url", "http://127.0.0.1:9"], { env });
    expect(result.code).toBe(1);
    const line = oneErrorLine(result);
    expect(line).toMatch(/is not a Solana keypair file.*it is a directory; pass the keypair file itself/);
    expect(line).not.toMatch(/EISDIR/);
  });

  it.each([
    { args: ["frobnicate", "--json"], code: "USAGE", exitCode: 2, says: /unknown command 'frobnicate'/ },
    { args: ["ask", "hi", "--stake", "lots", "--json"], code: "USAGE", exitCode: 2, says: /--stake must be an amount of SOL/ },
    { args: ["servers", "--json"], code: "RPC_FAILURE", exitCode: 1, says: /cannot reach the Solana RPC/ },
  ])("with --json, $args also prints a JSON error document on stdout", async ({ args, code, exitCode, says }) => {
    const result = await runCli(["--keypair", keypair, "--url", "http://127.0.0.1:9", ...args], { env, timeoutMs: 90_000 });
    expect(result.code).toBe(exitCode);
    const line = oneErrorLine(result);
    const document = JSON.parse(result.stdout);
    expect(document).toEqual({ error: { message: line.replace(/^chainference: /, ""), code, exitCode } });
    expect(document.error.message).toMatch(says);
  });

  it("says the RPC is unreachable and to check --url, without a stack", async () => {
    const result = await runCli(["servers", "--url", "http://127.0.0.1:9"], { env, timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(/cannot reach the Solana RPC at http:\/\/127\.0\.0\.1:9.*Check --url/);
  });

  it("adds the stack with --verbose", async () => {
    const result = await runCli(["servers", "--url", "http://127.0.0.1:9", "--verbose"], { env, timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toMatch(/^chainference: cannot reach the Solana RPC/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it("says how to build the program when the .so is missing", async () => {
    const result = await runCli(["demo", "--program", "/nonexistent/chainference.so"], { env });
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(/program file \/nonexistent\/chainference\.so does not exist/);
  });
});
