/**
 * A real `solana-test-validator` (agave, built once by scripts/build-validator) for the validator suite:
 * its own ledger in a temporary directory, its own ports, the real target/deploy/chainference.so
 * preloaded at the IDL's program id through the upgradeable loader, and its faucet for airdrops.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS } from "../../clients/js/src/generated";
import { PROGRAM_SO } from "./svm";

/** Keep in step with AGAVE_VERSION in scripts/build-validator. */
export const AGAVE_VERSION = "3.0.10";

/** `CHAINFERENCE_VALIDATOR`, else the binary scripts/build-validator caches. */
export function validatorBinary(): string {
  const cache = process.env["CHAINFERENCE_CACHE"] ?? join(homedir(), ".cache", "chainference");
  const bin = process.env["CHAINFERENCE_VALIDATOR"] ?? join(cache, `agave-${AGAVE_VERSION}`, "bin", "solana-test-validator");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it once with \`bash scripts/build-validator\` (about 22 minutes)`);
  return bin;
}

export type RunningValidator = {
  readonly url: string;
  readonly wsUrl: string;
  readonly ledger: string;
  /** Everything the validator printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
};

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** A block of `width` consecutive free TCP ports on loopback (the validator also binds UDP in it). */
async function freePortBlock(width: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 35_000);
    let free = true;
    for (let p = base; p < base + width && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error(`no block of ${width} free ports found on 127.0.0.1`);
}

const rpcCall = async (url: string, method: string, params: unknown[] = []): Promise<unknown> => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
};

/**
 * Starts a fresh validator with the program preloaded at `programAddress` (default: the IDL's) and
 * `upgradeAuthority` as its upgrade authority; resolves once it answers `getHealth` and has
 * confirmed a few slots.
 */
export async function startValidator(options: {
  upgradeAuthority: Address;
  programAddress?: Address;
  timeoutMs?: number;
}): Promise<RunningValidator> {
  const bin = validatorBinary();
  const ledger = mkdtempSync(join(tmpdir(), "cf-validator-"));
  const base = await freePortBlock(40);
  const url = `http://127.0.0.1:${base}`;
  const logFile = join(ledger, "validator.out");
  const out = openSync(logFile, "a");
  const args = [
    "--ledger",
    ledger,
    "--reset",
    "--quiet",
    "--bind-address",
    "127.0.0.1",
    "--rpc-port",
    String(base), // the WebSocket endpoint is base + 1
    "--faucet-port",
    String(base + 2),
    "--gossip-port",
    String(base + 3),
    "--dynamic-port-range",
    `${base + 4}-${base + 39}`,
    "--upgradeable-program",
    options.programAddress ?? CHAINFERENCE_PROGRAM_ADDRESS,
    PROGRAM_SO,
    options.upgradeAuthority,
  ];
  // Its own process group: stop() ends the validator and anything it started.
  const child: ChildProcess = spawn(bin, args, { stdio: ["ignore", out, out], detached: true });
  const log = () => {
    try {
      return readFileSync(logFile, "utf8") + readFileSync(join(ledger, "validator.log"), "utf8").split("\n").slice(-40).join("\n");
    } catch {
      return readFileSync(logFile, "utf8");
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      const killed = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(ledger, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`solana-test-validator exited (${child.exitCode}) during start-up:\n${log()}`);
    try {
      // Healthy and past the first slots: the genesis program is loaded and blockhashes are issued.
      if ((await rpcCall(url, "getHealth")) === "ok" && Number(await rpcCall(url, "getSlot", [{ commitment: "confirmed" }])) >= 2) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`solana-test-validator did not answer on ${url} within ${options.timeoutMs ?? 120_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, wsUrl: `ws://127.0.0.1:${base + 1}`, ledger, log, stop };
}
