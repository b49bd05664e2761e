/**
 * Provider key hygiene and idle-time serving on a real node (LiteSVM program, the embedded model): the keyring
 * encrypted at rest (docs/privacy.md §6, re-implemented here from raw primitives), scheduled key rotation that keeps
 * an old secret while a request locked under it is answered and erases it afterwards, a drained stop that marks the
 * server inactive on-chain (and a start that marks it active), and the idle gate: a node stops taking work while the
 * machine is busy, paused or outside its hours, finishes what it holds, and says so at its session endpoint.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  checkEligibility,
  decodeServerKeyring,
  encodeServerKeyring,
  fetchOwnServer,
  fetchServers,
  probeServerLiveness,
  type ServerWithAddress,
} from "@chainference/client";
import {
  CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED,
  DEFAULT_MODEL,
  ENCRYPTED_KEYRING_HEADER_LENGTH,
  loadOrCreateServerKeyring,
  readServerKeyringFile,
  startProviderNode,
  writeServerKeyringFile,
  type InferenceBackend,
  type MachineLoad,
  type NodeConfig,
  type NodeEvent,
  type ProviderNode,
  type ProviderNodeOptions,
} from "@chainference/node";

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
const nodes: ProviderNode[] = [];

beforeAll(async () => {
  bed = await openProviderTestBed();
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await bed?.close();
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** The embedded model behind a gate: generation starts only after `release()` (a request held in flight). */
/** Tokens a held backend yields before it waits: enough for the first chunk, which carries the lock. */
const TOKENS_BEFORE_HOLD = 4;

/** The model behind a gate: the first tokens flow (so the node locks the request with its first chunk), the rest wait for `release()`. */
function heldBackend(inner: InferenceBackend) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const backend: InferenceBackend = {
    describe: `held ${inner.describe}`,
    ...(inner.countTokens ? { countTokens: inner.countTokens } : {}),
    close: async () => {},
    streamChat(request) {
      const stream = inner.streamChat(request);
      return {
        async *[Symbol.asyncIterator]() {
          let yielded = 0;
          for await (const piece of stream) {
            if (yielded++ === TOKENS_BEFORE_HOLD) await released;
            yield piece;
          }
        },
        result: stream.result,
      };
    },
  };
  return { backend, release };
}

async function startNode(options: Partial<ProviderNodeOptions> & { keyringFile: string; config?: NodeConfig }): Promise<ProviderNode> {
  const node = await startProviderNode({
    chain: bed.market.chain,
    operator: options.operator ?? (await fundedWallet(bed.market.chain)),
    config: options.config ?? testNodeConfig(),
    keyringPath: join(bed.scratch, options.keyringFile),
    backends: options.backends ?? { [DEFAULT_MODEL.hfId]: bed.llama },
    log: null,
    ...(options.keyringPassphrase ? { keyringPassphrase: options.keyringPassphrase } : {}),
    ...(options.loadSource ? { loadSource: options.loadSource } : {}),
  });
  nodes.push(node);
  return node;
}

const question = (server: ServerWithAddress, content = "Say hello.") => ({
  servers: [server],
  model: DEFAULT_MODEL.hfId,
  messages: [{ role: "user" as const, content }],
  maxTokens: 8,
  temperature: 0,
});

describe("keyring encrypted at rest", () => {
  it("writes the documented format (0600), opens only with the passphrase, and names a wrong one", async () => {
    // Given a keyring written with a passphrase
    const path = join(bed.scratch, "encrypted", "keyring.bin");
    const passphrase = "correct horse battery staple";
    const { keyring } = await loadOrCreateServerKeyring(path, passphrase);
    const bytes = new Uint8Array(await readFile(path));

    // Then the file is 0600 and decrypts with the raw primitives exactly as docs/privacy.md §6 states
    expect(await mode(path)).toBe(0o600);
    expect(Array.from(bytes.slice(0, 8))).toEqual([0x43, 0x46, 0x4b, 0x52, 1, 17, 8, 1]);
    const header = bytes.slice(0, ENCRYPTED_KEYRING_HEADER_LENGTH);
    const key = scrypt(new TextEncoder().encode(passphrase.normalize("NFKC")), header.slice(8, 24), { N: 2 ** 17, r: 8, p: 1, dkLen: 32 });
    const json = new TextDecoder().decode(xchacha20poly1305(key, header.slice(24, 48), header).decrypt(bytes.slice(48)));
    expect(json).toBe(encodeServerKeyring(keyring));
    expect(new TextDecoder().decode(bytes)).not.toContain(Buffer.from(keyring.keys[0]!.secretKey).toString("base64"));
    expect((await readServerKeyringFile(path, passphrase))?.keys[0]?.publicKey).toEqual(keyring.keys[0]!.publicKey);

    // And a wrong or missing passphrase is a clear error, never a new keyring
    await expect(readServerKeyringFile(path, "wrong")).rejects.toMatchObject({
      code: CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED,
      message: expect.stringMatching(/wrong passphrase.*CHAINFERENCE_KEYRING_PASSPHRASE/s),
    });
    await expect(loadOrCreateServerKeyring(path)).rejects.toMatchObject({
      code: CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED,
      message: expect.stringContaining("no passphrase was given"),
    });
    // And an altered header byte (AAD) fails like a wrong passphrase
    const altered = Uint8Array.from(bytes);
    altered[10]! ^= 1;
    await writeFile(join(bed.scratch, "encrypted", "altered.bin"), altered);
    await expect(readServerKeyringFile(join(bed.scratch, "encrypted", "altered.bin"), passphrase)).rejects.toMatchObject({
      code: CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED,
    });
  });

  it("rewrites a plain keyring encrypted when a passphrase is given, keeping its keys", async () => {
    const path = join(bed.scratch, "plain-then-encrypted.json");
    const { keyring } = await loadOrCreateServerKeyring(path);
    const loaded = await loadOrCreateServerKeyring(path, "s3cret");
    expect(loaded.encryptedNow).toBe(true);
    expect((await readFile(path)).subarray(0, 4).toString("latin1")).toBe("CFKR");
    expect(loaded.keyring.keys[0]!.secretKey).toEqual(keyring.keys[0]!.secretKey);
    await writeServerKeyringFile(path, loaded.keyring, "s3cret");
    expect(decodeServerKeyring(encodeServerKeyring((await readServerKeyringFile(path, "s3cret"))!))).toEqual(keyring);
  });
});

describe("key rotation by schedule", () => {
  it("answers a request locked under the old epoch after the rotation, then erases the old secret from the encrypted file", async () => {
    // Given a node rotating its key every 5 s, with an encrypted keyring, and a request it locked but holds
    const held = heldBackend(bed.llama);
    const passphrase = "rotate me";
    const node = await startNode({
      keyringFile: "rotating.bin",
      keyringPassphrase: passphrase,
      backends: { [DEFAULT_MODEL.hfId]: held.backend },
      config: testNodeConfig({ keyRotationIntervalMs: 5_000 }),
    });
    const keyringPath = join(bed.scratch, "rotating.bin");
    const client = await fundedWallet(bed.market.chain);
    const posted = await ask(bed.market, { client, ...question(await serverListingFor(bed.market, node.server)) });
    await node.events.waitFor((e: NodeEvent) => e.type === "locked" && e.request === posted.address, { includePast: true });

    // When the schedule rotates the key while that request is in flight
    const rotated = await node.events.waitFor((e: NodeEvent) => e.type === "key-rotated", { timeoutMs: 30_000, includePast: true });
    expect(rotated).toMatchObject({ epoch: 1 });
    expect((await fetchOwnServer(bed.market.chain, node.operator))?.server.keyEpoch).toBe(1);
    // (several polls pass: the old secret stays while the request locked under epoch 0 runs)
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await readServerKeyringFile(keyringPath, passphrase))!.keys.map((k) => k.epoch)).toEqual([0, 1]);

    // Then the request is still answered with the epoch-0 key, and the old secret is erased afterwards
    held.release();
    expect((await readAnswer(bed.market, posted)).outcome).toBe("settled");
    const erased = await node.events.waitFor((e: NodeEvent) => e.type === "keys-erased", { timeoutMs: 30_000, includePast: true });
    expect((erased as Extract<NodeEvent, { type: "keys-erased" }>).epochs).toContain(0);
    // (the schedule goes on rotating every 5 s: epoch 0 is gone, the chain's current epoch is kept)
    const onDisk = (await readServerKeyringFile(keyringPath, passphrase))!;
    const current = (await fetchOwnServer(bed.market.chain, node.operator))!.server.keyEpoch;
    expect(onDisk.keys.map((k) => k.epoch)).not.toContain(0);
    expect(onDisk.keys.map((k) => k.epoch)).toContain(current);
    expect(await mode(keyringPath)).toBe(0o600);
    await node.stop({ drain: true });
  }, 180_000);
});

describe("active flag", () => {
  it("marks the server inactive on a graceful stop (it leaves eligibility) and active again at the next start", async () => {
    // Given a running node
    const operator = await fundedWallet(bed.market.chain);
    const first = await startNode({ keyringFile: "active.json", operator });
    expect((await fetchOwnServer(bed.market.chain, operator.address))?.server.active).toBe(true);

    // When it stops gracefully
    await first.stop({ drain: true });

    // Then the chain marks it inactive, and a client's eligibility check leaves it out
    const stopped = (await fetchServers(bed.market.chain)).find((s) => s.address === first.server)!;
    expect(stopped.server.active).toBe(false);
    const draft = {
      model: DEFAULT_MODEL.hfId,
      revision: "",
      maxPriceIn: 10n ** 9n,
      maxPriceOut: 10n ** 9n,
      minCompleted: 0n,
      minSuccessBps: 0,
      minAvgRating: 0,
      allowed: [],
      promptBytes: 200,
      stake: 10_000_000n,
    };
    expect(checkEligibility(draft, stopped.address, stopped.server)).toMatchObject({ eligible: false, reasons: [{ reason: "inactive" }] });
    expect(first.metrics.snapshot().feesPaid).toBeGreaterThan(0n);

    // And the next start marks it active again
    const second = await startNode({ keyringFile: "active.json", operator });
    expect((await fetchOwnServer(bed.market.chain, operator.address))?.server.active).toBe(true);
    await second.stop();
  }, 120_000);
});

describe("idle-time serving", () => {
  /** A load the test sets: the node reads it at each sample. */
  const syntheticLoad = () => {
    const load = { cpuPercent: 0 as number | null, gpuPercent: null as number | null };
    return { load, source: async (): Promise<MachineLoad> => ({ ...load }) };
  };
  const idleConfig = (overrides: Partial<NodeConfig["idle"]> = {}) =>
    testNodeConfig({
      idle: { cpuBelowPercent: 30, gpuBelowPercent: null, serveHours: null, sampleIntervalMs: 50, resumeAfterMs: 300, ...overrides },
      sessions: { ...testNodeConfig().sessions, port: 0 },
    });

  it("stops taking requests while other work loads the CPU, says so at its endpoint, and resumes after", async () => {
    // Given a node serving below 30 % CPU, with sessions on
    const { load, source } = syntheticLoad();
    const node = await startNode({ keyringFile: "idle-load.json", config: idleConfig(), loadSource: source });
    const client = await fundedWallet(bed.market.chain);
    const listing = await serverListingFor(bed.market, node.server);
    const endpoint = { ...listing, server: { ...listing.server, endpoint: node.sessions!.url } };

    // When the machine gets busy (85 % by other programs)
    load.cpuPercent = 85;
    const paused = await node.events.waitFor((e: NodeEvent) => e.type === "serving-paused", { includePast: true });
    expect(paused).toMatchObject({ reason: expect.stringContaining("CPU busy with other work: 85 %") });
    const posted = await ask(bed.market, { client, ...question(listing) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Then it locks nothing, its endpoint says paused (and why), a client's liveness probe treats it as not pickable,
    // and a session ask is refused with `paused`
    expect(node.activeRequests()).toEqual([]);
    expect(node.metrics.snapshot().locked).toBe(0);
    const liveness = await probeServerLiveness(endpoint, { currentSlot: 0n });
    expect(liveness).toMatchObject({ state: "paused", stale: true, detail: expect.stringContaining("CPU busy") });
    const refused = await fetch(`${node.sessions!.url}/v1/sessions/${node.server}/answers`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "paused" } });

    // When the load goes away, it resumes (after the load stayed low for resumeAfterMs) and answers the request
    load.cpuPercent = 5;
    await node.events.waitFor((e: NodeEvent) => e.type === "serving-resumed");
    expect((await readAnswer(bed.market, posted)).outcome).toBe("settled");
    expect((await probeServerLiveness(endpoint, { currentSlot: 0n })).state).toBe("live");
    const metrics = node.metrics.snapshot();
    expect(metrics.pausedMs).toBeGreaterThan(0);
    expect(metrics.paused).toBe(false);
    const text = node.metrics.renderPrometheus();
    expect(text).toMatch(/chainference_node_paused_seconds_total [1-9]/);
    expect(text).toContain("chainference_node_serving 1");
    expect(text).toContain("chainference_node_lamports_per_serving_hour");
  }, 180_000);

  it("finishes a request it already holds when paused by hand, and takes no new one until resumed", async () => {
    // Given a node answering a request (held in the model)
    const held = heldBackend(bed.llama);
    const node = await startNode({
      keyringFile: "idle-hand.json",
      backends: { [DEFAULT_MODEL.hfId]: held.backend },
      config: idleConfig({ cpuBelowPercent: null }),
    });
    const client = await fundedWallet(bed.market.chain);
    const listing = await serverListingFor(bed.market, node.server);
    const first = await ask(bed.market, { client, ...question(listing) });
    await node.events.waitFor((e: NodeEvent) => e.type === "locked" && e.request === first.address, { includePast: true });

    // When the operator pauses it (as `chainference serve pause` does: the pause file beside the keyring)
    const state = await node.pause("gaming");
    expect(state).toMatchObject({ paused: true, reason: "paused by the operator: gaming" });
    const second = await ask(bed.market, { client, ...question(listing, "Say hi.") });
    held.release();

    // Then the held request is answered, the new one is not taken while paused
    expect((await readAnswer(bed.market, first)).outcome).toBe("settled");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(node.activeRequests()).toEqual([]);
    expect(node.metrics.snapshot().locked).toBe(1);

    // And after resume it is
    expect(await node.resume()).toMatchObject({ paused: false });
    expect((await readAnswer(bed.market, second)).outcome).toBe("settled");
  }, 180_000);
});
