/**
 * What one answer costs on chain, measured on LiteSVM against the real program (part of
 * `npm run bench:cu`, section "Chain cost of a 500-token answer" of docs/cu.md).
 *
 * The flow: the client creates a request (400-byte encrypted prompt, one allow-listed server), the
 * server locks it, streams a 500-token answer and completes it, the client closes the response.
 * 500 tokens are taken as 2,000 plaintext bytes (≈ 4 bytes per token for English BPE tokenizers;
 * the chain only sees bytes). A 1 KiB chunk does not fit a transaction: append_response's five
 * accounts leave room for at most 913 ciphertext bytes in the 1,232-byte packet (v0 message as the
 * SDK sends it; 915 as a legacy message, about 1,000 with an address lookup table), so the answer
 * streams as chunks of the largest size that fits, 913 bytes
 * (873 padded plaintext + 24-byte nonce + 16-byte tag; padding is ignored here: the last chunk is
 * not rounded up to its bucket).
 *
 * Two server strategies: prefund the whole expected stream with the first chunk (`reserve_bytes`
 * = expected stream length: no System call afterwards), or prefund nothing (every later chunk tops
 * the rent up with a System transfer). Every lamport is accounted: the net chain cost of each
 * party is exactly its transaction fees, since all rent comes back (request rent at completion,
 * response rent at close_response).
 */
import type { Address } from "@solana/kit";
import { registerServer } from "../tests/helpers/fixtures";
import {
  CHUNK_OVERHEAD_LEN,
  MAX_CHUNK_IN_TX,
  PRICED_MODEL,
  allowed,
  appendResponseInstruction,
  chunk,
  closeResponseInstruction,
  complete,
  createRequest,
  feeShardOf,
  frameSize,
  lock,
  plainSender,
  requestSize,
  responsePda,
  responseSize,
  setupMarket,
} from "../tests/helpers/lifecycle";
import { LAMPORTS_PER_SOL, createTestSvm, rentExempt, send, type TxReport } from "../tests/helpers/svm";

const TOKENS = 500;
const BYTES_PER_TOKEN = 4;
const PROMPT_BYTES = 400;

type Step = { step: string; payer: "client" | "server"; report: TxReport; rentPaid: bigint; rentReturned: bigint };

const delta = (report: TxReport, address: Address) => report.after.get(address)! - report.before.get(address)!;

async function measure(prefund: boolean) {
  const t = await createTestSvm();
  const market = await setupMarket(t, { servers: 0 });
  const server = await registerServer(t, { models: [PRICED_MODEL] });
  const sender = plainSender(t);
  const plaintext = TOKENS * BYTES_PER_TOKEN;
  const plainChunk = MAX_CHUNK_IN_TX - CHUNK_OVERHEAD_LEN;
  const chunks: number[] = [];
  for (let left = plaintext; left > 0; left -= plainChunk) chunks.push(Math.min(plainChunk, left) + CHUNK_OVERHEAD_LEN);
  const streamLen = chunks.reduce((n, c) => n + frameSize(c), 0);
  const steps: Step[] = [];

  const req = await createRequest(t, {
    promptLen: PROMPT_BYTES,
    prompt: new Uint8Array(PROMPT_BYTES),
    allowed: [allowed(server.server)],
  });
  const requestRent = rentExempt(t.svm, requestSize(1, PROMPT_BYTES));
  steps.push({
    step: "create_request (rent + stake escrowed)",
    payer: "client",
    report: req.report,
    rentPaid: requestRent,
    rentReturned: 0n,
  });
  steps.push({
    step: "lock_request",
    payer: "server",
    report: await lock(sender, market, req.address, server),
    rentPaid: 0n,
    rentReturned: 0n,
  });

  const [response] = await responsePda(req.address);
  for (const [i, len] of chunks.entries()) {
    const ix = await appendResponseInstruction(server.operator, server.server, req.address, {
      chunkIndex: i,
      isFinal: i === chunks.length - 1,
      ciphertext: chunk(len),
      reserveBytes: prefund ? streamLen : 0,
    });
    const report = await send(t, ix, { feePayer: server.operator });
    steps.push({
      step: `append_response #${i} (${len} B${i === 0 ? ", creates" : ""})`,
      payer: "server",
      report,
      rentPaid: delta(report, response),
      rentReturned: 0n,
    });
  }
  const completion = await complete(
    sender,
    market,
    server,
    { address: req.address, client: req.client.address, feeShard: feeShardOf(req.nonce) },
    PROMPT_BYTES / BYTES_PER_TOKEN,
    TOKENS,
  );
  steps.push({
    step: "complete_request (request rent back to the client)",
    payer: "server",
    report: completion,
    rentPaid: 0n,
    rentReturned: requestRent,
  });
  const responseHeld = t.svm.getBalance(response)!;
  const close = await send(t, closeResponseInstruction(req.client, response, server.operator.address, market.cfg.config), {
    feePayer: req.client,
  });
  steps.push({
    step: "close_response (response rent back to the operator)",
    payer: "client",
    report: close,
    rentPaid: 0n,
    rentReturned: responseHeld,
  });

  // Net chain cost per party = its wallet's change minus what the settlement moved on purpose.
  const clientAddress = req.client.address;
  const operatorAddress = server.operator.address;
  const sumDelta = (a: Address) => steps.reduce((n, s) => n + (s.report.before.has(a) ? delta(s.report, a) : 0n), 0n);
  const clientFees = steps.filter((s) => s.payer === "client").reduce((n, s) => n + s.report.fee, 0n);
  const serverFees = steps.filter((s) => s.payer === "server").reduce((n, s) => n + s.report.fee, 0n);
  const paid = -sumDelta(clientAddress) - clientFees; // = cost of the answer (stake − refund)
  const earned = sumDelta(operatorAddress) + serverFees; // = cost − protocol fee
  if (paid < 0n || earned < 0n || paid - earned < 0n) throw new Error("chain cost: settlement does not add up");
  return {
    steps,
    chunks,
    streamLen,
    clientFees,
    serverFees,
    paid,
    earned,
    responseRent: rentExempt(t.svm, responseSize(streamLen)),
    requestRent,
  };
}

const sol = (lamports: bigint) => `${(Number(lamports) / Number(LAMPORTS_PER_SOL)).toFixed(6)} SOL`;

/** Markdown section for docs/cu.md. */
export async function chainCostReport(): Promise<string> {
  const out: string[] = [
    "## Chain cost of a 500-token answer",
    "",
    `Measured by \`scripts/bench-chain-cost.ts\` (run by \`npm run bench:cu\`): a ${PROMPT_BYTES}-byte encrypted prompt with one`,
    `allow-listed server, a ${TOKENS}-token answer taken as ${TOKENS * BYTES_PER_TOKEN} plaintext bytes (≈ ${BYTES_PER_TOKEN} bytes per token), fees at`,
    "5,000 lamports per signature and no priority fee. **1 KiB chunks do not fit a transaction**: with",
    `append_response's five accounts the 1,232-byte packet leaves room for at most ${MAX_CHUNK_IN_TX} ciphertext bytes`,
    `in a v0 message as the SDK sends it (${MAX_CHUNK_IN_TX + 2} as a legacy message, about 1,000 with an address lookup table),`,
    "so the answer streams in chunks of the largest size that fits.",
    "Every lamport of rent comes back (request rent at completion, response rent at close_response), so",
    "the net chain cost of each party is exactly its transaction fees; the settlement itself (cost to the",
    "server and the fee vault) is the price of the answer, not a chain cost.",
    "",
  ];
  for (const prefund of [true, false]) {
    const m = await measure(prefund);
    out.push(
      prefund
        ? `### Server prefunds the whole stream with the first chunk (reserve_bytes = ${m.streamLen})`
        : "### Server prefunds nothing (every later chunk tops the rent up)",
      "",
      `Chunks (ciphertext bytes): ${m.chunks.join(" + ")}; stream ${m.streamLen} bytes in ${m.chunks.length} frames.`,
      "",
      "| step | payer | CU | tx fee | rent paid | rent returned |",
      "| --- | --- | ---: | ---: | ---: | ---: |",
      ...m.steps.map((s) => `| ${s.step} | ${s.payer} | ${s.report.computeUnits} | ${s.report.fee} | ${s.rentPaid} | ${s.rentReturned} |`),
      "",
      `- Client: ${m.clientFees} lamports of fees (${sol(m.clientFees)}); request rent ${m.requestRent} paid and returned.`,
      `- Server: ${m.serverFees} lamports of fees (${sol(m.serverFees)}); response rent ${m.responseRent} paid and returned at close.`,
      `- Net chain cost of the answer: **${m.clientFees + m.serverFees} lamports** (${sol(m.clientFees + m.serverFees)}), all of it fees.`,
      `- Settlement at the model's list price (${PRICED_MODEL.priceIn} / ${PRICED_MODEL.priceOut} lamports per M tokens): client paid ${m.paid}, server earned ${m.earned}, protocol fee ${m.paid - m.earned}.`,
      `- Compute: ${m.steps.reduce((n, s) => n + s.report.computeUnits, 0n)} CU over ${m.steps.length} transactions.`,
      "",
    );
  }
  return out.join("\n");
}
