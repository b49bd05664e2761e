/**
 * One reader per prompt with the real node and the embedded model: a request names an offline server first (the
 * only key it is wrapped for); after the hand-off wait the client hands it to the node's server, which screens
 * it, locks with its current key and answers. Lamports are exact, and the hand-off's added latency (hand_off_request
 * sent → lock seen by the client) is printed for docs/privacy.md § Hand-off.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiteSvmChain } from "@chainference/client/litesvm";
import {
  HAND_OFF_REQUEST_DISCRIMINATOR,
  RequestStatus,
  fetchRequestAccount,
  generateX25519KeyPair,
  handOffUntilLocked,
  publishServer,
  type HandOff,
} from "@chainference/client";
import { DEFAULT_MODEL, type NodeEvent, type ProviderNode } from "@chainference/node";

import {
  ask,
  fundedWallet,
  lamportSum,
  nextNonce,
  openProviderTestBed,
  readAnswer,
  requestAccounts,
  serverListingFor,
  type ProviderTestBed,
} from "../helpers/provider-harness";

const QUESTION = [{ role: "user" as const, content: "Name a primary color." }];
/** Short answers: the test is about who locks, not about the text. */
const MAX_TOKENS = 8;
/** The hand-off wait the client uses here (the SDK default is longer; the latency measured starts at the hand-off). */
const HAND_OFF_WAIT_MS = 1_000;
const ROUNDS = 3;

let bed: ProviderTestBed;
let node: ProviderNode;

beforeAll(async () => {
  bed = await openProviderTestBed();
  node = await bed.startNode();
}, 180_000);

afterAll(async () => {
  await bed?.close();
});

type Completed = Extract<NodeEvent, { type: "completed" }>;

describe("hand-off to the real node", () => {
  it("an offline first server loses the request to the node, which locks, answers and settles; lamports exact", async () => {
    const { market } = bed;
    // Given a registered server with no node behind it (it never locks)
    const offlineOperator = await fundedWallet(market.chain);
    const { server: offline } = await publishServer(market.chain, offlineOperator, {
      x25519Key: generateX25519KeyPair().publicKey,
      endpoint: "",
      models: [{ hfId: DEFAULT_MODEL.hfId, revision: "", quantization: "Q4_K_M", priceIn: 1n, priceOut: 1n, maxContext: 2_048 }],
    });
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const client = await fundedWallet(market.chain);
      const nonce = nextNonce();
      const accounts = await requestAccounts({
        client: client.address,
        operator: node.operator,
        server: node.server,
        nonce,
        others: [offlineOperator.address, offline],
      });
      const sumBefore = await lamportSum(market, accounts);
      const nodeFeesBefore = node.metrics.snapshot().feesPaid;
      // (the client's chain notes when each hand_off_request leaves)
      let handOffSentAt = 0;
      const clientChain: LiteSvmChain = {
        ...market.chain,
        sendInstructions: (instructions, options) => {
          if (instructions.some((ix) => ix.data?.[0] === HAND_OFF_REQUEST_DISCRIMINATOR)) handOffSentAt = performance.now();
          return market.chain.sendInstructions(instructions, options);
        },
      };

      // When the client asks with the offline server first and the node's second (the default: one named)
      const posted = await ask(
        { ...market, chain: clientChain },
        {
          client,
          servers: [await serverListingFor(market, offline), await serverListingFor(market, node.server)],
          model: DEFAULT_MODEL.hfId,
          messages: QUESTION,
          maxTokens: MAX_TOKENS,
          temperature: 0,
          nonce,
        },
      );
      expect(posted.named).toEqual([offline]);
      const stop = new AbortController();
      const handOffs: HandOff[] = [];
      const handingOff = handOffUntilLocked(clientChain, client, posted, {
        waitMs: HAND_OFF_WAIT_MS,
        signal: stop.signal,
        onHandOff: (h) => handOffs.push(h),
      });
      // (the client polls the request every 10 ms to see the lock land)
      let lockedAt = 0;
      for (;;) {
        const request = await fetchRequestAccount(market.chain, posted.address);
        if (request?.status === RequestStatus.Locked) {
          lockedAt = performance.now();
          expect(request.lockedBy).toBe(node.server);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      stop.abort();
      await handingOff;
      const answer = await readAnswer(market, posted);
      const completed = await node.events.waitFor(
        (e: NodeEvent): e is Completed => e.type === "completed" && e.request === posted.address,
        { timeoutMs: 30_000 },
      );

      // Then one hand-off moved it from the offline server to the node's, and the node answered it
      expect(handOffs.map((h) => [h.from, h.to])).toEqual([[offline, node.server]]);
      expect(answer.outcome).toBe("settled");
      expect(answer.text).toBe(completed.text);
      // And Σ lamports over every account it touched fell by exactly the fees (the offline server's untouched)
      const clientFees = posted.transactions.reduce((sum, tx) => sum + tx.fee, 0n) + handOffs[0]!.transaction.fee;
      const nodeFees = node.metrics.snapshot().feesPaid - nodeFeesBefore;
      expect(await lamportSum(market, accounts)).toBe(sumBefore - clientFees - nodeFees);
      latencies.push(lockedAt - handOffSentAt);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `hand-off → lock (real node, LiteSVM, 400 ms slots): ${latencies.map((ms) => ms.toFixed(0)).join(", ")} ms; median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms`,
    );
  }, 240_000);
});
