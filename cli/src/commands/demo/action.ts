/**
 * `chainference demo`: the whole flow in one process — the real program on an in-process chain, a
 * provider node with the embedded model, a fresh client asking a question, the answer streamed and
 * decrypted as chunks land, the settlement, the reputation, and the history re-decrypted.
 */
import type { Command } from "commander";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  defaultProtocolParameters,
  fetchHistory,
  fetchProtocolConfig,
  findConfigPda,
  getServerDecoder,
  initializeProtocol,
  rateServer,
} from "@chainference/client";
import { createLiteSvmChain } from "@chainference/client/litesvm";
import { DEFAULT_MODEL, defaultNodeConfig, type NodeEvent } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { resolveProgramPath } from "../../shared/embedded/program-binary";
import { createEmbeddedSession, createRpcSession, type Session } from "../../shared/context/session";
import { runAsk } from "../ask/run-ask";
import { acquireSession, askOnce } from "../ask/run-session-ask";
import { renderTable } from "../../shared/output/table";
import { formatPricePair, formatReputation } from "../../shared/output/format-server";
import { startEmbeddedProvider } from "../../shared/embedded/embedded-provider";
import { usageError } from "../../shared/errors/cli-error";
import { formatInteger, formatSol, LAMPORTS_PER_SOL, SLOT_MS } from "../../shared/output/units";
import type { DemoFlags } from "./definition";
import { parseGeneration, parseTerms } from "../ask/parse-terms";
import { buildPayload } from "../ask/build-payload";

const CLIENT_FUNDING = 1n * LAMPORTS_PER_SOL;
const OPERATOR_FUNDING = 10n * LAMPORTS_PER_SOL;
const ADMIN_FUNDING = 10n * LAMPORTS_PER_SOL;
/** Deposit of the demo's session (most of it comes back at the close). */
const SESSION_DEPOSIT = 10_000_000n;

/** Runs `chainference demo`. */
export async function demoAction(prompt: string, flags: DemoFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const out = ctx.out;
  const terms = parseTerms(flags, DEFAULT_MODEL.hfId);
  const generation = parseGeneration({
    maxTokens: flags.maxTokens ?? "128",
    ...(flags.temperature ? { temperature: flags.temperature } : {}),
  });
  if (!/^[0-5]$/.test(flags.rate)) throw usageError(`--rate must be a whole number from 0 to 5, got '${flags.rate}'`);
  if (prompt.trim() === "") throw usageError("the prompt is empty: pass a question or leave it out for the default one");
  const payload = buildPayload(prompt, { ...generation, ...(flags.system ? { system: flags.system } : {}) });
  const started = performance.now();
  const step = (n: number, title: string) => out.progress(`\n[${n}/7] ${title}`);

  // 1. The chain. On the embedded chain the demo's admin deployed the program (its upgrade authority,
  // the only key `initialize_config` accepts).
  const admin = await generateKeyPairSigner();
  let session: Session;
  const embedded = cmd.optsWithGlobals<{ url?: string }>().url === undefined;
  if (embedded) {
    const programPath = resolveProgramPath(flags.program);
    session = createEmbeddedSession(
      createLiteSvmChain({
        programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: programPath, upgradeAuthority: admin.address }],
        slotDurationMs: SLOT_MS,
      }),
      out,
    );
    out.progress("Chainference demo: private, streaming LLM inference settled on Solana.");
    step(1, "Chain");
    out.progress(`  in-process LiteSVM running the real program ${CHAINFERENCE_PROGRAM_ADDRESS}`);
    out.progress(`  (${programPath}), ${SLOT_MS} ms slots like mainnet`);
  } else {
    session = createRpcSession(ctx.endpoint, out);
    out.progress("Chainference demo: private, streaming LLM inference settled on Solana.");
    step(1, "Chain");
    out.progress(`  ${ctx.endpoint.url} (program ${CHAINFERENCE_PROGRAM_ADDRESS})`);
  }
  const { chain } = session;
  const fund = async (address: Address, lamports: bigint) => chain.airdrop(address, lamports);

  // 2. The protocol.
  step(2, "Protocol");
  if (await chain.getAccount((await findConfigPda())[0])) {
    out.progress("  already initialized on this cluster");
  } else {
    await fund(admin.address, ADMIN_FUNDING);
    const sent = await initializeProtocol(chain, admin, defaultProtocolParameters(admin.address));
    out.progress(`  initialize_config by admin ${admin.address}: Config + 16 fee vaults, ${formatInteger(sent.computeUnits ?? 0n)} CU`);
    out.progress(`  transaction ${session.transactionText(sent.signature)}`);
  }
  const config = await fetchProtocolConfig(chain);
  out.progress(
    `  fee ${config.feeBps / 100} % of the cost, min stake ${formatSol(config.minStake)} SOL, answers due within ${config.defaultResponseTimeout} slots`,
  );

  // 3. The provider.
  step(3, "Provider node (embedded model)");
  const completed: NodeEvent[] = [];
  const nodeDefaults = defaultNodeConfig();
  const provider = await startEmbeddedProvider(chain, out, {
    fund: (a) => fund(a, OPERATOR_FUNDING),
    log: null,
    indent: "  ",
    // Sessions on a free port, published as the server's endpoint (step 7).
    config: { ...nodeDefaults, sessions: { ...nodeDefaults.sessions, port: 0 } },
  });
  try {
    provider.node.events.subscribe((e) => {
      if (e.type === "completed" || e.type === "abandoned" || e.type === "error") completed.push(e);
    });
    out.progress(`  registered server ${provider.server} (operator ${provider.operator})`);
    out.progress(`  serving ${provider.model} at ${formatPricePair(provider.priceIn, provider.priceOut)}`);

    // 4. The client.
    step(4, "Client wallet");
    const client = await generateKeyPairSigner();
    await fund(client.address, CLIENT_FUNDING);
    out.progress(`  new wallet ${client.address} funded with ${formatSol(CLIENT_FUNDING)} SOL`);

    // 5. The question.
    step(5, `Question: "${prompt}"`);
    const askedAt = performance.now();
    let perRequestFirstMs: number | null = null;
    const { report } = await runAsk(session, client, terms, payload, {
      wait: true,
      onFirstText: () => (perRequestFirstMs ??= performance.now() - askedAt),
    });
    const generation = completed.find((e): e is Extract<NodeEvent, { type: "completed" }> => e.type === "completed");
    if (generation)
      out.line(
        `Provider: ${generation.tokensOut} tokens${generation.tokensPerSecond === null ? "" : ` at ${generation.tokensPerSecond.toFixed(1)} tokens/s`}, first chunk on-chain ${generation.timeToFirstChunkMs === null ? "?" : `${(generation.timeToFirstChunkMs / 1000).toFixed(1)} s`} after the lock, ${(generation.durationMs / 1000).toFixed(1)} s in all.`,
      );

    // 6. Reputation and history.
    step(6, "Rating and history");
    const stars = Number(flags.rate);
    const history = await fetchHistory(chain, client);
    const entry = history.find((h) => h.request === report?.request);
    if (report && entry?.response && stars > 0) {
      const rated = await rateServer(chain, client, entry.response, stars);
      const server = await chain.getAccount(report.server);
      out.progress(`  rated the server ${stars}/5 (rate_server, ${formatInteger(rated.computeUnits ?? 0n)} CU)`);
      if (server) out.progress(`  server reputation now: ${formatReputation(getServerDecoder().decode(server.data))}`);
    }
    const prompted = entry?.decrypted.prompt?.messages.at(-1)?.content;
    const answer = entry?.decrypted.response ? new TextDecoder().decode(entry.decrypted.response.plaintext) : null;
    out.progress(
      `  history re-read from chain data and the client's wallet alone: prompt ${prompted === prompt ? "decrypted ✓" : "✗"}, answer ${answer !== null && answer.length > 0 ? `decrypted ✓ (${answer.length} characters)` : "✗"}`,
    );
    out.progress(
      `  (the prompt came from ${entry?.promptSource === "transaction-history" ? "the create_request transaction" : "the request account"}, the answer from ${entry?.answerSource === "transaction-history" ? "append_response transactions" : "the response account"}; only the client and the locking server hold the keys)`,
    );

    // 7. The same question through a session, side by side.
    step(7, "The same question through a session (answer off-chain, paid by vouchers)");
    const sessions = provider.node.sessions;
    if (!sessions) out.progress("  the provider serves no sessions: skipped");
    else {
      const closed = provider.node.events.waitFor((e): e is Extract<NodeEvent, { type: "session-closed" }> => e.type === "session-closed", {
        timeoutMs: 120_000,
      });
      const live = await acquireSession(session, client, { ...terms, stake: SESSION_DEPOSIT }, payload, { quiet: true });
      out.progress(
        `  open_session: ${formatSol(SESSION_DEPOSIT)} SOL deposit escrowed, 1 transaction ${live.opened ? session.transactionText(live.opened.signature) : ""}`,
      );
      out.progress("  Answer (decrypted as it streams, off-chain):\n");
      const { result, firstTextMs } = await askOnce(live, payload, (text) => out.write(out.untrusted(text)), undefined, {
        keepHistory: false,
      });
      out.line("\n");
      out.progress(
        `  ${result.tokensIn} tokens in, ${result.tokensOut} out: ${result.lamports} lamports, signed by the session key as a voucher`,
      );
      await sessions.settler.closeAll();
      const close = await closed;
      out.progress(
        `  the node settled the voucher and closed the session in 1 transaction (fee ${close.fee} lamports); the rest of the deposit went back`,
      );
      const perRequestTxs = report?.transactions ?? [];
      const perRequestFees = perRequestTxs.reduce((n, t) => n + (t.fee ?? 0n), 0n);
      const sessionFees = (live.opened?.fee ?? 0n) + close.fee;
      const ms = (v: number | null) => (v === null ? "?" : `${(v / 1000).toFixed(2)} s`);
      out.line();
      out.line(
        renderTable(
          ["same question", "transactions", "fees (lamports)", "first token after the question", "answer on chain"],
          [
            ["per request", String(perRequestTxs.length), formatInteger(perRequestFees), ms(perRequestFirstMs), "yes (archived)"],
            ["session, first answer", "2 (open; settle + close)", formatInteger(sessionFees), ms(firstTextMs), "no (local history)"],
            ["session, each next answer", "0 (vouchers; settles on the node's schedule)", "0", "as above", "no (local history)"],
          ],
          ["left", "right", "right", "right", "left"],
        ),
      );
      out.line(
        "  The session's first token comes straight from the node (no transaction on its path); the per-request one waits for the lock and its chunk's transaction. Times on a shared machine are noisy: 'npm run bench:sessions' measures them.",
      );
    }
    out.progress(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await provider.stop();
  }
}
