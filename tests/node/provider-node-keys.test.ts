/**
 * The server keyring: X25519 secrets by key epoch in a 0600 file, created on first run and reused after;
 * key rotation publishes a new key at the next epoch and keeps the old secrets while work in flight names them (a
 * request locked before the rotation is still answered with the key it was locked under), then erases them; a
 * request still open and wrapped for the old key is not locked: the program takes only the server's current epoch.
 */
import { chmod, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyPairSigner } from "@solana/kit";

import { createServerKeyring, fetchOwnServer, generateX25519KeyPair, getCurrentServerKey, rotateServerKeyring } from "@chainference/client";
import {
  CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE,
  DEFAULT_MODEL,
  alignKeyringWithChain,
  createDefaultLlamaBackend,
  getDefaultKeyringPath,
  loadOrCreateServerKeyring,
  readServerKeyringFile,
  rotateServerKey,
  startProviderNode,
  type LlamaBackend,
  type NodeEvent,
  type ProviderNode,
} from "@chainference/node";

import {
  ask,
  createTestMarket,
  fundedWallet,
  readAnswer,
  scratchDir,
  serverListingFor,
  testNodeConfig,
  type TestMarket,
} from "../helpers/provider-harness";

let dir: string;
let llama: LlamaBackend;
let market: TestMarket;
let operator: KeyPairSigner;
const nodes: ProviderNode[] = [];

beforeAll(async () => {
  dir = await scratchDir("chainference-keys-");
  llama = await createDefaultLlamaBackend({ threads: 1 });
  market = await createTestMarket();
  operator = await fundedWallet(market.chain);
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await llama?.close();
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("keyring file", () => {
  it("is created with mode 0600 on first run and reused unchanged after", async () => {
    const path = join(dir, "first", "keyring.json");
    const first = await loadOrCreateServerKeyring(path);
    expect(first.created).toBe(true);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(join(dir, "first"))).toBe(0o700);
    const again = await loadOrCreateServerKeyring(path);
    expect(again.created).toBe(false);
    expect(getCurrentServerKey(again.keyring).publicKey).toEqual(getCurrentServerKey(first.keyring).publicKey);
  });

  it("narrows a keyring readable by others to 0600", async () => {
    const path = join(dir, "loose.json");
    await loadOrCreateServerKeyring(path);
    await chmod(path, 0o644);
    expect((await loadOrCreateServerKeyring(path)).permissionsTightened).toBe(true);
    expect(await mode(path)).toBe(0o600);
  });

  it("refuses a corrupt keyring instead of replacing it", async () => {
    const path = join(dir, "corrupt.json");
    await writeFile(path, "{ not json");
    await expect(loadOrCreateServerKeyring(path)).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE });
  });

  it("lives under ~/.config/chainference, one file per operator", () => {
    expect(getDefaultKeyringPath(operator.address, "/home/op")).toBe(
      `/home/op/.config/chainference/server-keyring-${operator.address}.json`,
    );
  });

  it("relabels the current key to the chain's epoch and drops colliding stale labels", () => {
    const keyring = rotateServerKeyring(createServerKeyring({ epoch: 0, secretKey: generateX25519KeyPair().secretKey }), {
      secretKey: generateX25519KeyPair().secretKey,
      epoch: 5,
    });
    const current = getCurrentServerKey(keyring);
    const aligned = alignKeyringWithChain(keyring, { x25519Key: current.publicKey, keyEpoch: 3 });
    expect(aligned).toMatchObject({ changed: true, droppedEpochs: [] });
    expect(aligned.keyring.currentEpoch).toBe(3);
    expect(aligned.keyring.keys.map((k) => k.epoch)).toEqual([0, 3]);
    expect(() => alignKeyringWithChain(keyring, { x25519Key: generateX25519KeyPair().publicKey, keyEpoch: 5 })).toThrow(
      /another X25519 key/,
    );
  });
});

describe("key rotation", () => {
  it("publishes a new key at the next epoch, keeps the old secret, and leaves a request wrapped for the old key to a re-post", async () => {
    // Given a registered server (epoch 0) and a request encrypted for its epoch-0 key, posted while the node is down
    const keyringPath = join(dir, "operator-keyring.json");
    const start = async () => {
      const node = await startProviderNode({
        chain: market.chain,
        operator,
        config: testNodeConfig(),
        keyringPath,
        backends: { [DEFAULT_MODEL.hfId]: llama },
        log: null,
      });
      nodes.push(node);
      return node;
    };
    const first = await start();
    await first.stop();
    expect((await fetchOwnServer(market.chain, operator.address))?.server.keyEpoch).toBe(0);
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, first.server);
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content: "Say hello." }],
      maxTokens: 8,
      temperature: 0,
    });

    // When the operator rotates the key (node stopped), then starts the node again
    const rotation = await rotateServerKey({ chain: market.chain, operator, keyringPath });
    const onChain = (await fetchOwnServer(market.chain, operator.address))!.server;
    const saved = (await readServerKeyringFile(keyringPath))!;
    const node = await start();
    const skipped = await node.events.waitFor((e: NodeEvent) => e.type === "skipped" && e.request === posted.address);

    // Then the chain holds the new key at epoch 1, the file keeps both secrets (0600), and the node does not
    // lock the old request: lock_request takes only a wrap for the server's current epoch (KeyEpochMismatch)
    expect(rotation.epoch).toBe(1);
    expect(onChain.keyEpoch).toBe(1);
    expect(Uint8Array.from(onChain.x25519Key)).toEqual(rotation.publicKey);
    expect(saved.keys.map((k) => k.epoch)).toEqual([0, 1]);
    expect(await mode(keyringPath)).toBe(0o600);
    expect(skipped).toMatchObject({ reason: "key-epoch-mismatch" });

    // And a running node rotates too: epoch 2 is published and a request for it is answered
    const { epoch } = await node.rotateKey();
    expect(epoch).toBe(2);
    expect((await fetchOwnServer(market.chain, operator.address))?.server.keyEpoch).toBe(2);
    const fresh = await ask(market, {
      client,
      servers: [await serverListingFor(market, node.server)],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content: "Say hi." }],
      maxTokens: 8,
      temperature: 0,
    });
    expect((await readAnswer(market, fresh)).outcome).toBe("settled");
    // No request or session is in flight under epochs 0 and 1 any more: their secrets are erased from the file
    await node.events.waitFor((e: NodeEvent) => e.type === "keys-erased", { includePast: true });
    expect((await readServerKeyringFile(keyringPath))!.keys.map((k) => k.epoch)).toEqual([2]);
  });
});
