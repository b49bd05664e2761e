/**
 * The per-request mode: post an encrypted request readable by the best eligible server only, hand it to the next
 * one while it is not taken, follow the answer as it lands on-chain, report the settlement.
 */
import type { Address, Signature } from "@solana/kit";
import {
  BPS,
  cancelRequest,
  findResponsePda,
  handOffUntilLocked,
  postRequest,
  watchResponse,
  type Chain,
  type PromptPayload,
  type ResponseAccount,
} from "@chainference/client";
import type { AskCallbacks, AskContext, AskTerms } from "./modes";

/** Marks each decrypted chunk the moment the SDK yields it (the browser test measures render latency from it). */
function markYield(index: number) {
  performance.mark("chainference:chunk-yielded", { detail: { index } });
}

/** Signatures of every transaction that touched the request or its response, oldest first. */
async function requestTransactions(chain: Chain, request: Address, posted: readonly Signature[]): Promise<Signature[]> {
  const [response] = await findResponsePda({ request });
  const [a, b] = await Promise.all([chain.getSignaturesForAddress(request), chain.getSignaturesForAddress(response)]);
  const all = [...posted, ...a.reverse(), ...b.reverse()];
  return [...new Set(all)];
}

/**
 * Asks one question as an on-chain request. The prompt is readable by the best eligible server only (the SDK's
 * default fan-out of one); while nobody locks it, `handOffUntilLocked` hands it to the next eligible server (one
 * wallet transaction each, reported through `onHandOff`). Resolves when the answer is settled or the request
 * ended; a `signal` abort before a server locks stops the hand-offs and cancels the request on-chain (stake and
 * rent come back).
 */
export async function askPerRequest(ctx: AskContext, terms: AskTerms, on: AskCallbacks): Promise<void> {
  const payload: PromptPayload = { v: 1, messages: [{ role: "user", content: terms.question }], maxTokens: terms.maxTokens };
  const posted = await postRequest(ctx.chain, {
    client: ctx.signer,
    model: terms.model,
    payload,
    servers: terms.servers,
    stake: terms.stake,
    maxPriceIn: terms.maxPriceIn,
    maxPriceOut: terms.maxPriceOut,
  });
  const postedSignatures = posted.transactions.map((t) => t.signature);
  on.onPosted(posted.address, postedSignatures);
  let locked = false;
  let settled: ResponseAccount | null = null;
  const watching = new AbortController();
  // Stops at the lock, the user's cancel, or the end of the watch, whichever comes first.
  const handing = new AbortController();
  const handOffs = handOffUntilLocked(ctx.chain, ctx.signer, posted, {
    signal: handing.signal,
    onHandOff: (handOff) => on.onHandOff(handOff.from, handOff.to, handOff.transaction.signature),
  }).catch(() => "stopped" as const); // a failed hand-off leaves the request with its server until it is cancelled or expires
  const onAbort = () => {
    handing.abort();
    if (locked) return;
    // Cancel on-chain, then stop watching; if a server locked it meanwhile the program refuses and we keep watching.
    void cancelRequest(ctx.chain, ctx.signer, posted.address).then(
      () => watching.abort(),
      () => undefined,
    );
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const event of watchResponse(ctx.chain, posted.address, posted.keys, { signal: watching.signal, pollMs: 250 })) {
      if (event.type === "locked") {
        locked = true;
        handing.abort();
        on.onLocked(event.server);
      } else if (event.type === "chunk") {
        markYield(event.index);
        on.onChunk(event.text, event.index);
      } else if (event.type === "settled") {
        settled = event.response;
        break;
      } else {
        on.onEnded(ctx.signal.aborted ? "cancelled" : "expired");
        return;
      }
    }
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    handing.abort();
    await handOffs;
  }
  if (!settled) {
    on.onEnded("cancelled");
    return;
  }
  const fee = (settled.cost * BigInt(terms.feeBps)) / BPS;
  on.onSettled({
    server: settled.server,
    tokensIn: settled.tokensIn,
    tokensOut: settled.tokensOut,
    stake: terms.stake,
    cost: settled.cost,
    fee,
    serverPayout: settled.cost - fee,
    refund: terms.stake - settled.cost,
    transactions: await requestTransactions(ctx.chain, posted.address, postedSignatures),
  });
}
