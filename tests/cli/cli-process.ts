/**
 * Runs the real `chainference` binary (cli/bin/chainference.js) as a child process, the way a user
 * does: one-shot commands to completion, long-running ones (localnet, gateway) until killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddressDecoder, type Address } from "@solana/kit";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI_BIN = join(REPO_ROOT, "cli", "bin", "chainference.js");

export type CliResult = { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly ms: number };

/** An isolated HOME so no Solana CLI config or keypair of the machine leaks into a test. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "cf-cli-home-"));
  return {
    ...process.env,
    HOME: home,
    NO_COLOR: "1",
    CHAINFERENCE_CACHE: process.env.CHAINFERENCE_CACHE ?? join(process.env.HOME ?? "", ".cache", "chainference"),
    ...extra,
  };
}

/**
 * Writes a fresh Solana CLI keypair file (JSON array: 32-byte seed then 32-byte public key).
 *
 * @example
 * const wallet = writeKeypairFile(dir, "alice");
 */
export function writeKeypairFile(dir: string, name: string): string {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify([...seed, ...pub]));
  return path;
}

/** The address (base58 public key) of a keypair file written by {@link writeKeypairFile}. */
export function keypairAddress(path: string): Address {
  const bytes = Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]);
  return getAddressDecoder().decode(bytes.subarray(32));
}

/** Runs `chainference ...args` to completion (`bin`: another installed copy of the command, e.g. from its tarball). */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string; bin?: string } = {},
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? CLI_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? isolatedEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`chainference ${args.join(" ")} timed out after ${options.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A long-running `chainference` process (localnet, gateway) whose output can be awaited. */
export type CliDaemon = {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr (waiting for it to appear). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
};

/**
 * Starts a long-running command.
 *
 * @example
 * const localnet = startCli(["localnet", "--port", "0", "--keypair", admin]);
 * const [, url] = await localnet.waitFor(/RPC URL\s+(\S+)/);
 */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; bin?: string; cwd?: string } = {}): CliDaemon {
  const child = spawn(process.execPath, [options.bin ?? CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? isolatedEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) => child.on("close", (code) => (r(code), [...waiters].forEach((w) => w()))));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            cleanup();
            resolvePromise(match);
          } else if (child.exitCode !== null) {
            cleanup();
            reject(new Error(`chainference ${args.join(" ")} exited (${child.exitCode}) before printing ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`chainference ${args.join(" ")} did not print ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
