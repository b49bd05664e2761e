/**
 * The client's close of a session (`closeSession`) against a real provider node, the real program on LiteSVM and the
 * real model: the cooperative close the node sends when the session key asks (final settle and close in one
 * transaction, to the lamport), a close signed by another key refused, and the forced path when the node is down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CHAINFERENCE_PROGRAM_ADDRESS, findFeeVaultPda, deriveKeyRoot, SessionStatus } from "@chainference/client";
import {
  closeSession,
  deriveSessionKeys,
  encodeSessionCloseBody,
  fetchSessionAccount,
  requireSessionAccount,
  signSessionClose,
  type SessionKeys,
} from "@chainference/client/sessions";
import type { NodeEvent } from "@chainference/node";
import { generateKeyPairSigner } from "@solana/kit";

import { openProviderTestBed, type ProviderTestBed, type TestMarket } from "../helpers/provider-harness";
import { askAll, openTestSession, sessionNodeConfig, type TestSession } from "../helpers/session-node";

/** The program's OPEN_SLOT_WINDOW: past it a close frees the account and returns the rent. */
const OPEN_SLOT_WINDOW = 150n;
const TX_FEE = 5_000n;

let bed: ProviderTestBed;
let market: TestMarket;

beforeAll(async () => {
  bed = await openProviderTestBed();
  market = bed.market;
});

afterAll(async () => {
  await bed?.close();
});

const balance = (address: Parameters<TestMarket["chain"]["getBalance"]>[0]) => market.chain.getBalance(address);

/** Session keys another wallet would hold for this session: from that wallet's own key root. */
async function foreignKeys(session: TestSession): Promise<SessionKeys> {
  const stranger = await generateKeyPairSigner();
  return deriveSessionKeys(await deriveKeyRoot(stranger, CHAINFERENCE_PROGRAM_ADDRESS), session.account.address);
}

describe("the cooperative close a client asks for", () => {
  it("settles the last voucher and closes in one node transaction: client + (deposit − paid) + rent, operator + paid − 10 % − fee, vault + 10 %", async () => {
    // Given a session with two answers paid by vouchers the node has not settled, its open slot out of the window
    const node = await bed.startNode({ config: await sessionNodeConfig(), keyringFile: "cooperative.json" });
    const events: NodeEvent[] = [];
    node.events.subscribe((event) => void events.push(event));
    const session = await openTestSession(market, node);
    await askAll(session, "Name a color.", 8);
    await askAll(session, "Name a fruit.", 8);
    const paid = session.progress.committed.lamports;
    expect(paid).toBeGreaterThan(0n);
    market.chain.warpSlots(OPEN_SLOT_WINDOW + 1n);
    const account = await requireSessionAccount(market.chain, session.account.address);
    expect(account.settled).toBe(0n);
    const [feeVault] = await findFeeVaultPda({ shard: account.feeShard });
    const before = {
      client: await balance(session.client.address),
      operator: await balance(node.operator),
      vault: await balance(feeVault),
      session: await balance(account.address),
    };
    const rent = before.session - account.deposit;

    // When the client closes it
    const outcome = await closeSession(market.chain, {
      client: session.client,
      account,
      node: { endpoint: session.connection.endpoint, keys: session.keys },
    });

    // Then the node closed it cooperatively and the client sent nothing
    expect(outcome).toMatchObject({ path: "cooperative", fallbackReason: null, transactions: [], paid, closableAtSlot: null });
    expect(outcome.refunded).toBe(account.deposit - paid + rent);
    expect(await fetchSessionAccount(market.chain, account.address)).toBeNull();
    const fee = (paid * 1_000n) / 10_000n;
    expect(await balance(session.client.address)).toBe(before.client + account.deposit - paid + rent);
    // one transaction: one signature plus the voucher's precompile signature
    expect(await balance(node.operator)).toBe(before.operator + paid - fee - 2n * TX_FEE);
    expect(await balance(feeVault)).toBe(before.vault + fee);
    expect(events.find((e) => e.type === "session-closed")).toMatchObject({ session: account.address, settledLamports: paid });
    expect(node.sessions!.book.get(account.address)!.closed).toBe(true);
  });

  it("refuses a close signed by another key (401 bad_signature): the session stays open, and the SDK falls back to the forced path", async () => {
    // Given
    const node = await bed.startNode({ config: await sessionNodeConfig(), keyringFile: "refuses.json" });
    const session = await openTestSession(market, node);
    await askAll(session, "Name a tree.", 8);
    const foreign = await foreignKeys(session);
    // When a close signed by another key is posted raw
    const response = await fetch(`${session.connection.endpoint}/v1/sessions/${session.account.address}/close`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        encodeSessionCloseBody({ signature: signSessionClose({ session: foreign.session, voucherSecret: foreign.voucherSecret }) }),
      ),
    });
    // Then
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "bad_signature" } });
    expect((await requireSessionAccount(market.chain, session.account.address)).status).toBe(SessionStatus.Open);

    // When the SDK's close uses the wrong key, then it says so and takes the forced path (here only the request)
    const clientBefore = await balance(session.client.address);
    const outcome = await closeSession(market.chain, {
      client: session.client,
      account: session.account,
      node: { endpoint: session.connection.endpoint, keys: foreign },
      wait: false,
    });
    expect(outcome.path).toBe("forced");
    expect(outcome.fallbackReason).toContain("bad_signature");
    expect(outcome.transactions).toHaveLength(1);
    expect(outcome.closableAtSlot).not.toBeNull();
    expect(await balance(session.client.address)).toBe(clientBefore - TX_FEE);
    expect((await requireSessionAccount(market.chain, session.account.address)).status).toBe(SessionStatus.Closing);
  });

  it("falls back to the forced path when the node is down: request close, the grace window, close; the client gets its deposit and rent back minus two fees", async () => {
    // Given a session whose node answered once, then went away without settling
    const node = await bed.startNode({ config: await sessionNodeConfig(), keyringFile: "down.json" });
    const session = await openTestSession(market, node);
    await askAll(session, "Name a planet.", 8);
    await node.stop();
    const account = await requireSessionAccount(market.chain, session.account.address);
    const before = { client: await balance(session.client.address), session: await balance(account.address) };
    const rent = before.session - account.deposit;

    // When the client closes it (the chain jumps past the grace window once the close is requested)
    const closing = closeSession(market.chain, {
      client: session.client,
      account,
      node: { endpoint: session.connection.endpoint, keys: session.keys },
      pollMs: 50,
    });
    for (let read = account; read.status !== SessionStatus.Closing;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      read = (await fetchSessionAccount(market.chain, account.address)) ?? read;
    }
    market.chain.warpSlots(account.graceSlots + OPEN_SLOT_WINDOW + 1n);
    const outcome = await closing;

    // Then it says the node was unreachable, and the server, which never settled, got nothing
    expect(outcome.path).toBe("forced");
    expect(outcome.fallbackReason).toMatch(/Cannot reach the session node/);
    expect(outcome.transactions).toHaveLength(2);
    expect(outcome).toMatchObject({ paid: 0n, refunded: account.deposit + rent, closableAtSlot: null });
    expect(await fetchSessionAccount(market.chain, account.address)).toBeNull();
    expect(await balance(session.client.address)).toBe(before.client + account.deposit + rent - 2n * TX_FEE);
  });
});
