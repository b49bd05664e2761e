/**
 * A running node whose bond a slash took below the Config's minimum: its next lock fails with the program's
 * BondBelowMinimum, the node tops the bond up from the operator's wallet (a `bonded` event) and locks again, and the
 * request is answered. The slash comes from a lock of this server left to expire while the node was paused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  expireRequest,
  fetchProtocolConfig,
  fetchRequestAccount,
  getCurrentServerKey,
  getServerDecoder,
  lockRequest,
  type Chain,
} from "@chainference/client";
import { DEFAULT_MODEL, readServerKeyringFile, type NodeEvent } from "@chainference/node";

import {
  ask,
  fundedWallet,
  openProviderTestBed,
  readAnswer,
  serverListingFor,
  testNodeConfig,
  type ProviderTestBed,
} from "../helpers/provider-harness";

let bed: ProviderTestBed;

beforeAll(async () => {
  bed = await openProviderTestBed();
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

const bondOf = async (chain: Chain, server: string) => getServerDecoder().decode((await chain.getAccount(server as never))!.data).bond;

describe("a node slashed below the minimum bond while it runs", () => {
  it("tops the bond up at its next lock and answers", async () => {
    // Given a running node, paused while its operator locks a request by hand and leaves it to expire
    const operator = await fundedWallet(bed.market.chain);
    const node = await bed.startNode({ operator, config: testNodeConfig({ maxOutputTokens: 6 }), keyringFile: "rebond.json" });
    const { minBond, abandonPenalty } = await fetchProtocolConfig(bed.market.chain);
    expect(await bondOf(bed.market.chain, node.server)).toBe(minBond);
    await node.pause("test: lock by hand");
    const server = await serverListingFor(bed.market, node.server);
    const client = await fundedWallet(bed.market.chain);
    const question = { client, servers: [server], model: DEFAULT_MODEL.hfId, maxTokens: 6 } as const;
    const abandoned = await ask(bed.market, { ...question, messages: [{ role: "user", content: "Name a sea." }] });
    const keyring = (await readServerKeyringFile(`${bed.scratch}/rebond.json`))!;
    await lockRequest(bed.market.chain, operator, abandoned.address, getCurrentServerKey(keyring).publicKey);
    const locked = (await fetchRequestAccount(bed.market.chain, abandoned.address))!;
    bed.market.chain.warpSlots(locked.deadlineSlot - (await bed.market.chain.getSlot()) + 1n);
    await expireRequest(bed.market.chain, client, (await fetchRequestAccount(bed.market.chain, abandoned.address))!);
    expect(await bondOf(bed.market.chain, node.server)).toBe(minBond - abandonPenalty);

    // When the node serves again and a new request comes
    const events: NodeEvent[] = [];
    const unsubscribe = node.events.subscribe((e) => events.push(e));
    await node.resume();
    const posted = await ask(bed.market, { ...question, messages: [{ role: "user", content: "Name a bay." }] });
    const answer = await readAnswer(bed.market, posted);
    unsubscribe();

    // Then its first lock was refused, the bond was topped up by exactly the penalty, and the lock went through
    expect(answer.outcome).toBe("settled");
    const bonded = events.filter((e): e is Extract<NodeEvent, { type: "bonded" }> => e.type === "bonded");
    expect(bonded).toEqual([{ type: "bonded", bond: minBond, deposited: abandonPenalty, fee: 5_000n }]);
    expect(events.some((e) => e.type === "locked" && e.request === posted.address)).toBe(true);
    expect(await bondOf(bed.market.chain, node.server)).toBe(minBond);
    await node.stop();
  }, 180_000);
});
