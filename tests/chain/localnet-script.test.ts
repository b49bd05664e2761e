/** `scripts/localnet`: starts `chainference localnet` in the background with a pid file, stops it. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createRpcChain, fetchProtocolConfig } from "@chainference/client";
import { REPO_ROOT } from "../helpers/svm";

const exec = promisify(execFile);
const script = join(REPO_ROOT, "scripts", "localnet");

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("scripts/localnet", () => {
  let port = 0;
  let dir = "";
  afterAll(async () => {
    if (port) await exec("bash", [script, "stop", "--port", String(port)]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("starts a chain with the program and Config on the given port, reports it, and stops it by its pid file", async () => {
    port = await freePort();
    dir = await mkdtemp(join(tmpdir(), "chainference-localnet-"));
    // When it starts
    const { stdout } = await exec("bash", [script, "start", "--port", String(port), "--keypair", join(dir, "admin.json")], {
      timeout: 150_000,
    });
    // Then it is ready at the URL, with a pid file, the program deployed and Config initialized
    expect(stdout).toMatch(new RegExp(`localnet ready on http://127\\.0\\.0\\.1:${port} in \\d+ ms`));
    const pidfile = join(REPO_ROOT, "target", "localnet", `${port}.pid`);
    const pid = Number(await readFile(pidfile, "utf8"));
    expect(pid).toBeGreaterThan(0);
    const config = await fetchProtocolConfig(createRpcChain(`http://127.0.0.1:${port}`));
    expect(config.feeBps).toBe(1000);
    // And a second start is a no-op
    expect((await exec("bash", [script, "start", "--port", String(port)])).stdout).toMatch(/already running/);
    // When it stops / Then the process and the pid file are gone
    await exec("bash", [script, "stop", "--port", String(port)]);
    expect(existsSync(pidfile)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    port = 0;
  });
});
