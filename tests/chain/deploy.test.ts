/**
 * `scripts/deploy` against the local JSON-RPC endpoint: LiteSVM runs the upgradeable loader (loader-v3)
 * as a builtin, so the same create-buffer / write / DeployWithMaxDataLen / Upgrade transactions a cluster
 * receives can be checked here, with no network.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyPairSignerFromPrivateKeyBytes, generateKeyPairSigner, getAddressEncoder, type KeyPairSigner } from "@solana/kit";
import { fetchUpgradeableProgram, findConfigPda, getConfigDecoder, LOADER_V3_PROGRAM_ADDRESS } from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain } from "@chainference/client/litesvm";
import { startLocalRpcServer, type LocalRpcServer } from "@chainference/localnet";
import { PROGRAM_SO, REPO_ROOT } from "../helpers/svm";

const run = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn("bash", [join(REPO_ROOT, "scripts", "deploy"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, out })));
  });

describe("scripts/deploy over JSON-RPC (loader-v3)", () => {
  let chain: LiteSvmChain;
  let server: LocalRpcServer;
  let dir: string;
  let deployer: KeyPairSigner;
  let programKeypair: string;

  beforeAll(async () => {
    // A chain without the program: the script has to deploy it
    chain = createLiteSvmChain({ slotDurationMs: 0 });
    server = await startLocalRpcServer(chain, 0);
    dir = await mkdtemp(join(tmpdir(), "chainference-deploy-"));
    const seed = crypto.getRandomValues(new Uint8Array(32));
    deployer = await createKeyPairSignerFromPrivateKeyBytes(seed, true);
    await writeFile(join(dir, "deployer.json"), JSON.stringify([...seed, ...getAddressEncoder().encode(deployer.address)]));
    await chain.airdrop(deployer.address, 10_000_000_000n);
    programKeypair = join(dir, "program.json");
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys the .so with the deployer as upgrade authority, then initializes Config at the new program", async () => {
    // When the script runs against the local endpoint with a program keypair that does not exist yet
    const { code, out } = await run(["--url", server.url, "--keypair", join(dir, "deployer.json"), "--program-keypair", programKeypair]);
    // Then it succeeded, created the program keypair (Solana CLI format) and deployed at its address
    expect(code, out).toBe(0);
    const saved = JSON.parse(await readFile(programKeypair, "utf8")) as number[];
    expect(saved).toHaveLength(64);
    const program = (await createKeyPairSignerFromPrivateKeyBytes(Uint8Array.from(saved.slice(0, 32)))).address;
    expect(out).toContain(`deployed     ${program}`);
    const account = await chain.getAccount(program);
    expect(account?.owner).toBe(LOADER_V3_PROGRAM_ADDRESS);
    expect(account?.executable).toBe(true);
    // And the ProgramData holds exactly the binary, twice its size reserved, upgradeable by the deployer
    const elf = await readFile(PROGRAM_SO);
    const info = await fetchUpgradeableProgram(chain, program);
    expect(info?.upgradeAuthority).toBe(deployer.address);
    expect(info?.maxDataLen).toBe(elf.length * 2);
    expect(Buffer.from(info!.code.slice(0, elf.length)).equals(elf)).toBe(true);
    // And the deployed program ran initialize_config: Config exists at its PDA with the deployer as admin and treasury
    const [config] = await findConfigPda({ programAddress: program });
    const decoded = getConfigDecoder().decode((await chain.getAccount(config))!.data);
    expect(decoded.admin).toBe(deployer.address);
    expect(decoded.treasury).toBe(deployer.address);
    expect(decoded.feeBps).toBe(1000);
  });

  it("upgrades in place on a second run and leaves the initialized Config alone", async () => {
    // When the script runs again with the same keys, in a later slot (the loader refuses two deploys in one slot)
    chain.warpSlots(1n);
    const { code, out } = await run(["--url", server.url, "--keypair", join(dir, "deployer.json"), "--program-keypair", programKeypair]);
    // Then it upgraded through the Upgrade instruction and saw Config already there
    expect(code, out).toBe(0);
    expect(out).toMatch(/upgraded\s+\w+/);
    expect(out).toContain("already initialized");
  });

  it("fails loudly when the deployment's Config has another admin than the deployer", async () => {
    // Given the Config handed to another admin (as update_config's new_admin does)
    const saved = JSON.parse(await readFile(programKeypair, "utf8")) as number[];
    const program = (await createKeyPairSignerFromPrivateKeyBytes(Uint8Array.from(saved.slice(0, 32)))).address;
    const [config] = await findConfigPda({ programAddress: program });
    const account = chain.svm.getAccount(config);
    if (!account.exists) throw new Error("no Config");
    const other = (await generateKeyPairSigner()).address;
    const data = Uint8Array.from(account.data);
    data.set(getAddressEncoder().encode(other), 4);
    chain.svm.setAccount({ ...account, data });
    // When the deployer runs the script again
    chain.warpSlots(1n);
    const { code, out } = await run(["--url", server.url, "--keypair", join(dir, "deployer.json"), "--program-keypair", programKeypair]);
    // Then it fails, naming the admin, instead of reporting success
    expect(code, out).toBe(1);
    expect(out).toContain(`already initialized with admin ${other}, not the deployer ${deployer.address}`);
  });

  it("refuses mainnet without --yes, before touching anything", async () => {
    const { code, out } = await run([
      "--url",
      "mainnet-beta",
      "--keypair",
      join(dir, "deployer.json"),
      "--program-keypair",
      programKeypair,
    ]);
    expect(code).toBe(1);
    expect(out).toMatch(/mainnet.*--yes/);
  });
});
